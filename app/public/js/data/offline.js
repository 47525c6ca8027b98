// The offline copy: what the person may read with no signal (their own plan,
// their networks' emergency routes, who they are). Kept in the Cache Storage
// of this origin under /offline/..., written only from answers the API gave
// this person, and deleted on sign-out (with Clear-Site-Data from the server
// as a second line). Nobody else's plan is ever put here: a peer's access to
// a member's plan ends with the alert.
const CACHE = "circle-offline-v1";
const hasCaches = typeof caches !== "undefined";

export async function keep(name, value) {
  if (!hasCaches) return;
  try {
    const cache = await caches.open(CACHE);
    await cache.put(`/offline/${name}`, new Response(JSON.stringify({ saved_at: Date.now(), value })));
  } catch {
    // A full disk or private mode: the app still works online.
  }
}

export async function read(name) {
  if (!hasCaches) return null;
  try {
    const cache = await caches.open(CACHE);
    const response = await cache.match(`/offline/${name}`);
    return response ? await response.json() : null;
  } catch {
    return null;
  }
}

export async function clearAll() {
  if (hasCaches) {
    for (const name of await caches.keys()) await caches.delete(name);
  }
  try {
    localStorage.clear();
    sessionStorage.clear();
  } catch {
    // storage may be blocked; nothing to clear then
  }
}
