// The words of the messages and check-ins screens.
export const list = {
  title: "Messages",
  yours: "Your conversations",
  none: "You have no conversations yet.",
  unread: (n) => (n === 1 ? "1 new message" : `${n} new messages`),
  noMessages: "No messages yet",
  lastAt: (time) => `Last message ${time}`,
  alertOpen: "Your support conversation",
  alertOpenPeer: "The alert you are helping with",
  start: "Message someone in your network",
  groups: "Your groups",
  groupLink: (network) => `${network} group`,
  checkIns: "Check-ins",
  blocked: "People you have blocked",
  opening: "Opening…",
};

export const titles = {
  direct: (name) => `Messages with ${name}`,
  alert: (names) => (names ? `Support conversation with ${names}` : "Support conversation"),
  group: (network) => `${network} group`,
  proposal: (network) => `${network}: talking about a proposed change`,
  nobody: "a deleted account",
  and: (names) => (names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`),
};

export const kinds = {
  direct: "Just the two of you",
  alert: "You and the people helping with the alert",
  group: "Everyone in the network can read this",
  proposal: "Everyone in the network can read this and vote on the change",
};

export const conversation = {
  readProposal: "Read the proposal and vote",
  earlier: "Show earlier messages",
  empty: "No messages yet. You could say hello.",
  you: "You",
  deletedAccount: "a deleted account",
  deletedAccountText: "The words went when the account was deleted.",
  deletedMessage: "This message was deleted.",
  checkIn: (name) => `${name} is thinking of you.`,
  checkInLabel: "Check-in",
  followUpLabel: "Follow-up check-in",
  sending: "Sending…",
  notSent: "Not sent",
  tryAgain: "Try again",
  remove: "Remove it",
  seen: "Seen",
  report: "Report",
  reportLabel: (name) => `Report this message from ${name}`,
  composeLabel: "Your message",
  composeHint: "Press Enter to send. Shift and Enter starts a new line.",
  send: "Send",
  tooLong: (max) => `Your message is too long. Please keep it under ${max} characters.`,
  writeFirst: "Write a message first.",
  typing: (names) => (names.length === 1 ? `${names[0]} is typing…` : `${titles.and(names)} are typing…`),
  closed: "This alert has closed. You can still read this conversation, but not add to it.",
  cannotSend: "You cannot send messages here. One of you may have turned off direct messages or blocked the other.",
  youBlocked: (name) => `You have blocked ${name}. Neither of you can send direct messages to the other.`,
  more: "More options",
  notifications: "Notifications",
  muted: "Muted",
  muteBody:
    "If you mute this conversation, your phone will not get a notification or a text message when someone writes here. " +
    "You will still see new messages when you open the app.",
  mutedBody:
    "This conversation is muted. Your phone will not get a notification or a text message when someone writes here. " +
    "You will still see new messages when you open the app.",
  mute: "Mute this conversation",
  unmute: "Unmute this conversation",
  mutedNow: "Muted. You will not be told about new messages here.",
  unmutedNow: "Unmuted. Your phone will tell you about new messages here again.",
  alertNoMute: "You cannot mute a support conversation. This way you always know when someone writes about the alert.",
  delete: "Delete",
  deleteLabel: (time) => `Delete the message you sent at ${time}`,
  deleteTitle: "Delete this message?",
  deleteBody:
    "It will be removed for everyone in this conversation. They will see “This message was deleted.” instead. " +
    "You cannot undo this.",
  deleteConfirm: "Yes, delete it",
  deletedNow: "Your message was deleted for everyone.",
  blocking: "Blocking",
  block: (name) => `Block ${name}`,
  blockTitle: (name) => `Block ${name}?`,
  blockBody: (name) =>
    `Neither of you will be able to send the other direct messages or check-ins. ${name} is not told. ` +
    "You will still both be in your network's group and its alerts. You can unblock at any time.",
  blockConfirm: "Yes, block",
  blocked: (name) => `You have blocked ${name}.`,
  unblock: (name) => `Unblock ${name}`,
};

export const report = {
  title: "Report a message",
  intro: (network) =>
    `The facilitators of ${network} will see this message and that you reported it. They decide what to do. ` +
    "The person who wrote it is not told who reported it.",
  reasonLegend: "What is wrong with it?",
  reasons: {
    unkind: "It is unkind or abusive",
    unsafe: "I'm worried about someone's safety",
    spam: "It is spam",
    other: "Something else",
  },
  chooseReason: "Choose what is wrong with it",
  send: "Report it",
  confirmTitle: "Report this message?",
  confirmBody: (network) => `The facilitators of ${network} will see the message and that you reported it.`,
  confirm: "Yes, report it",
  done: "Thank you. The facilitators have been told.",
  unsafeNow: "If someone is in danger now, call 999.",
  gone: "This message is not here any more.",
  backTo: "Back to the conversation",
};

export const blocks = {
  title: "People you have blocked",
  intro: "You and the people here cannot send each other direct messages or check-ins.",
  none: "You have not blocked anyone.",
  unblock: (name) => `Unblock ${name}`,
  unblocked: (name) => `You have unblocked ${name}. You can send each other messages again.`,
};

export const people = {
  title: "Message someone",
  legend: "Who do you want to message?",
  none: "There is nobody else in your networks yet.",
  inNetwork: (networks) => `In ${networks}`,
  open: "Open the conversation",
  choose: "Choose who to message",
};

export const checkIns = {
  title: "Check-ins",
  intro: "A check-in is a short message to say you are thinking of someone.",
  send: "Send a check-in",
  dueTitle: "Check-ins you were asked to do",
  dueIntro: "After an alert, the member asked for someone to check in with them later.",
  due: (name, time) => `Check in with ${name} (due ${time})`,
  done: (name) => `You checked in with ${name}. Thank you.`,
  noneDue: "There are no check-ins for you to do.",
  whoLegend: "Who do you want to check in with?",
  choose: "Choose who to check in with",
  wordsLabel: "Add a few words (you don't have to)",
  wordsHint: "If you leave this empty, they will see that you are thinking of them.",
  sendButton: "Send check-in",
  sent: (name) => `Your check-in was sent to ${name}.`,
  followUpTitle: (name) => `Check in with ${name}`,
  followUpLabel: "What would you like to say?",
  followUpHint: "It is sent in your messages with them.",
  followUpMissing: "Write a few words to send",
  followUpSend: "Send",
  alreadyDone: "This check-in has already been sent.",
};
