// Conversations and their messages as the service tells them to this person:
// the list with unread counts (GET conversations/), each opened
// conversation's messages (oldest first, paged back with the cursor), what I
// am sending (an outbox kept in localStorage, so a message is never lost and
// a retry reuses its Idempotency-Key), who is typing, muting, deleting my
// own messages, and my blocks.
// message.new events carry no text: the text is fetched over REST.
import { get, getAll, post, put, del, newKey, ApiError } from "../api.js";
import { changed } from "../store.js";
import { on, onSync, send as sendFrame, isLive, status as realtimeStatus } from "../realtime.js";
import { session } from "./session.js";
import { networks } from "./networks.js";
import { alerts, isClosed } from "./alerts.js";
import * as drafts from "./drafts.js";

export const conversations = {
  list: null, // [conversation body], as GET conversations/ gave it, kept live
  error: null,
  byId: {}, // id -> conversation body (also ones opened by id)
  messages: {}, // id -> {items: [message], next: cursor url | null, loaded, error}
  outbox: {}, // id -> [{key, text, state: "sending" | "failed", error}]
  typing: {}, // id -> {personId: {name, until}}
  readBy: {}, // id -> {personId: read_through} from message.receipt events
  blocks: null, // [{person, created_at}]
  viewing: null, // the conversation on screen, if the page is visible
};

// What one person was told is never shown to the next one signed in on this
// page (sign-out clears storage, but not this module's memory).
let owner = null;
export function forThisPerson() {
  if (owner === me()) return;
  owner = me();
  Object.assign(conversations, { list: null, error: null, byId: {}, messages: {}, outbox: {}, typing: {}, readBy: {}, blocks: null });
}

const TYPING_SHOWN_MS = 5000; // docs/asyncapi.yaml: expire a start not heard again in ~5 s
const me = () => (session.person ? session.person.id : null);

export const draftKey = (id) => `conversation:${id}`;

export function unreadTotal() {
  forThisPerson();
  return (conversations.list || []).reduce((sum, c) => sum + (c.unread || 0), 0);
}

function alertOpen(conversation) {
  if (conversation.kind !== "alert") return false;
  const alert = alerts.byId[conversation.alert_id];
  return Boolean(alert) && !isClosed(alert);
}

// The alert conversation first while its alert is open, then the newest.
export function ordered() {
  const list = [...(conversations.list || [])];
  return list.sort((a, b) => Number(alertOpen(b)) - Number(alertOpen(a)) || b.last_order - a.last_order);
}

export function isClosedAlert(conversation) {
  if (!conversation || conversation.kind !== "alert") return false;
  const alert = alerts.byId[conversation.alert_id];
  return Boolean(alert) && isClosed(alert);
}

export const others = (conversation) => (conversation.people || []).filter((person) => person.id !== me());

function keep(conversation) {
  conversations.byId[conversation.id] = conversation;
  if (conversations.list) {
    const index = conversations.list.findIndex((c) => c.id === conversation.id);
    if (index >= 0) conversations.list[index] = conversation;
    else conversations.list.push(conversation);
  }
  changed();
  return conversation;
}

export async function load() {
  forThisPerson();
  try {
    const list = await getAll("conversations/");
    conversations.list = list;
    for (const conversation of list) conversations.byId[conversation.id] = conversation;
    conversations.error = null;
  } catch (error) {
    conversations.error = error;
  }
  changed();
}

export async function fetchOne(id) {
  return keep(await get(`conversations/${id}/`));
}

export const startDirect = async (personId) => keep(await post("conversations/direct/", { person_id: personId }));
export const groupOf = async (networkId) => keep(await get(`networks/${networkId}/conversation/`));

// --- messages -------------------------------------------------------------------

function thread(id) {
  return (conversations.messages[id] ||= { items: [], next: null, loaded: false, error: null });
}

function merge(id, incoming) {
  const box = thread(id);
  const byId = new Map(box.items.map((message) => [message.id, message]));
  for (const message of incoming) byId.set(message.id, { ...byId.get(message.id), ...message });
  box.items = [...byId.values()].sort((a, b) => a.order - b.order);
  const newest = box.items.length ? box.items[box.items.length - 1].order : 0;
  const conversation = conversations.byId[id];
  if (conversation && newest > conversation.last_order) conversation.last_order = newest;
}

const pathOf = (url) => {
  const parsed = new URL(url, location.origin);
  return parsed.pathname + parsed.search;
};

// The newest page of the history (the conversation body too).
export async function open(id) {
  forThisPerson();
  const box = thread(id);
  try {
    const [conversation, page] = await Promise.all([fetchOne(id), get(`conversations/${id}/messages/`)]);
    merge(id, page.results);
    box.next = page.next ? pathOf(page.next) : null;
    box.loaded = true;
    box.error = null;
    restoreOutbox(id);
    await markRead(conversation.id);
  } catch (error) {
    box.error = error;
  }
  changed();
}

export async function earlier(id) {
  const box = thread(id);
  if (!box.next) return;
  const page = await get(box.next);
  merge(id, page.results);
  box.next = page.next ? pathOf(page.next) : null;
  changed();
}

// Everything after the newest message this page has (catch-up and live).
const catchingUp = {};
async function catchUp(id) {
  if (catchingUp[id]) return (catchingUp[id].again = true);
  catchingUp[id] = { again: false };
  try {
    do {
      catchingUp[id].again = false;
      const box = thread(id);
      const newest = box.items.length ? box.items[box.items.length - 1].order : 0;
      merge(id, await getAll(`conversations/${id}/messages/?after=${newest}`));
      changed();
    } while (catchingUp[id].again);
    if (conversations.viewing === id) await markRead(id);
  } finally {
    delete catchingUp[id];
  }
}

// I have read everything up to the newest message (only while it is on screen).
export async function markRead(id) {
  const conversation = conversations.byId[id];
  if (!conversation || conversations.viewing !== id || document.visibilityState !== "visible") return;
  const newest = Math.max(conversation.last_order, ...thread(id).items.map((m) => m.order));
  if (newest <= conversation.read_through && !conversation.unread) return;
  conversation.read_through = Math.max(conversation.read_through, newest);
  conversation.unread = 0;
  changed();
  try {
    await post(`conversations/${id}/receipts/`, { read_through: newest });
  } catch {
    // Read receipts are a courtesy: the next look at the conversation sends it again.
  }
}

export function view(id) {
  conversations.viewing = id;
  if (id) markRead(id);
}

document.addEventListener("visibilitychange", () => {
  if (conversations.viewing && document.visibilityState === "visible") markRead(conversations.viewing);
});

// --- sending, with an outbox that survives a reload ----------------------------------

const OUTBOX = (id) => `outbox:${id}`;

function saveOutbox(id) {
  const items = (conversations.outbox[id] || []).map(({ key, text }) => ({ key, text }));
  drafts.save(OUTBOX(id), items.length ? JSON.stringify(items) : "");
}

function restoreOutbox(id) {
  if (conversations.outbox[id]) return;
  let saved = [];
  try {
    saved = JSON.parse(drafts.load(OUTBOX(id)) || "[]");
  } catch {
    saved = [];
  }
  conversations.outbox[id] = [];
  // Sent again with the same key: if the service already has it, it answers
  // with that message rather than making a second one.
  for (const item of saved) deliver(id, { ...item, state: "sending", error: null });
}

export function send(id, text) {
  deliver(id, { key: newKey(), text, state: "sending", error: null });
  drafts.clear(draftKey(id));
  typingStopped(id);
}

export function retry(id, key) {
  const item = (conversations.outbox[id] || []).find((entry) => entry.key === key);
  if (item) deliver(id, item);
}

async function deliver(id, item) {
  const box = (conversations.outbox[id] ||= []);
  if (!box.includes(item)) box.push(item);
  item.state = "sending";
  item.error = null;
  saveOutbox(id);
  changed();
  try {
    const message = await post(`conversations/${id}/messages/`, { text: item.text }, { key: item.key });
    conversations.outbox[id] = box.filter((entry) => entry !== item);
    saveOutbox(id);
    merge(id, [message]);
    const conversation = conversations.byId[id];
    if (conversation) {
      // Sending reads everything above it (docs/messaging.md).
      conversation.read_through = Math.max(conversation.read_through, message.order);
      conversation.unread = 0;
    }
  } catch (error) {
    item.state = "failed";
    item.error = error instanceof ApiError ? error : new ApiError({ status: 0, code: "offline" });
    if (error.status === 422 && error.code === "idempotency_key_reused") item.key = newKey();
  }
  changed();
}

// No signal, busy, our fault: the same message may go through later. A
// refusal (closed, blocked, too long) will not, so it is removed instead.
export const worthRetrying = (error) => !error || error.offline || error.status === 429 || error.status >= 500;

export function discard(id, key) {
  conversations.outbox[id] = (conversations.outbox[id] || []).filter((entry) => entry.key !== key);
  saveOutbox(id);
  changed();
}

// --- muting and deleting ----------------------------------------------------------

// The app never offers to mute the alert conversation: while an alert is
// open, a word from the member or the peer must always reach the other's phone.
export const canMute = (conversation) => conversation.kind !== "alert";

// Muted: no push or SMS for it; its messages still come in while the app is
// open. PUT and DELETE are idempotent here, so the key only lets api.js send
// them again after a dropped connection.
export async function mute(id, muted) {
  const answer = await put(`conversations/${id}/mute/`, { muted }, { key: newKey() });
  const conversation = conversations.byId[id];
  if (conversation) Object.assign(conversation, { muted: answer.muted, muted_until: answer.muted_until });
  changed();
  return answer;
}

// Removed for everyone: the others' pages hear it as message.deleted.
export async function deleteMessage(id, messageId) {
  await del(`conversations/${id}/messages/${messageId}/`, { key: newKey() });
  const message = thread(id).items.find((m) => m.id === messageId);
  if (message) Object.assign(message, { deleted: true, text: null });
  changed();
}

// --- typing, sent sparingly ----------------------------------------------------

const typingSent = {}; // id -> {at, timer}
const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 4000;

export function typingNow(id) {
  const state = (typingSent[id] ||= { at: 0, timer: null });
  if (Date.now() - state.at > TYPING_REPEAT_MS) {
    if (sendFrame({ type: "typing", conversation_id: id, state: "start" })) state.at = Date.now();
  }
  clearTimeout(state.timer);
  state.timer = setTimeout(() => typingStopped(id), TYPING_IDLE_MS);
}

export function typingStopped(id) {
  const state = typingSent[id];
  if (!state) return;
  clearTimeout(state.timer);
  delete typingSent[id];
  if (state.at) sendFrame({ type: "typing", conversation_id: id, state: "stop" });
}

export function typingNames(id) {
  const now = Date.now();
  return Object.values(conversations.typing[id] || {})
    .filter((entry) => entry.until > now)
    .map((entry) => entry.name);
}

const expiry = {};
on("typing", (frame) => {
  const id = frame.conversation_id;
  if (!frame.person || frame.person.id === me()) return;
  const typing = (conversations.typing[id] ||= {});
  if (frame.state === "start") typing[frame.person.id] = { name: frame.person.display_name, until: Date.now() + TYPING_SHOWN_MS };
  else delete typing[frame.person.id];
  clearTimeout(expiry[id]);
  expiry[id] = setTimeout(changed, TYPING_SHOWN_MS + 50);
});

// --- receipts: "Seen" -------------------------------------------------------------

// Whether everyone else has read my message (server status, then live receipts).
export function seenByOthers(conversation, message) {
  if (message.status === "read") return true;
  const people = others(conversation);
  const marks = conversations.readBy[conversation.id] || {};
  return people.length > 0 && people.every((person) => (marks[person.id] || 0) >= message.order);
}

on("message.receipt", (event) => {
  const data = event.data;
  const marks = (conversations.readBy[data.conversation_id] ||= {});
  marks[data.person.id] = Math.max(marks[data.person.id] || 0, data.read_through);
});

// --- live ---------------------------------------------------------------------------

on("message.new", (event) => {
  const data = event.data;
  const conversation = conversations.byId[data.conversation_id];
  if (!conversation) {
    load();
    return;
  }
  const fromOther = data.author && data.author.id !== me();
  delete (conversations.typing[data.conversation_id] || {})[data.author && data.author.id];
  if (data.order > conversation.last_order) {
    conversation.last_order = data.order;
    if (fromOther && data.order > conversation.read_through) conversation.unread = (conversation.unread || 0) + 1;
  }
  if (conversations.messages[data.conversation_id]?.loaded) catchUp(data.conversation_id).catch(() => {});
});

on("message.deleted", (event) => {
  const data = event.data;
  const box = conversations.messages[data.conversation_id];
  const message = box && box.items.find((m) => m.id === data.message_id);
  if (message) Object.assign(message, { deleted: true, text: null });
  const conversation = conversations.byId[data.conversation_id];
  if (conversation && conversation.unread && data.order > conversation.read_through) conversation.unread -= 1;
});

on("conversation.added", () => load());

// After a reconnect that could not resume: the list, and whatever is open.
onSync(async () => {
  await load();
  await Promise.allSettled(
    Object.keys(conversations.messages)
      .filter((id) => conversations.messages[id].loaded)
      .map((id) => catchUp(id)),
  );
});
// Home may load this module after the first hello: then load now.
if (isLive() || realtimeStatus.state === "reconnecting") load();

// --- people, blocks, reports ---------------------------------------------------------

// Everyone who shares a network with me (from each network's members list).
export async function fellowMembers() {
  const list = networks.list || [];
  const pages = await Promise.all(list.map((network) => getAll(`networks/${network.id}/members/`)));
  const people = new Map();
  pages.forEach((members, index) => {
    for (const member of members) {
      if (member.person_id === me()) continue;
      const entry = people.get(member.person_id) || { id: member.person_id, display_name: member.display_name, networks: [] };
      entry.networks.push(list[index].name);
      people.set(member.person_id, entry);
    }
  });
  return [...people.values()].sort((a, b) => a.display_name.localeCompare(b.display_name));
}

export async function loadBlocks() {
  conversations.blocks = await getAll("blocks/");
  changed();
  return conversations.blocks;
}

export const isBlocked = (personId) => (conversations.blocks || []).some((block) => block.person.id === personId);

export async function block(personId) {
  const made = await post("blocks/", { person_id: personId });
  conversations.blocks = [made, ...(conversations.blocks || []).filter((b) => b.person.id !== personId)];
  changed();
  return made;
}

export async function unblock(personId) {
  await del(`blocks/${personId}/`);
  conversations.blocks = (conversations.blocks || []).filter((b) => b.person.id !== personId);
  changed();
}

export const report = (conversationId, messageId, reason) =>
  post(`conversations/${conversationId}/messages/${messageId}/report/`, { reason });
