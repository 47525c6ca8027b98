// The one module that owns the realtime stream (/ws/v1/), like Zulip's
// server_events.ts: the cursor (the last event seq this page has), reconnect
// with backoff, resync when the server says so, acks, and a dispatch table
// that hands each event to the data module of its topic.
//
// Its state is told honestly: "connecting" before the first hello, "live"
// while the socket is open and heard from, "reconnecting" when it dropped
// (screens then say that what they show may be out of date), "stopped"
// after sign-out.
import { post } from "./api.js";
import { changed } from "./store.js";

const handlers = new Map(); // event type -> [fn(event)]
const syncers = []; // fn(): reload everything over REST
let socket = null;
let cursor = null; // last seq applied; null until the first hello
let seen = new Set(); // event ids already applied (drop duplicates)
let attempt = 0;
let retryTimer = null;
let silenceTimer = null;
let heartbeat = 25;
let ackTimer = null;
let onSignedOutHandler = () => {};

export const status = { state: "stopped", since: Date.now() };

function setState(state) {
  if (status.state === state) return;
  status.state = state;
  status.since = Date.now();
  // Also on the page, for styles and for the browser tests to wait on.
  document.documentElement.dataset.realtime = state;
  changed();
}

// on("alert.status", fn): fn(event) for each new event of that type.
export function on(type, fn) {
  if (!handlers.has(type)) handlers.set(type, []);
  handlers.get(type).push(fn);
}

// onSync(fn): fn() reloads a topic over REST. Called after the first hello
// of a page and after resync_required (the cursor could not be resumed).
export function onSync(fn) {
  syncers.push(fn);
}

export function whenSignedOut(fn) {
  onSignedOutHandler = fn;
}

export function isLive() {
  return status.state === "live";
}

async function resync(lastSeq) {
  cursor = lastSeq;
  seen = new Set();
  await Promise.allSettled(syncers.map((fn) => fn()));
  changed();
}

function scheduleAck() {
  if (ackTimer) return;
  ackTimer = setTimeout(() => {
    ackTimer = null;
    send({ type: "ack", seq: cursor });
  }, 300);
}

export function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(frame));
    return true;
  }
  return false;
}

function expectBeat() {
  clearTimeout(silenceTimer);
  // Two heartbeats without a word: the connection is dead even if the
  // browser has not noticed (a phone in a tunnel). Start again.
  silenceTimer = setTimeout(() => socket && socket.close(), heartbeat * 2000 + 5000);
}

function apply(event) {
  if (seen.has(event.event_id) || (cursor !== null && event.seq <= cursor)) return;
  if (cursor !== null && event.seq > cursor + 1) {
    // A gap: something was missed. Reconnect from the cursor to get it.
    socket.close(4000, "gap");
    return;
  }
  seen.add(event.event_id);
  cursor = event.seq;
  for (const fn of handlers.get(event.type) || []) fn(event);
  scheduleAck();
  changed();
}

async function receive(message) {
  expectBeat();
  let frame;
  try {
    frame = JSON.parse(message.data);
  } catch {
    return;
  }
  if (frame.type === "hello") {
    heartbeat = frame.heartbeat_seconds || heartbeat;
    attempt = 0;
    if (cursor === null) await resync(frame.last_seq);
    setState("live");
    expectBeat();
  } else if (frame.type === "ping") {
    send({ type: "pong" });
  } else if (frame.type === "resync_required") {
    await resync(frame.last_seq);
  } else if (typeof frame.seq === "number" && frame.event_id) {
    apply(frame);
  } else {
    for (const fn of handlers.get(frame.type) || []) fn(frame);
    if (handlers.has(frame.type)) changed();
  }
}

async function open() {
  clearTimeout(retryTimer);
  retryTimer = null;
  let ticket;
  try {
    ticket = await post("auth/ws-ticket/");
  } catch (error) {
    if (error.status === 401) return stop(true);
    return retry();
  }
  const url = new URL(ticket.url, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  if (cursor !== null) url.searchParams.set("after", String(cursor));
  const ws = new WebSocket(url);
  socket = ws;
  ws.onmessage = (message) => socket === ws && receive(message);
  ws.onclose = (closed) => {
    if (socket !== ws) return;
    socket = null;
    clearTimeout(silenceTimer);
    if (closed.code === 4401) return stop(true);
    retry();
  };
}

function retry() {
  if (status.state === "stopped") return;
  setState(cursor === null ? "connecting" : "reconnecting");
  if (retryTimer) return;
  // 1 s, 2 s, 4 s ... up to 30 s, with jitter so a restart is not a stampede.
  const delay = Math.min(30000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
  attempt += 1;
  retryTimer = setTimeout(open, delay);
}

// Start (after sign-in). Reconnects at once when the phone comes back online
// or the screen wakes, rather than waiting out the backoff.
export function start() {
  if (status.state !== "stopped") return;
  setState("connecting");
  open();
}

export function stop(signedOut = false) {
  setState("stopped");
  clearTimeout(retryTimer);
  clearTimeout(silenceTimer);
  retryTimer = null;
  cursor = null;
  seen = new Set();
  const ws = socket;
  socket = null;
  if (ws) ws.close(1000);
  if (signedOut) onSignedOutHandler();
}

function wake() {
  if (status.state === "stopped" || (socket && socket.readyState <= WebSocket.OPEN)) return;
  attempt = 0;
  open();
}

addEventListener("online", wake);
addEventListener("offline", () => {
  if (status.state === "live") setState("reconnecting");
  if (socket) socket.close();
});
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && wake());
