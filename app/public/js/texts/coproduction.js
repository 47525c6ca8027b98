// Co-production (issue 16): the network's own rules, proposals and votes,
// how the network is doing (the report), and the monthly pulse question.
// Plain words: the rules are the members' own, said as they work.
import { when } from "./common.js";

const plural = (n, one, many) => (n === 1 ? `1 ${one}` : `${n} ${many}`);

export const duration = (seconds) => {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 60) return plural(seconds, "second", "seconds");
  const minutes = Math.round(seconds / 6) / 10;
  if (seconds < 3600) return Number.isInteger(minutes) ? plural(minutes, "minute", "minutes") : `${minutes} minutes`;
  const hours = Math.round(seconds / 360) / 10;
  return Number.isInteger(hours) ? plural(hours, "hour", "hours") : `${hours} hours`;
};

const day = (iso) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });

export const audiences = {
  on_call: "the people on call",
  available_members: "members who said they are free",
  navigators_and_staff: "the navigators and staff",
};
export const audienceOptions = {
  on_call: "People on call",
  available_members: "Members who said they are free",
  navigators_and_staff: "Navigators and staff",
};

export const rules = {
  title: "Our rules",
  intro: "These are the network's own rules. Any member can propose a change, and members vote on it.",
  link: "Our rules",
  navLabel: "The network is ours",
  linkHint: "How the network works, and changes members have proposed",
  houseTitle: "Our house rules",
  houseNone: "The network has not written house rules yet.",
  settingsTitle: "How the service works for us",
  version: (n) => (n ? `This is version ${n} of our rules.` : "These are the rules the network started with."),
  // Settings in plain words (name -> sentence); others are said from their label.
  stepFirst: (who) => `An alert goes first to ${who}.`,
  stepThen: (minutes, who) => `If nobody takes it in ${minutes}, it goes to ${who}.`,
  stepLast: "They are asked again until someone takes it.",
  sizeCap: (n) => `The network aims to stay at ${n} people or fewer, so everyone knows each other.`,
  quorum: (n) => `A vote counts only if at least ${n}% of members take part.`,
  majority: (n) => `A change passes with more than ${n}% of the votes saying yes.`,
  firstContact: (d) => `Whoever takes an alert should be in touch within ${d}.`,
  directMessages: (on) =>
    on ? "Members can send each other direct messages." : "Members cannot start direct messages with each other.",
  perShift: (n) => `Someone on call is offered at most ${plural(n, "alert", "alerts")} in one shift.`,
  planGrace: (n) =>
    n
      ? `A peer who took an alert can still read the parts of the member's plan they share for ${plural(n, "hour", "hours")} after it closes.`
      : "A peer who took an alert stops reading the member's plan as soon as it closes.",
  retention: (n) => `Messages in the network's conversations are kept for ${plural(n, "day", "days")}, then deleted.`,
  quietHours: (range) =>
    range
      ? `Members who have not set quiet hours of their own are not asked to help from ${range.start} to ${range.end}.`
      : "There are no network quiet hours: members set their own.",
  // What each setting means, in a member's words (the service's own help is used for others).
  hints: {
    escalation_steps: "Who is asked, in turn, when someone asks for support, and how long each is given.",
    size_cap: "How many people the network aims to stay under, so everyone knows each other.",
    first_contact_seconds: "How soon the person who takes an alert should get in touch.",
    direct_messages: "Whether members can message each other one to one.",
    max_alerts_per_shift: "The most alerts someone on call is offered in one shift.",
    default_quiet_hours: "Hours when members who set none of their own are not asked to help.",
    vote_quorum_percent: "How many members must vote for a vote to count.",
    vote_majority_percent: "How many of the votes must say yes for a change to pass.",
    plan_grace_hours: "How long a peer can still read the shared parts of a plan after an alert.",
    message_retention_days: "How long messages are kept.",
  },
  generic: (label, value) => `${label}: ${value}`,
  on: "on",
  off: "off",
  none: "none",
  range: (start, end) => `from ${start} to ${end}`,
  floorTitle: "What no vote can change",
  floorIntro: "Some things keep everyone safe, so they are set for the whole service:",
  floor: {
    last_step_audience: () => "There is always a last step that reaches the navigators and staff.",
    min_wait_seconds: (v) => `Every wait is at least ${duration(v)}.`,
    max_wait_seconds: (v) => `Every wait is at most ${duration(v)}.`,
    max_steps: (v) => `An alert passes through at most ${v} steps.`,
    emergency_routes_locked: (v) => (v ? "The emergency numbers are always shown." : null),
    max_quiet_hours: (v) => `Network quiet hours cover at most ${plural(v, "hour", "hours")} of the day.`,
  },
  openTitle: "Open for votes",
  openNone: "Nothing is open for votes just now.",
  closedTitle: "Decided",
  waitingTitle: "Waiting for a facilitator",
  historyTitle: "Changes so far",
  historyNone: "No changes yet.",
  historyItem: (version, date) => `Version ${version}, in effect from ${date}`,
  propose: "Propose a change",
  loadFailed: "The rules could not be loaded.",
  facilitatorTitle: "For facilitators",
  seeProposal: (what) => `Read and vote: ${what}`,
  readProposal: (what) => `Read more: ${what}`,
};

export const proposal = {
  title: "A proposed change",
  notFound: "This proposal is not here, or you can no longer see it.",
  whatTitle: "What would change",
  before: "Now",
  after: "Would become",
  afterApplied: "Became",
  beforeApplied: "Before",
  houseRules: "The house rules",
  houseNew: "New house rules",
  reasonTitle: "Why",
  proposedBy: (who, date) => (who ? `Proposed by ${who} on ${date}` : `Proposed on ${date}`),
  someone: "a former member",
  discussion: "Talk about it with the network",
  states: {
    open: (closes) => `Open for votes until ${when.at(new Date(closes))}.`,
    passed: "Passed. A facilitator will ratify it or send it back.",
    failed_no_quorum: "Not enough members voted, so nothing changed.",
    rejected: "Voted down, so nothing changed.",
    ratified: "Ratified.",
    sent_back: "Sent back by a facilitator, so nothing changed.",
    applied: (date) => `In effect since ${date}.`,
    closing: "Voting has ended. The votes are being counted.",
  },
  stateShort: {
    open: "Open for votes",
    passed: "Passed",
    failed_no_quorum: "No quorum",
    rejected: "Voted down",
    ratified: "Ratified",
    sent_back: "Sent back",
    applied: "In effect",
  },
  countsTitle: "The vote",
  counts: (yes, no, abstain) => `Yes: ${yes}. No: ${no}. Abstain: ${abstain}.`,
  eligible: (n) => `${plural(n, "member", "members")} could vote.`,
  rule: (quorum, majority) =>
    `It needs at least ${quorum}% of members to vote, and more than ${majority}% of the votes to say yes.`,
  voteTitle: "Your vote",
  voteOnce: "You can vote once. You cannot change your vote afterwards.",
  choices: { yes: "Yes", no: "No", abstain: "Abstain" },
  voteButton: { yes: "Vote yes", no: "Vote no", abstain: "Abstain" },
  voted: { yes: "You voted yes.", no: "You voted no.", abstain: "You abstained." },
  votedThanks: "Thank you for voting.",
  decidedBy: (who, date) => (who ? `Decided by ${who} on ${date}` : `Decided on ${date}`),
  theirReason: "The facilitator said:",
  ratify: "Ratify this change",
  ratifyTitle: "Ratify this change?",
  ratifyBody: "It takes effect at once, from the next alert on. Alerts already running keep the old rules.",
  ratified: "Ratified. The change is in effect.",
  sendBack: "Send it back",
  sendBackLabel: "Why are you sending it back?",
  sendBackHint: "The members will read this.",
  sendBackMissing: "Say why you are sending it back",
  sentBack: "Sent back. The members can read your reason.",
  facilitatorIntro: "The members voted for this. Ratify it, or send it back with a reason.",
  version: (n) => `This made version ${n} of the rules.`,
};

export const propose = {
  title: "Propose a change",
  intro: "Pick one thing to change. Members will vote on it, and a facilitator ratifies what passes.",
  whatLegend: "What would you like to change?",
  houseRules: "Our house rules",
  houseRulesHint: "The network's own written rules",
  pickMissing: "Choose what you would like to change",
  next: "Continue",
  valueTitle: (label) => `Change: ${label}`,
  nowTitle: "Now:",
  choiceMissing: "Choose one",
  newValue: "What should it be?",
  yesOn: "Yes, on",
  noOff: "No, off",
  between: (min, max, unit) => `Between ${min} and ${max}${unit ? ` ${unit}` : ""}.`,
  atLeast: (min, unit) => `At least ${min}${unit ? ` ${unit}` : ""}.`,
  atMost: (max, unit) => `At most ${max}${unit ? ` ${unit}` : ""}.`,
  numberMissing: "Enter a whole number",
  stepsLegend: "Who is asked, in order, and for how long",
  step: (n) => `Step ${n}`,
  stepWho: (n) => `Step ${n}: who is asked?`,
  stepWait: (n) => `Step ${n}: for how many seconds?`,
  stepWaitHint: "60 seconds is one minute.",
  addStep: "Add a step",
  removeStep: (n) => `Remove step ${n}`,
  rangeOn: "Set quiet hours",
  rangeOff: "No quiet hours",
  rangeStart: "From",
  rangeEnd: "Until",
  rangeMissing: "Enter both times",
  houseLabel: "The new house rules",
  houseHint: "Write the whole text as it should read. It replaces what is there now.",
  reasonLabel: "Why should it change?",
  reasonHint: "Members read this before they vote.",
  reasonMissing: "Say why it should change",
  votingHint: (days) => `Members can vote for ${days} days.`,
  send: "Propose this change",
  sentFlash: "Your proposal is open for votes.",
  draftKept: "What you type is kept on this phone until you send it.",
  unknown: "This cannot be proposed here.",
};

export const report = {
  title: "How we're doing",
  link: "How we're doing",
  linkHint: "What happened in the network, month by month",
  intro: "What happened in the network. Small numbers are hidden so nobody's crisis can be worked out.",
  periodLabel: "Which month or quarter?",
  show: "Show",
  period: (label) => `Showing: ${label}`,
  soFar: "This period is not over yet: these are the figures so far.",
  fewer: (n) => `fewer than ${n}`,
  notEnough: "not enough alerts to say",
  tooFew: "There are too few to draw a chart. The table says what there is.",
  csv: "Download as CSV",
  csvHint: "The same figures, for a spreadsheet.",
  alertsTitle: "Alerts",
  raised: "Alerts raised",
  cancelled: "Alerts cancelled",
  takenTitle: "Who took the alerts",
  takenBy: { peer: "Peers", navigator: "Navigators", staff: "Staff", not_taken: "Not taken" },
  share: (p) => `${Math.round(p * 100)}%`,
  takenChart: "Chart of who took the alerts. The same figures are in the table.",
  timesTitle: "How long it took",
  timesIntro: "Half of the alerts were quicker than the middle time. Nine in ten were quicker than the slow time.",
  times: { to_first_offer: "Until someone was asked", to_taken: "Until someone took it", to_first_contact: "Until first contact" },
  p50: "Middle time",
  p90: "Slow time (9 in 10)",
  timesChart: "Chart of how long it took, in minutes. The same figures are in the table.",
  minutesAxis: "minutes",
  outcomesTitle: "What the debriefs say",
  outcomes: {
    avoided: "A&E or a 999 call avoided",
    needed: "A&E or a 999 call needed",
    none_recorded: "Neither recorded",
  },
  outcomesChart: "Chart of what the debriefs say. The same figures are in the table.",
  followUps: "Follow-ups done",
  gapHours: (h) => `Hours with nobody on call: ${Math.round(h * 10) / 10}`,
  evenness: (g) =>
    g === null || g === undefined
      ? null
      : g < 0.2
        ? "The load is shared evenly between peers."
        : g < 0.4
          ? "The load is shared fairly evenly between peers."
          : "A few peers are doing most of it.",
  figure: "Figure",
  number: "Number",
  shareCol: "Share",
  rotaTitle: "Sharing the load",
  peersTitle: "Each peer's load",
  peersIntro: "Only navigators and facilitators see this.",
  peer: "Peer",
  offers: "Asked",
  takes: "Took",
  hours: "Hours on call",
  pulseTitle: "What members say",
  pulseNone: "No pulse question was asked in this period.",
  pulseAnswered: (text) => `Members who answered: ${text}`,
  pulseAverage: (a) => `Average: ${Math.round(a * 10) / 10} out of 5`,
  pulseScale: "Answer",
  pulseCount: "Members",
  pulseChart: "Chart of the answers. The same figures are in the table.",
  pulseWritten: (text) => `Members who wrote something: ${text}`,
  pulseWords: "What they wrote (without names)",
  pulseWordsHidden: "What members write is shared only with navigators and facilitators, without names.",
};

export const pulse = {
  cardTitle: "How is it going?",
  scaleLegend: (question) => question,
  scaleEnd: (value, label) => `${value} – ${label}`,
  wordsLabel: "Anything you'd like to add? (optional)",
  privacy:
    "Your answer is counted with everyone else's. Nobody sees your name next to it. Your words are shared without your name, and only when at least 5 people have answered. Only navigators and facilitators read the words.",
  send: "Send my answer",
  scaleMissing: "Choose a number from 1 to 5",
  thanks: "Thank you. Your answer is in.",
  answered: (date) => `You answered this month's question on ${date}. Thank you.`,
  manageTitle: "The pulse question",
  manageIntro: "One short question members are asked each month, with a scale from 1 to 5.",
  manageNone: "There is no pulse question now.",
  manageNow: (text) => `Now: "${text}"`,
  textLabel: "The question",
  textHint: "For example: How has the network been for you this month?",
  lowLabel: "What does 1 mean?",
  lowHint: "For example: Not good",
  highLabel: "What does 5 mean?",
  highHint: "For example: Really good",
  textMissing: "Write the question",
  labelMissing: "Write what the ends of the scale mean",
  save: "Save the question",
  saved: "The question is saved. Members see it on the network page.",
  turnOff: "Turn the question off",
  turnOffTitle: "Turn the pulse question off?",
  turnOffBody: "Members will not be asked it any more. Answers already given stay in the reports.",
  turnedOff: "The pulse question is off.",
};

export const dates = { day };
