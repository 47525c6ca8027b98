// The desk's alert board (issue 15), as the service shows it to a network's
// navigators and facilitators: its open and closed alerts
// (GET networks/<id>/alerts/?state=open|closed: whom each was offered to and
// their answer, who holds it, the debriefs' outcomes, never the member's
// words or location), whether each of my desk networks can reach someone at
// the staff step (GET networks/<id>/alert-health/), taking an alert offered
// to me (the alerts module's accept, so the held-alert screen has it), and
// the break-glass read of a member's plan.
//
// Live: alert.board (the network's overseers), and alert.offered /
// alert.withdrawn / alert.status (mine) fetch the board again. Nothing here
// is kept offline: an old board would show a stale crisis as live, and a
// plan read in an emergency is never kept at all.
import { get, getAll, post } from "../api.js";
import { changed } from "../store.js";
import { on, onSync } from "../realtime.js";
import { accept as acceptAlert } from "./alerts.js";
import { networks } from "./networks.js";

const CLOSED_PAGE = 20;

export const board = {
  networkId: null, // the network shown
  open: null, // [BoardAlertOut], open and taken, newest first
  closed: null, // [BoardAlertOut], the newest CLOSED_PAGE, more with loadOlder()
  closedNext: null, // the next page of closed alerts, or null
  error: null,
  checkedAt: null,
  health: {}, // network id -> AlertHealthOut, for each of my desk networks
};

const pathOf = (url) => {
  const parsed = new URL(url, location.origin);
  return parsed.pathname + parsed.search;
};

const deskNetworks = () =>
  (networks.list || []).filter((network) => ["navigator", "facilitator"].includes(network.my_role));

let loading = null; // the fetch under way
let again = false; // one more asked for meanwhile

// The open alerts each time; the closed ones on first load and when one
// closes (each alert shown costs a read of its member's exclusions).
async function fetchBoard(withClosed) {
  const id = board.networkId;
  try {
    const closedToo = withClosed || board.closed === null;
    const [open, closed] = await Promise.all([
      getAll(`networks/${id}/alerts/?state=open`),
      closedToo ? get(`networks/${id}/alerts/?state=closed&page_size=${CLOSED_PAGE}`) : null,
    ]);
    if (board.networkId !== id) return;
    board.open = open;
    if (closed) {
      board.closed = closed.results;
      board.closedNext = closed.next ? pathOf(closed.next) : null;
    }
    board.error = null;
    board.checkedAt = Date.now();
  } catch (error) {
    if (board.networkId === id) board.error = error;
  }
  changed();
}

// The board of one network. One fetch at a time: whatever asks meanwhile
// (an event, another network chosen) gets one more fetch after it.
let closedWanted = false;

export function load(networkId, { closed = true } = {}) {
  const wanted = Number(networkId);
  if (board.networkId !== wanted) {
    Object.assign(board, { networkId: wanted, open: null, closed: null, closedNext: null, error: null });
  }
  closedWanted = closedWanted || closed;
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    do {
      again = false;
      const withClosed = closedWanted;
      closedWanted = false;
      await fetchBoard(withClosed);
    } while (again);
    loading = null;
  })();
  return loading;
}

export async function loadOlder() {
  if (!board.closedNext) return;
  const page = await get(board.closedNext);
  board.closed = [...board.closed, ...page.results];
  board.closedNext = page.next ? pathOf(page.next) : null;
  changed();
}

export async function loadHealth() {
  const answers = await Promise.allSettled(
    deskNetworks().map((network) => get(`networks/${network.id}/alert-health/`)),
  );
  const health = {};
  for (const answer of answers) {
    if (answer.status === "fulfilled") health[answer.value.network_id] = answer.value;
  }
  board.health = health;
  changed();
}

export const findAlert = (id) =>
  [...(board.open || []), ...(board.closed || [])].find((alert) => alert.id === id) || null;

// "I've got this" on an offer to me. The alerts module keeps the alert, so
// the held-alert screen (#/alerts/<id>) opens with it.
export async function take(alertId) {
  try {
    return await acceptAlert(alertId);
  } finally {
    if (board.networkId !== null) load(board.networkId);
  }
}

// A facilitator reads a member's whole plan without consent, giving a
// reason (POST plans/<id>/break-glass/): the member is told and the read is
// logged. The answer ({id, expires_at, reading}) is shown once, never kept.
export const breakGlass = (planId, reason) => post(`plans/${planId}/break-glass/`, { reason });

const CLOSED = new Set(["resolved", "cancelled"]);

function refresh(event) {
  if (board.networkId === null) return;
  const state = event && event.data ? event.data.state : null;
  load(board.networkId, { closed: !state || CLOSED.has(state) });
}

on("alert.board", refresh);
on("alert.offered", () => refresh(null));
on("alert.withdrawn", refresh);
on("alert.status", refresh);
onSync(() => {
  refresh(null);
  if (board.networkId !== null) loadHealth();
});
