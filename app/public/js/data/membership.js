// Joining and leaving networks: my requests to join (self-referral by the
// network's slug), the invitations waiting for my number, and leaving. After
// anything that changes which networks I am in, networks.js loads again.
import { getAll, post, newKey } from "../api.js";
import { changed } from "../store.js";
import { on, onSync } from "../realtime.js";
import { load as loadNetworks } from "./networks.js";

export const membership = { requests: null, invitations: null, error: null };

export async function load() {
  try {
    const [requests, invitations] = await Promise.all([getAll("join-requests/"), getAll("me/invitations/")]);
    membership.requests = requests;
    membership.invitations = invitations;
    membership.error = null;
  } catch (error) {
    membership.error = error;
  }
  changed();
}

export const pendingRequests = () => (membership.requests || []).filter((request) => request.status === "pending");

// My latest request to each network, where a navigator said no: the person
// sees the answer and the reason they gave. Asking again hides it.
export function declinedRequests() {
  const latest = new Map();
  for (const request of membership.requests || []) {
    const seen = latest.get(request.network_id);
    if (!seen || request.id > seen.id) latest.set(request.network_id, request);
  }
  return [...latest.values()].filter((request) => request.status === "declined");
}

export async function requestToJoin({ slug, note }) {
  const request = await post("join-requests/", { network: slug, note }, { key: newKey() });
  membership.requests = [request, ...(membership.requests || []).filter((r) => r.id !== request.id)];
  changed();
  return request;
}

export async function acceptInvitation(id) {
  const joined = await post(`invitations/${id}/accept/`);
  membership.invitations = (membership.invitations || []).filter((invitation) => invitation.id !== id);
  changed();
  await loadNetworks();
  return joined;
}

export async function declineInvitation(id) {
  await post(`invitations/${id}/decline/`);
  membership.invitations = (membership.invitations || []).filter((invitation) => invitation.id !== id);
  changed();
}

// Leaving ends the membership only: the plan and the map are the person's.
export async function leave(networkId) {
  await post(`networks/${networkId}/leave/`, { reason: "" });
  await loadNetworks();
  await load();
}

// Only once the screen has asked for them; networks.js reloads itself.
onSync(() => membership.requests !== null && load());

// A navigator let me in (or I joined or left on another device): my networks
// and my requests change, live.
on("membership.changed", () => {
  loadNetworks();
  if (membership.requests !== null) load();
});
