// The on-call peer's side, as the service tells it to this person: per network
// my choices and whether I am on call now (GET networks/<id>/me/), my shifts
// over the next two weeks, the ready peers a shift can go to, the swap requests
// waiting for an answer (asked of me, or mine), and my private calendar feeds. Nothing here is kept offline: an old "you're on call" would
// be a stale state shown as live.
import { get, getAll, post, patch, del, newKey } from "../api.js";
import { changed } from "../store.js";
import { on, onSync } from "../realtime.js";
import { session } from "./session.js";
import { networks, load as loadNetworks } from "./networks.js";

export const SHIFT_DAYS = 14;

export const rota = {
  personId: null, // whose answers these are (another person may sign in on this page)
  mine: {}, // network id -> MyMembershipOut
  loaded: false,
  error: null,
  checkedAt: null,
  shifts: {}, // network id -> [RotaEntryOut] (mine), next SHIFT_DAYS days
  shiftsError: null,
  peers: {}, // network id -> [MemberOut] ready for on call, not me
  requests: null, // [SwapRequestOut] pending: asked of me, by me, or for my shifts
  requestsError: null,
  feeds: null, // [CalendarFeedOut]
  feedsError: null,
  newFeed: null, // {id, url, ...} just made: its URL is shown once, never stored
};

const me = () => (session.person ? session.person.id : null);

function forOnePerson() {
  if (rota.personId === me()) return;
  Object.assign(rota, {
    personId: me(),
    mine: {},
    loaded: false,
    shifts: {},
    peers: {},
    requests: null,
    feeds: null,
    newFeed: null,
  });
}

// The networks where a facilitator marked me ready for on call.
export function readyIn() {
  if (rota.personId !== me()) return [];
  return Object.values(rota.mine)
    .filter((membership) => membership.ready_for_on_call)
    .sort((a, b) => a.network.id - b.network.id);
}

async function myNetworks() {
  return networks.list || (await loadNetworks()) || [];
}

export async function load() {
  forOnePerson();
  try {
    const list = await myNetworks();
    const answers = await Promise.all(list.map((network) => get(`networks/${network.id}/me/`)));
    rota.mine = Object.fromEntries(answers.map((membership) => [membership.network.id, membership]));
    rota.loaded = true;
    rota.error = null;
    rota.checkedAt = Date.now();
  } catch (error) {
    rota.error = error;
  }
  changed();
  return rota.mine;
}

function keep(membership) {
  rota.mine = { ...rota.mine, [membership.network.id]: membership };
  rota.checkedAt = Date.now();
  changed();
  return membership;
}

// state: "available" | "unavailable" (both with a Date `until`) | "rota_only".
export async function setAvailability(networkId, state, until = null) {
  const body = { state };
  if (until) body.until = until.toISOString();
  return keep(await post(`networks/${networkId}/me/availability/`, body));
}

// {quiet_hours_start, quiet_hours_end} as "HH:MM" (both null clears them),
// or {max_alerts_per_shift}.
export async function saveChoices(networkId, choices) {
  return keep(await patch(`networks/${networkId}/me/`, choices));
}

export async function loadShifts() {
  try {
    const start = new Date();
    const end = new Date(start.getTime() + SHIFT_DAYS * 24 * 3600 * 1000);
    const query = `?mine=true&start=${encodeURIComponent(start.toISOString())}&end=${encodeURIComponent(end.toISOString())}`;
    const ready = readyIn().length ? readyIn() : Object.values(await load()).filter((m) => m.ready_for_on_call);
    const answers = await Promise.all(ready.map((m) => get(`networks/${m.network.id}/rota/${query}`)));
    rota.shifts = Object.fromEntries(ready.map((m, index) => [m.network.id, answers[index]]));
    rota.shiftsError = null;
  } catch (error) {
    rota.shiftsError = error;
  }
  changed();
}

// The pending ask for one of my shifts, if there is one.
export const askFor = (entry) =>
  (rota.requests || []).find(
    (r) => r.shift_id === entry.shift_id && new Date(r.occurrence_start).getTime() === new Date(entry.start).getTime(),
  ) || null;

// Shifts I hold and may hand on: mine on the rota, not already swapped, nobody asked yet.
export const canSwap = (entry) => entry.original_person_id === me() && !entry.swapped && !askFor(entry);

export function findShift(shiftId, start) {
  for (const [networkId, entries] of Object.entries(rota.shifts)) {
    const entry = entries.find((e) => e.shift_id === Number(shiftId) && new Date(e.start).getTime() === new Date(start).getTime());
    if (entry) return { networkId: Number(networkId), entry };
  }
  return null;
}

export async function loadPeers(networkId) {
  const members = await getAll(`networks/${networkId}/members/`);
  const ready = members.filter((m) => m.ready_for_on_call && m.person_id !== me());
  ready.sort((a, b) => a.display_name.localeCompare(b.display_name, "en-GB"));
  rota.peers = { ...rota.peers, [networkId]: ready };
  changed();
  return rota.peers[networkId];
}

export async function loadRequests() {
  forOnePerson();
  try {
    rota.requests = await getAll("me/swap-requests/");
    rota.requestsError = null;
  } catch (error) {
    rota.requestsError = error;
  }
  changed();
}

// Someone asked me to cover for them, and my own asks still waiting for an answer.
export const askedOfMe = () => (rota.requests || []).filter((r) => r.asked_id === me());
export const waitingOnOthers = () => (rota.requests || []).filter((r) => r.asked_id !== me());

// Asks a peer to take one occurrence: nothing changes until they say yes.
export async function askForCover({ entry, askedId }) {
  const request = await post(
    `shifts/${entry.shift_id}/swaps/`,
    { occurrence_start: entry.start, taken_by: askedId },
    { key: newKey() },
  );
  await loadRequests();
  return request;
}

// verb: "accept" | "decline" | "withdraw". Accept is the moment the swap happens.
export async function answer(requestId, verb) {
  try {
    return await post(`swap-requests/${requestId}/${verb}/`, {});
  } finally {
    await Promise.all([loadRequests(), loadShifts()]);
  }
}

export async function loadFeeds() {
  forOnePerson();
  try {
    rota.feeds = await getAll("me/calendar-feeds/");
    rota.feedsError = null;
  } catch (error) {
    rota.feedsError = error;
  }
  changed();
}

export async function makeFeed(networkId, scope) {
  const feed = await post("me/calendar-feeds/", { network: Number(networkId), scope }, { key: newKey() });
  rota.newFeed = feed;
  await loadFeeds();
  return feed;
}

export function forgetNewFeed() {
  rota.newFeed = null;
  changed();
}

export async function revokeFeed(id) {
  await del(`me/calendar-feeds/${id}/`);
  if (rota.newFeed && rota.newFeed.id === id) rota.newFeed = null;
  await loadFeeds();
}

// webcal:// asks the phone to subscribe in its calendar app.
export const webcal = (url) => url.replace(/^https?:\/\//, "webcal://");

onSync(load);
onSync(() => (rota.requests === null ? null : loadRequests()));

// Reminders and swap notices (issue 15): reload what they change, if this page
// has shown it (the rota screen loads it first). The push tells a closed app.
const shownShifts = () => (Object.keys(rota.shifts).length ? loadShifts() : null);
const shownRequests = () => (rota.requests === null ? null : loadRequests());
on("shift.starting", () => Promise.all([load(), shownShifts()]));
on("shift.ended", () => Promise.all([load(), shownShifts()]));
on("swap.requested", shownRequests);
on("swap.withdrawn", shownRequests);
on("swap.answered", () => Promise.all([shownRequests(), shownShifts()]));
