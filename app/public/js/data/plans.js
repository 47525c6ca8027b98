// Crisis and support plans as the service shows them to this person: my own
// plan (kept offline), plans I write with someone, their versions, who may
// read what (consent), co-authors and the access log (crisisplans/api/).
import { get, getAll, post, put, del, newKey } from "../api.js";
import { changed } from "../store.js";
import { onSync } from "../realtime.js";
import { session } from "./session.js";
import { networks, load as loadNetworks } from "./networks.js";
import * as offline from "./offline.js";

export const plans = {
  list: null, // GET plans/: my plan and the ones I co-write (metadata)
  listError: null,
  readings: {}, // plan id -> {reading, latest, revisions, savedAt}
  consent: {}, // plan id -> {co_authors: [...], navigator: [...], ...}
  coAuthors: {}, // plan id -> [{person, invited_at}]
  people: {}, // person id -> display name, from my networks' members
  peers: null, // [{person_id, display_name, roles: {network name: role}}]
  library: null, // coping strategies of my networks
};

const me = () => (session.person ? session.person.id : null);
export const isMine = (plan) => Boolean(plan && plan.owner && plan.owner.id === me());
export const myPlan = () => (plans.list || []).find(isMine) || null;
export const coWritten = (id) => (plans.list || []).some((plan) => plan.id === Number(id));

export async function loadList() {
  try {
    plans.list = await get("plans/");
    plans.listError = null;
  } catch (error) {
    plans.listError = error;
    throw error;
  } finally {
    changed();
  }
  return plans.list;
}

// Everything the plan screen shows of one plan. The owner and co-authors
// read the newest version (what has been written, signed off or not);
// anyone else reads the signed-off plan. Only my own plan is kept offline.
export async function loadPlan(id, { own = false } = {}) {
  const writing = own || coWritten(id);
  const reading = await get(`plans/${id}/`);
  let revisions = null;
  let latest = reading;
  if (writing) {
    revisions = await get(`plans/${id}/revisions/`);
    const newest = revisions[0];
    if (newest && newest.number !== reading.revision) latest = await get(`plans/${id}/revisions/${newest.number}/`);
  }
  const entry = { reading, latest, revisions, savedAt: null };
  plans.readings[id] = entry;
  changed();
  if (own && isMine(reading.plan)) offline.keep("plan", { entry, people: plans.people });
  return entry;
}

// My own plan: found in GET plans/, or, with no signal, the copy this phone
// saved (only if it is this person's).
export async function loadMine() {
  try {
    await loadList();
    await loadPeople().catch(() => {});
    const mine = myPlan();
    if (!mine) return null;
    return await loadPlan(mine.id, { own: true });
  } catch (error) {
    if (!error.offline) throw error;
    const saved = await offline.read("plan");
    const entry = saved && saved.value && saved.value.entry;
    if (!entry || !entry.reading.plan.owner || entry.reading.plan.owner.id !== me()) throw error;
    Object.assign(plans.people, saved.value.people || {});
    plans.list = plans.list || [entry.reading.plan];
    plans.readings[entry.reading.plan.id] = { ...entry, savedAt: saved.saved_at };
    changed();
    return plans.readings[entry.reading.plan.id];
  }
}

export async function start() {
  const plan = await post("plans/", { sections: {} }, { key: newKey() });
  plans.list = [...(plans.list || []), plan];
  changed();
  return plan;
}

// The fellow members of all my networks, for names in the plan and for
// picking contacts and co-authors.
export async function loadPeople() {
  const list = networks.list || (await loadNetworks()) || [];
  const byPerson = {};
  for (const network of list) {
    for (const member of await getAll(`networks/${network.id}/members/`)) {
      const person = (byPerson[member.person_id] ||= { person_id: member.person_id, display_name: member.display_name, roles: {} });
      person.roles[network.name] = member.role;
      plans.people[member.person_id] = member.display_name;
    }
  }
  plans.peers = Object.values(byPerson)
    .filter((person) => person.person_id !== me())
    .sort((a, b) => a.display_name.localeCompare(b.display_name));
  changed();
  return plans.peers;
}

export async function loadLibrary() {
  plans.library = await getAll("coping-strategies/");
  changed();
  return plans.library;
}

// A new version: the newest one with `sections` replaced. The key makes a
// resend after a dropped signal safe.
export async function propose(id, sections, key) {
  const revision = await post(`plans/${id}/revisions/`, { sections }, { key });
  delete plans.readings[id];
  changed();
  return revision;
}

export async function signOff(id, number) {
  // The screen reloads the plan; what it shows meanwhile stays.
  return post(`plans/${id}/revisions/${number}/sign-off/`, {});
}

export const revision = (id, number) => get(`plans/${id}/revisions/${number}/`);
export const revisions = (id) => get(`plans/${id}/revisions/`);
export const compare = (id, older, newer) => get(`plans/${id}/revisions/compare/?older=${older}&newer=${newer}`);

export async function loadConsent(id) {
  plans.consent[id] = await get(`plans/${id}/consent/`);
  changed();
  return plans.consent[id];
}

// Consent is replaced whole: the other audiences are sent back unchanged.
export async function setConsent(id, audience, sections) {
  const current = plans.consent[id] || (await loadConsent(id));
  plans.consent[id] = await put(`plans/${id}/consent/`, { ...current, [audience]: sections });
  changed();
  return plans.consent[id];
}

export async function loadCoAuthors(id) {
  plans.coAuthors[id] = await get(`plans/${id}/co-authors/`);
  changed();
  return plans.coAuthors[id];
}

export async function invite(id, personId) {
  const coAuthor = await post(`plans/${id}/co-authors/`, { person: personId });
  await loadCoAuthors(id);
  return coAuthor;
}

export async function removeCoAuthor(id, personId) {
  await del(`plans/${id}/co-authors/${personId}/`);
  await loadCoAuthors(id);
}

export const comments = (id) => get(`plans/${id}/comments/`);
export const comment = (id, { revision, section, text }, key) =>
  post(`plans/${id}/comments/`, { revision, section, text }, { key });

// One page of the access log ({results, next}); `next` is the service's link.
export function accessLog(id, next = null) {
  if (!next) return get(`plans/${id}/access-log/`);
  const url = new URL(next, location.origin);
  return get(url.pathname + url.search);
}

export const printHref = (id) => `/api/v1/plans/${id}/print/`;

// Back online after showing the saved copy: read the plan afresh. (Not at
// every reconnect: each read of a plan is written in its access log.)
onSync(() => {
  const showingSaved = Object.values(plans.readings).some((entry) => entry.savedAt);
  return showingSaved ? loadMine().catch(() => {}) : null;
});
