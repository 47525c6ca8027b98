// The service worker: keeps the app's own files so it opens with no signal
// (the member's plan and the emergency routes must be readable offline), and
// handles Web Push (sw-push.js). It never stores an API answer: what the
// member may read offline is kept by the page itself (js/data/offline.js),
// which knows whose it is, and cleared on sign-out.
//
// Network first: online, every file is fetched fresh (no stale app after a
// release); offline, or when the network takes over 4 s, the saved copy.
importScripts("/sw-push.js");

const SHELL = "circle-shell-v1";
// The shell, fetched at install. The page then sends the list of every app
// file it loaded, all its screens included (js/main.js: keepForOffline), and
// they are kept too; any file fetched later is kept as it passes.
const FILES = ["/", "/manifest.webmanifest", "/css/app.css", "/icons/icon.svg", "/js/main.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(FILES.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("circle-shell-") && name !== SHELL).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "keep" || !Array.isArray(event.data.files)) return;
  const files = event.data.files.filter((path) => typeof path === "string" && isAppFile(new URL(path, self.location.origin)));
  // One by one: a file that fails (a 404, a dropped signal) must not stop the
  // rest. Then tell the page, which says so on <html data-offline="kept">.
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => Promise.allSettled(files.map((path) => cache.add(path))))
      .then(() => event.source && event.source.postMessage({ type: "kept" })),
  );
});

// Not the app's: the API and the admin, and a plan share's page (/s/...),
// which must never be kept on a phone past its end (issue 18).
function isAppFile(url) {
  return url.origin === self.location.origin && !/^\/(api|ws|admin|static|health|s)\//.test(url.pathname);
}

async function networkFirst(request) {
  const cache = await caches.open(SHELL);
  const fromNetwork = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, 4000));
  try {
    const response = await Promise.race([fromNetwork, timeout.then(() => null)]);
    if (response) return response;
  } catch {
    // offline: fall through to the saved copy
  }
  const saved = await cache.match(request, { ignoreSearch: true });
  if (saved) return saved;
  if (request.mode === "navigate") {
    const index = await cache.match("/");
    if (index) return index;
  }
  return fromNetwork;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || !isAppFile(url)) return;
  event.respondWith(networkFirst(event.request));
});
