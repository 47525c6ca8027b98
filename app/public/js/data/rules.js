// A network's rules (GET networks/<id>/rules/: the settings now, the house
// rules, the safety floor, the history of every version, what may be
// proposed) and its proposals (GET networks/<id>/rule-proposals/, with live
// counts and my vote). Live: a `rules.proposal` event for a network loaded
// here loads it again, so a closed vote or a ratified change shows at once.
// Nothing is kept offline: old rules shown as the rules would mislead.
import { get, getAll, post } from "../api.js";
import { changed } from "../store.js";
import { on, onSync } from "../realtime.js";
import { session } from "./session.js";

// network id -> {rules, proposals, error}
export const rulesOf = {};
let personId = null;

function forOnePerson() {
  const me = session.person ? session.person.id : null;
  if (me === personId) return;
  for (const id of Object.keys(rulesOf)) delete rulesOf[id];
  personId = me;
}

export function forNetwork(networkId) {
  forOnePerson();
  return (rulesOf[Number(networkId)] ||= { rules: null, proposals: null, error: null });
}

export async function load(networkId) {
  const state = forNetwork(networkId);
  try {
    const [rules, proposals] = await Promise.all([
      get(`networks/${networkId}/rules/`),
      getAll(`networks/${networkId}/rule-proposals/`),
    ]);
    Object.assign(state, { rules, proposals, error: null });
  } catch (error) {
    state.error = error;
  }
  changed();
}

export function proposalById(networkId, proposalId) {
  const state = forNetwork(networkId);
  const all = [...(state.proposals || []), ...((state.rules && state.rules.history) || [])];
  return all.find((proposal) => proposal.id === Number(proposalId)) || null;
}

function put(networkId, proposal) {
  const state = forNetwork(networkId);
  if (!state.proposals) state.proposals = [];
  const index = state.proposals.findIndex((p) => p.id === proposal.id);
  if (index >= 0) state.proposals[index] = proposal;
  else state.proposals.unshift(proposal);
  changed();
}

// body: {changes: {name: value}, house_rules?, reason, voting_days?}
export async function propose(networkId, body, key) {
  const proposal = await post(`networks/${networkId}/rule-proposals/`, body, { key });
  put(networkId, proposal);
  return proposal;
}

// A vote, a ratification and a sending back happen once: no retry (a second
// send would be refused), and the page reloads the truth either way.
export async function vote(networkId, proposalId, choice) {
  try {
    await post(`rule-proposals/${proposalId}/votes/`, { choice }, { retries: 0 });
  } finally {
    await load(networkId);
  }
}

export async function ratify(networkId, proposalId) {
  const proposal = await post(`rule-proposals/${proposalId}/ratify/`, undefined);
  put(networkId, proposal);
  await load(networkId);
  return proposal;
}

export async function sendBack(networkId, proposalId, reason) {
  const proposal = await post(`rule-proposals/${proposalId}/send-back/`, { reason });
  put(networkId, proposal);
  return proposal;
}

export const isOpen = (proposal) =>
  proposal.state === "open" && new Date(proposal.voting_closes_at).getTime() > Date.now();

on("rules.proposal", (event) => {
  const id = event.data && event.data.network && event.data.network.id;
  if (id && rulesOf[id]) load(id);
});

onSync(() => Promise.all(Object.keys(rulesOf).map((id) => load(id))));
