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
// The shell, fetched at install. Every other file of the app is kept the
// first time it is fetched; the page fetches all its screens soon after it
// starts (js/main.js: warm), so they are all here before the signal goes.
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

function isAppFile(url) {
  return url.origin === self.location.origin && !/^\/(api|ws|admin|static|health)\//.test(url.pathname);
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
