// Alerts as the service tells them to this person: the one they raised (the
// member's side), the ones offered to them and the one they hold (the peer's
// side). REST gives the state on load; alert.* events keep it live.
import { get, getAll, post, newKey, ApiError } from "../api.js";
import { changed } from "../store.js";
import { on, onSync, isLive } from "../realtime.js";
import { session } from "./session.js";

const QUEUE = "queued-alert"; // localStorage key of an alert waiting for signal

export const alerts = {
  byId: {}, // id -> the REST body, kept up to date by events
  withdrawn: {}, // id -> why an offer to me ended ("taken", "cancelled", ...)
  reminders: {}, // id -> returns_at, for the alert I hold
  loaded: false,
  error: null,
  queued: readQueue(), // an alert raised with no signal, waiting to be sent
};

const CLOSED = new Set(["resolved", "cancelled"]);
const me = () => (session.person ? session.person.id : null);

export const isClosed = (alert) => CLOSED.has(alert.state);
export const isMine = (alert) => alert.member && alert.member.id === me();
export const iHold = (alert) => alert.taken_by && alert.taken_by.id === me() && !isMine(alert);

// My own alert that is not over yet (at most one: raising again returns it).
export function myOpenAlert() {
  return Object.values(alerts.byId).find((alert) => isMine(alert) && !isClosed(alert)) || null;
}

// An offer waiting for my answer: an open alert nobody has taken, or one its
// holder asks me to take over (a hand-over: the alert is taken meanwhile).
export function isOfferedToMe(alert) {
  const offer = alert.my_offer;
  if (!offer || offer.state !== "pending" || alerts.withdrawn[alert.id]) return false;
  return alert.state === "open" || (alert.state === "taken" && offer.kind === "handover");
}

export function pendingOffers() {
  return Object.values(alerts.byId).filter(isOfferedToMe);
}

export function heldByMe() {
  return Object.values(alerts.byId).filter((alert) => iHold(alert) && alert.state === "taken");
}

function keep(alert) {
  alerts.byId[alert.id] = alert;
  changed();
  return alert;
}

export async function load() {
  try {
    const list = await getAll("alerts/");
    const fresh = {};
    for (const alert of list.slice(0, 50)) fresh[alert.id] = alert;
    alerts.byId = fresh;
    alerts.loaded = true;
    alerts.error = null;
  } catch (error) {
    alerts.error = error;
  }
  changed();
}

export async function fetchOne(id) {
  try {
    return keep(await get(`alerts/${id}/`));
  } catch (error) {
    if (error.status === 404) {
      delete alerts.byId[id];
      changed();
    }
    throw error;
  }
}

// --- raising, with a queue for when there is no signal ---------------------

function readQueue() {
  try {
    return JSON.parse(localStorage.getItem(QUEUE) || "null");
  } catch {
    return null;
  }
}

function writeQueue(value) {
  alerts.queued = value;
  try {
    if (value) localStorage.setItem(QUEUE, JSON.stringify(value));
    else localStorage.removeItem(QUEUE);
  } catch {
    // storage blocked: the queue lives in memory for this page
  }
  changed();
}

// Raise an alert. The Idempotency-Key is made once and kept with the queued
// request, so however often it is sent (retries, reconnects, two tabs) the
// service makes one alert. Resolves to the alert, or to null when it was
// queued because the phone is offline.
export async function raise({ message = "", urgency = "urgent", location = null, networkId = null }) {
  const body = { message, urgency, location, all_networks: networkId === null };
  if (networkId !== null) body.network_id = networkId;
  writeQueue({ key: newKey(), body, queued_at: Date.now() });
  return flushQueue();
}

let flushing = null;

export function flushQueue() {
  if (!alerts.queued) return Promise.resolve(null);
  if (!flushing) {
    flushing = sendQueued().finally(() => {
      flushing = null;
    });
  }
  return flushing;
}

async function sendQueued() {
  const queued = alerts.queued;
  try {
    const alert = await post("alerts/", queued.body, { key: queued.key, retries: 1 });
    writeQueue(null);
    return keep(alert);
  } catch (error) {
    if (error instanceof ApiError && (error.offline || error.status === 503 || error.status >= 500)) {
      alerts.queued = { ...queued, failed_at: Date.now() };
      changed();
      return null; // still queued: sent again when the phone is back
    }
    writeQueue(null); // the service refused it: say why, do not retry forever
    throw error;
  }
}

addEventListener("online", () => flushQueue());
setInterval(() => {
  if (alerts.queued && (navigator.onLine || isLive())) flushQueue();
}, 5000);

export async function cancel(id) {
  return keep(await post(`alerts/${id}/cancel/`, {}));
}

// --- the peer's side ---------------------------------------------------------

export async function accept(id) {
  try {
    return keep(await post(`alerts/${id}/accept/`, {}));
  } catch (error) {
    if (error.status === 409 || error.status === 404) {
      alerts.withdrawn[id] = "taken";
      changed();
    }
    throw error;
  }
}

export async function decline(id, reason = "") {
  const alert = keep(await post(`alerts/${id}/decline/`, { reason }));
  return alert;
}

// The parts of the member's plan the holder may read, fetched each time and
// never kept on this phone (the holder's access ends with the alert).
export const planForHolder = (planId) => get(`plans/${planId}/`);

// Whom the holder may hand over to: the network's other members (the service
// refuses anyone the member excluded, with handover_not_allowed).
export async function handOverCandidates(alert) {
  const members = await getAll(`networks/${alert.network.id}/members/`);
  return members.filter((m) => m.person_id !== (alert.member && alert.member.id) && m.person_id !== alert.taken_by.id);
}

export const confirmContact = async (id) => keep(await post(`alerts/${id}/contact/`, {}));
export const handOver = async (id, personId) => keep(await post(`alerts/${id}/hand-over/`, { person_id: personId }));
export const resolve = async (id, debrief) => keep(await post(`alerts/${id}/resolve/`, { debrief }));

// --- live --------------------------------------------------------------------

on("alert.offered", (event) => {
  delete alerts.withdrawn[event.data.alert_id];
  fetchOne(event.data.alert_id).catch(() => {});
});

on("alert.withdrawn", (event) => {
  alerts.withdrawn[event.data.alert_id] = event.data.reason;
  const alert = alerts.byId[event.data.alert_id];
  if (alert && alert.my_offer) alert.my_offer = { ...alert.my_offer, state: "withdrawn" };
});

on("alert.status", (event) => {
  const data = event.data;
  const alert = alerts.byId[data.alert_id];
  if (!alert) {
    fetchOne(data.alert_id).catch(() => {});
    return;
  }
  const before = alert.taken_by && alert.taken_by.id;
  Object.assign(alert, {
    state: data.state,
    stage: data.stage,
    step: data.step,
    offered_count: data.offered_count,
    taken_by: data.taken_by,
    staff_told: data.staff_told,
    staff_unreachable: data.staff_unreachable,
    emergency_routes: data.emergency_routes,
    first_contact_at: data.first_contact_at,
  });
  // Taken (or handed over): fetch again for the conversation and the timer.
  if ((data.taken_by && data.taken_by.id) !== before || data.stage === "taken") fetchOne(data.alert_id).catch(() => {});
});

on("alert.reminder", (event) => {
  alerts.reminders[event.data.alert_id] = event.data.returns_at;
});

onSync(load);
