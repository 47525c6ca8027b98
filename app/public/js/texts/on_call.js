// The words of the on-call peer's screens: the card on home, #/on-call and #/rota.

const time = (date) => date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
const day = (date) => date.toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long" });
const shortDay = (date) => date.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short" });

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

// "18:00", "tomorrow at 08:00" or "Friday 4 December at 13:15".
export function untilText(date, now = new Date()) {
  if (sameDay(date, now)) return time(date);
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  if (sameDay(date, tomorrow)) return `tomorrow at ${time(date)}`;
  return `${day(date)} at ${time(date)}`;
}

// A shift: "Tue 1 Dec, 08:00 to 20:00" (or "... to Wed 2 Dec, 08:00").
export function shiftText(start, end) {
  const to = sameDay(start, end) || end - start < 60 * 1000 ? time(end) : `${shortDay(end)}, ${time(end)}`;
  return `${shortDay(start)}, ${time(start)} to ${to}`;
}

// Wall-clock "23:00:00" -> "23:00".
export const clock = (value) => (value ? value.slice(0, 5) : "");

export const card = {
  title: "On call",
  titleIn: (network) => `On call in ${network}`,
  onCallUntil: (until) => `You're on call until ${until}`,
  notOnCall: "You're not on call now",
  because: {
    rota: "This is your shift on the rota.",
    available: "You said you're free to help.",
  },
  why: {
    unavailable: (until) => `You said you can't right now. That lasts until ${until}.`,
    quiet_hours: (end) => `It's your quiet time, until ${end}. We will not send you alerts.`,
    alert_cap: "You've had as many alerts as you chose for this shift. Thank you.",
    not_on_call: "It's not your shift. Nobody will ask you for help unless you say you're free.",
    not_ready: "A facilitator marks you ready before you can be on call.",
  },
  cant: "I can't right now",
  available: "I'm available now",
  stopAvailable: "Stop being available",
  rotaOnly: "Back to my rota shifts only",
  cantLegend: "How long can't you help for?",
  availableLegend: "How long are you free for?",
  forHours: (n) => (n === 1 ? "For 1 hour" : `For ${n} hours`),
  untilMorning: (date, now = new Date()) =>
    sameDay(date, now) ? `Until ${time(date)} this morning` : `Until tomorrow morning, ${time(date)}`,
  cantDone: "Thanks for saying. We will ask other people.",
  availableDone: "Thank you for being there.",
  rotaOnlyDone: "Done. You're back to your rota shifts only.",
  couldNotCheck: "We could not check whether you are on call.",
  more: "My shifts and on-call settings",
};

export const onCall = {
  title: "On call",
  intro: "When you are on call, we may ask you to help someone in your network who needs support.",
  none: "You are not on call in any network. A facilitator marks people ready once they have done the training.",
  quietHours: "Quiet hours",
  quietHoursNone: "None set",
  quietHoursValue: (start, end) => `${start} to ${end}. No alerts then.`,
  change: "Change",
  changeWhat: (what) => `Change ${what.toLowerCase()}`,
  cap: "Alerts in one shift",
  capValue: (n) => (n === 1 ? "At most 1 alert" : `At most ${n} alerts`),
  shiftsLink: "My shifts, swaps and calendar",
  pushTitle: "Alerts on this phone",
  pushWhy: "So you know straight away when someone asks for support while you are on call. The alert on your lock screen never says who or why.",
  pushButton: "Get alerts on this phone",
  pushWorking: "Asking your phone…",
  pushChecking: "Checking this phone…",
  pushSaid: {
    on: "Alerts are on for this phone.",
    failed: "That did not work. Please try again.",
    denied: "Your phone's settings block alerts from Circle. You can allow them in the browser's settings.",
    unsupported: "This browser cannot show alerts. You will still see them when Circle is open.",
    not_configured: "Alerts to phones are not switched on for this service yet. You will still see them when Circle is open.",
  },
};

export const quiet = {
  title: "Quiet hours",
  intro: "In your quiet hours we will not send you alerts, even on your shift.",
  startLabel: "From what time?",
  endLabel: "Until what time?",
  hint: "For example 23:00 to 07:00.",
  save: "Save quiet hours",
  clear: "I don't want quiet hours",
  missing: "Enter both times, or choose \"I don't want quiet hours\"",
  same: "The two times must be different",
  saved: (start, end) => `Saved. Your quiet hours are ${start} to ${end}.`,
  cleared: "Saved. You have no quiet hours.",
};

export const cap = {
  title: "Alerts in one shift",
  label: "How many alerts at most in one shift?",
  hint: "After this many, we ask other people until your next shift.",
  option: (n) => (n === 1 ? "1 alert" : `${n} alerts`),
  save: "Save",
  saved: (n) => (n === 1 ? "Saved. At most 1 alert in a shift." : `Saved. At most ${n} alerts in a shift.`),
};

export const rota = {
  title: "My shifts",
  intro: "Your shifts over the next two weeks.",
  none: "You have no shifts in the next two weeks.",
  now: "On now",
  takenOverBy: (name) => `${name} is taking this shift for you.`,
  takenOverFrom: (name) => `You are taking this shift for ${name}.`,
  swap: "Ask someone to take this shift",
  swapFor: (when) => `Ask someone to take your shift on ${when}`,
  swapTitle: "Who will take this shift?",
  swapIntro: (when) => `Your shift: ${when}.`,
  swapHint: "We'll ask them. The shift stays yours until they say yes.",
  swapLegend: "Who would you like to ask?",
  swapNobody: "There is nobody else ready for on call in this network right now.",
  swapMissing: "Choose who to ask",
  swapGo: "Ask them",
  swapConfirmTitle: (name) => `Ask ${name} to take this shift?`,
  swapConfirmBody: (name) => `We'll ask ${name}. It changes only when they say yes.`,
  swapDone: (name) => `We've asked ${name}. The shift is still yours until they say yes.`,
  swapGone: "This shift is not yours to give now. It may have been swapped, cancelled, or someone has already been asked.",
  askedTitle: "Asked to cover for you",
  askedBy: (name, when) => `${name} asked if you can take their shift on ${when}.`,
  askedFor: (name, asker, when) => `${asker} asked if you can take ${name}'s shift on ${when}.`,
  yes: "Yes, I'll take it",
  yesFor: (when) => `Yes, I'll take it: the shift on ${when}`,
  no: "No, sorry",
  noFor: (when) => `No, sorry: the shift on ${when}`,
  yesDone: (when) => `Thank you. The shift on ${when} is yours now.`,
  noDone: "Thanks for saying. The shift stays as it was.",
  answerGone: "This request is no longer open. It may have been withdrawn, or the shift changed.",
  waitingTitle: "Waiting for an answer",
  waitingFor: (name, when) => `You asked ${name} to take your shift on ${when}.`,
  waitingOther: (name, owner, when) => `${name} has been asked to take ${owner}'s shift on ${when}.`,
  waitingOnShift: (name) => `Waiting for ${name} to say yes.`,
  withdraw: "Withdraw",
  withdrawFor: (when) => `Withdraw: the ask for the shift on ${when}`,
  withdrawDone: "Withdrawn. Nothing on the rota has changed.",
  calendarTitle: "Add my shifts to my calendar",
  calendarIntro: "A private link your calendar app checks for changes. Anyone with the link can see the shifts in it, so keep it to yourself.",
  calendarLink: "Calendar links",
};

export const calendar = {
  title: "Calendar links",
  intro: "Your calendar app can show your shifts. It checks this private link for changes.",
  networkLegend: "Which network?",
  scopeLegend: "What should it show?",
  scopes: { my_shifts: "Only my shifts", network_rota: "The whole rota of the network" },
  make: "Make a private link",
  making: "Making…",
  madeTitle: "Your private link",
  madeOnce: "This is the only time we show it. Add it to your calendar now.",
  add: "Add to my calendar",
  copyLabel: "Or copy this link into your calendar app",
  copy: "Copy the link",
  copied: "Copied.",
  copyFailed: "Could not copy. Press and hold the link to copy it.",
  done: "I've added it",
  listTitle: "Links you have made",
  none: "You have not made a calendar link yet.",
  made: (scope, network, date) => `${scope}, ${network}. Made ${date}.`,
  revoke: "Stop this link",
  revokeTitle: "Stop this calendar link?",
  revokeBody: "Calendars using it will stop showing new shifts. You can make a new link at any time.",
  revoked: "The link is stopped.",
};
