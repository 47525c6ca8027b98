// The words of paging (issue 17): my paging rules and test pages
// (screens/account_paging.js), the "your pages may not reach you" banner
// (screens/paging_banner.js) and the desk's list of peers whose pages fail
// (screens/desk_paging.js).

// 0 -> "at once", 30 -> "after 30 seconds", 300 -> "after 5 minutes".
export function waitText(seconds) {
  if (seconds === 0) return "at once";
  if (seconds % 60 === 0) return seconds === 60 ? "after 1 minute" : `after ${seconds / 60} minutes`;
  return `after ${seconds} seconds`;
}

// The choice in the wait select: "At once", "10 seconds", "5 minutes".
export function waitChoice(seconds) {
  if (seconds === 0) return "At once";
  if (seconds % 60 === 0) return seconds === 60 ? "1 minute" : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

const ending = (number) => (number || "").replace(/\D/g, "").slice(-3);

const how = {
  via: { app: "in the app", sms: "by text", voice: "on a call" },
};

export const pagingTexts = {
  title: "How we reach you",
  link: "How we reach you when someone needs support",
  intro: "When someone asks for support and you are on call, this is how we try to reach you, in this order. We stop as soon as you answer.",

  stepsTitle: "In this order",
  defaults: "These are the usual steps. You can change them.",
  yours: "You chose these steps.",
  first: "First",
  then: "Then",
  // The sentence a tired person reads: "First: a text to the number ending 001, after 30 seconds."
  what: {
    push: () => "a notification on your phone",
    sms: (number) => (ending(number) ? `a text to the number ending ${ending(number)}` : "a text to your mobile"),
    voice: (number) => (ending(number) ? `a phone call to the number ending ${ending(number)}` : "a phone call to your mobile"),
  },
  step: (order, what, wait) => `${order}: ${what}, ${wait}.`,
  notWorking: (detail) => `This does not work now: ${detail.charAt(0).toLowerCase()}${detail.slice(1)}.`,
  afterHint: "The wait is counted from when we first try to reach you.",

  channelsTitle: "Ways we can reach you",
  channels: { push: "Notifications", sms: "Texts", voice: "Phone calls" },
  channel: (name, detail) => (detail ? `${name}: ${detail}` : name),
  works: "works",
  notAvailable: "not available",

  quiet: "Texts and calls are not sent during your quiet hours, unless you are on call. Notifications still come.",
  quietLink: "Set your quiet hours",

  change: "Change these steps",
  editTitle: "Change how we reach you",
  editIntro: "Choose what we try, in order, and how long after we first try to reach you. We stop as soon as you answer.",
  stepLegend: (n, what) => `Step ${n}: ${what}`,
  waitLabel: "When?",
  moveUp: "Move up",
  moveDown: "Move down",
  remove: "Remove",
  moveUpWhat: (n) => `Move step ${n} up`,
  moveDownWhat: (n) => `Move step ${n} down`,
  removeWhat: (n) => `Remove step ${n}`,
  addLabel: "Add a step",
  addChoose: "Choose a way to reach you",
  add: "Add this step",
  addNone: "Every way we can reach you is already in your steps.",
  addNoneWorking: "The other ways of reaching you do not work now, so they cannot be added.",
  noSteps: "Keep at least one step, or we cannot reach you.",
  save: "Save my steps",
  saved: "Saved. This is how we will reach you.",
  reset: "Back to the usual steps",
  resetTitle: "Go back to the usual steps?",
  resetBody: "Your own steps will be replaced by the usual ones. You can change them again at any time.",
  resetDone: "Done. We will use the usual steps.",
  cancel: "Back without saving",

  testTitle: "Test page",
  testIntro: "Send yourself a test page to check that we can reach you. It says no more than \"Test page\".",
  send: "Send me a test page",
  sending: "Sending…",
  tooMany: "You have sent a lot of test pages in the last hour. Please try again later.",
  lastTest: (sent) => `Your last test page was sent ${sent}.`,
  lastAnswered: (answered, via) => `You said it reached you ${answered}, ${how.via[via] || "in the app"}.`,
  lastNotAnswered: "Nobody said it reached you.",
  testSent: (sent) => `Test page sent ${sent}.`,
  didItReach: "Did the test page reach you?",
  waiting: "We are trying to reach you now, in the order of your steps.",
  reached: "It reached me",
  reachedDone: "Your pages reach you.",
  reachedAt: (answered, via) => `You said so ${answered}, ${how.via[via] || "in the app"}. Thank you.`,
  unanswered: "Nobody said this test page reached you, so your pages may not reach you.",
  unansweredDo: "Check that notifications and texts from Circle reach this phone, then send another test page.",
  sendAnother: "Send another test page",
  progressTitle: "What happened",
  nothingYet: "Nothing sent yet.",
  notFound: "This test page is not here. It may be someone else's, or too old.",
  delivery: {
    push: {
      sent: "Notification sent",
      queued: "Notification sent",
      delivered: "Notification delivered",
      failed: "Notification failed",
      skipped: "No notification: no phone has notifications on",
    },
    sms: {
      sent: "Text sent",
      queued: "Text sent",
      delivered: "Text delivered",
      failed: "Text failed",
      undelivered: "Text not delivered",
      skipped: "No text sent",
    },
    voice: {
      sent: "Call placed",
      queued: "Call placed",
      ringing: "Phone ringing",
      answered: "Call answered",
      completed: "Call ended",
      busy: "The line was busy",
      "no-answer": "Call not answered",
      failed: "Call failed",
      skipped: "No call made",
    },
  },
  deliveryFallback: (transport, status) => `${transport}: ${status}`,

  reachTitle: "Can we reach you?",
  reachable: "Yes. Nothing we know of stops your pages reaching you.",
};

// Each flag in plain words, with what to do (the service's own words if the
// app has none for a new code).
export const flagTexts = {
  test_page_overdue: {
    mine: "You have not said a test page reached you in the last month.",
    todo: "Send yourself a test page and say when it reaches you.",
    theirs: "Has not answered a test page in the last month",
  },
  test_page_unacknowledged: {
    mine: "Nobody said your last test page reached you.",
    todo: "Check that notifications and texts reach your phone, then send another test page.",
    theirs: "Did not answer their last test page",
  },
  no_working_channel: {
    mine: "We have no way to reach you that works.",
    todo: "Turn on notifications on your phone, and check your number can get texts.",
    theirs: "No way to reach them works",
  },
  pages_failing: {
    mine: "Your last pages did not reach you.",
    todo: "Send yourself a test page to check.",
    theirs: "Their last pages did not reach them",
  },
};

export const bannerTexts = {
  title: "Your pages may not reach you",
  why: (what) => `${what} We want to be sure we can reach you before your shift.`,
  link: "Send yourself a test page",
};

export const deskPagingTexts = {
  title: "Reaching peers",
  intro: "Peers whose pages are failing, or who may not get them, so you can help before their shift. Nobody sees what was sent: only whether it got through.",
  caption: "Peers whose pages may not reach them",
  allClear: "Everyone's pages are getting through.",
  colName: "Name",
  colWrong: "What is wrong",
  colFailure: "Last failed page",
  colTest: "Last test page answered",
  colShift: "Next shift",
  failures: (n) => (n === 1 ? "1 failed page in the last 7 days" : `${n} failed pages in the last 7 days`),
  failure: (transport, at) => `${transport}, ${at}`,
  never: "Never",
  noShift: "None planned",
  none: "—",
  transports: { push: "Notification", sms: "Text", voice: "Phone call" },
};
