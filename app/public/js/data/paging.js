// Paging (issue 17), as the service tells it to this person: my paging rules
// (the steps: a notification, then a text, then a call, each at a wait), which
// channels work, whether my pages may not reach me (reachability flags), my
// test pages; and, for a navigator or facilitator, the peers in a network
// whose pages are failing. Nothing here is kept offline: an old "your pages
// reach you" would be a stale state shown as live.
//
// Live: `paging.changed` (a test page answered, a flag raised or cleared)
// loads mine and the test pages shown again; `paging.health_changed`
// {network_id} loads that network's list again, if this page has shown it.
import { get, put, post, del, newKey } from "../api.js";
import { changed } from "../store.js";
import { on, onSync } from "../realtime.js";
import { session } from "./session.js";

export const paging = {
  personId: null, // whose answers these are (another person may sign in on this page)
  mine: null, // GET me/paging/
  error: null,
  testPages: {}, // id -> TestPage, the ones this page has shown
  testErrors: {}, // id -> ApiError
  networks: {}, // network id -> {people, error}
};

const me = () => (session.person ? session.person.id : null);

function forOnePerson() {
  if (paging.personId === me()) return;
  Object.assign(paging, { personId: me(), mine: null, error: null, testPages: {}, testErrors: {}, networks: {} });
}

export const mine = () => (forOnePerson(), paging.mine);

// The service's answer to every rules call is the whole of GET me/paging/.
function keep(answer) {
  forOnePerson();
  paging.mine = answer;
  paging.error = null;
  if (answer.last_test_page) paging.testPages[answer.last_test_page.id] = answer.last_test_page;
  changed();
  return answer;
}

export async function load() {
  forOnePerson();
  try {
    keep(await get("me/paging/"));
  } catch (error) {
    paging.error = error;
    changed();
  }
  return paging.mine;
}

// rules: [{transport, after_seconds}] in order. A refusal (400) is thrown
// with its field errors; nothing is kept, so the screen keeps what was typed.
export const saveRules = async (rules) => keep(await put("me/paging/rules/", { rules }));

export const useDefaults = async () => keep(await del("me/paging/rules/"));

function keepTestPage(testPage) {
  forOnePerson();
  paging.testPages = { ...paging.testPages, [testPage.id]: testPage };
  delete paging.testErrors[testPage.id];
  changed();
  return testPage;
}

// One key per press: a retry after a dropped connection sends the same page.
export async function sendTestPage() {
  const testPage = keepTestPage(await post("me/test-pages/", {}, { key: newKey() }));
  load();
  return testPage;
}

export async function loadTestPage(id) {
  forOnePerson();
  try {
    return keepTestPage(await get(`me/test-pages/${encodeURIComponent(id)}/`));
  } catch (error) {
    paging.testErrors = { ...paging.testErrors, [id]: error };
    changed();
    return null;
  }
}

export async function acknowledge(id) {
  const testPage = keepTestPage(await post(`me/test-pages/${encodeURIComponent(id)}/acknowledge/`, {}));
  load();
  return testPage;
}

export const testPage = (id) => (forOnePerson(), paging.testPages[id] || null);
export const testPageError = (id) => (forOnePerson(), paging.testErrors[id] || null);

// My pages may not reach me: the flags, or [] (also while not loaded yet).
export const flags = () => {
  const answer = mine();
  return answer && !answer.reachability.reachable ? answer.reachability.flags : [];
};

// The desk: people in one network whose pages fail or who are flagged.
export const forNetwork = (networkId) => (forOnePerson(), paging.networks[Number(networkId)] || { people: null, error: null });

export async function loadNetwork(networkId) {
  forOnePerson();
  const id = Number(networkId);
  const before = forNetwork(id);
  try {
    const answer = await get(`networks/${id}/paging/`);
    paging.networks = { ...paging.networks, [id]: { people: answer.people, error: null } };
  } catch (error) {
    paging.networks = { ...paging.networks, [id]: { people: before.people, error } };
  }
  changed();
}

function reloadShown() {
  forOnePerson();
  const shown = [];
  if (paging.mine !== null || paging.error) shown.push(load());
  for (const id of Object.keys(paging.testPages)) shown.push(loadTestPage(id));
  return Promise.all(shown);
}

on("paging.changed", reloadShown);
on("paging.health_changed", (event) => {
  forOnePerson();
  const id = Number(event.data.network_id);
  if (paging.networks[id]) loadNetwork(id);
});
onSync(reloadShown);
onSync(() => Promise.all(Object.keys(paging.networks).map((id) => loadNetwork(id))));
