// Membership at the desk, per network, as the service tells it to a navigator
// or facilitator: the requests to join waiting for an answer, the members, the
// invitations sent, and the history (cursor paginated, newest first). Live: a
// `membership.changed` event for a network loaded here loads it again, so a
// new request or another navigator's answer shows without a reload.
import { get, getAll, post, newKey } from "../api.js";
import { changed } from "../store.js";
import { on, onSync } from "../realtime.js";
import { session } from "./session.js";

const HISTORY_PAGE = 20;

// network id -> {requests, members, invitations, error, history: {items, next, error}}
export const desk = {};
// Whose answers these are: another person may sign in on this page, and must
// never see what the service told the one before.
let personId = null;

function forOnePerson() {
  const me = session.person ? session.person.id : null;
  if (me === personId) return;
  for (const id of Object.keys(desk)) delete desk[id];
  personId = me;
}

function slot(networkId) {
  forOnePerson();
  return (desk[networkId] ||= { requests: null, members: null, invitations: null, error: null, history: null });
}

export const forNetwork = (networkId) => slot(Number(networkId));

export async function load(networkId) {
  const state = slot(Number(networkId));
  try {
    const [requests, members, invitations] = await Promise.all([
      getAll(`networks/${networkId}/join-requests/`),
      getAll(`networks/${networkId}/members/`),
      getAll(`networks/${networkId}/invitations/`),
    ]);
    Object.assign(state, { requests, members, invitations, error: null });
  } catch (error) {
    state.error = error;
  }
  changed();
}

const pathOf = (url) => {
  const parsed = new URL(url, location.origin);
  return parsed.pathname + parsed.search;
};

// The first page again (more=false), or the next older page after those shown.
export async function loadHistory(networkId, { more = false } = {}) {
  const state = slot(Number(networkId));
  const before = state.history;
  const path = more && before && before.next ? pathOf(before.next) : `networks/${networkId}/history/?page_size=${HISTORY_PAGE}`;
  try {
    const page = await get(path);
    const items = more && before ? [...before.items, ...page.results] : page.results;
    state.history = { items, next: page.next, error: null };
  } catch (error) {
    state.history = { items: before ? before.items : null, next: before ? before.next : null, error };
  }
  changed();
}

export const pendingInvitations = (networkId) =>
  (slot(Number(networkId)).invitations || []).filter((invitation) => invitation.status === "pending");

// Facilitators are the professional backing, not part of the group: the soft
// cap counts members and navigators (network/actions/membership.py).
export const size = (networkId) =>
  (slot(Number(networkId)).members || []).filter((m) => m.role === "member" || m.role === "navigator").length;

export const memberById = (networkId, membershipId) =>
  (slot(Number(networkId)).members || []).find((m) => m.id === Number(membershipId)) || null;

function reloadLoaded(networkId) {
  forOnePerson();
  const state = desk[networkId];
  if (!state) return;
  if (state.members !== null || state.error) load(networkId);
  if (state.history !== null) loadHistory(networkId);
}

// Each answer returns what the service now says; the lists load again so the
// queue, the table and the history agree with it.
export async function accept(networkId, requestId, reason) {
  const joined = await post(`join-requests/${requestId}/accept/`, { reason });
  reloadLoaded(Number(networkId));
  return joined;
}

export async function decline(networkId, requestId, reason) {
  const declined = await post(`join-requests/${requestId}/decline/`, { reason });
  reloadLoaded(Number(networkId));
  return declined;
}

export async function invite(networkId, { phoneNumber, role, note }) {
  const invitation = await post(
    `networks/${networkId}/invitations/`,
    { phone_number: phoneNumber, role, note },
    { key: newKey() },
  );
  reloadLoaded(Number(networkId));
  return invitation;
}

export async function remove(networkId, membershipId, reason) {
  await post(`memberships/${membershipId}/remove/`, { reason });
  reloadLoaded(Number(networkId));
}

export async function transfer(networkId, membershipId, toNetworkId, reason) {
  const joined = await post(`memberships/${membershipId}/transfer/`, { to_network: Number(toNetworkId), reason });
  reloadLoaded(Number(networkId));
  reloadLoaded(Number(toNetworkId));
  return joined;
}

export async function setReadiness(networkId, membershipId, ready, reason) {
  const member = await post(`memberships/${membershipId}/readiness/`, { ready, reason });
  const state = slot(Number(networkId));
  state.members = (state.members || []).map((m) => (m.id === member.id ? member : m));
  changed();
  if (state.history !== null) loadHistory(Number(networkId));
  return member;
}

on("membership.changed", (event) => reloadLoaded(event.data.network.id));
onSync(() => Object.keys(desk).forEach((id) => reloadLoaded(Number(id))));
