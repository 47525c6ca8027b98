// Start-up: draw the screen for the route, once we know who is signed in.
import { html, render, useEffect, useState } from "./lib.js";
import { useStore } from "./store.js";
import { route, navigate } from "./router.js";
import { ROUTES, PUBLIC } from "./routes.js";
import { session, boot } from "./data/session.js";
import { restore as restoreNetworks } from "./data/networks.js";
import { Loading } from "./ui.js";
import { myOpenAlert } from "./data/alerts.js";
import { on } from "./realtime.js";

const loaded = new Map();

function useScreen(name) {
  const [, redraw] = useState(0);
  const loader = ROUTES[name] || ROUTES[""];
  const entry = loaded.get(loader);
  useEffect(() => {
    if (entry) return;
    const started = { screen: null, error: null };
    loaded.set(loader, started);
    loader()
      .then((module) => (started.screen = module.default))
      .catch((error) => {
        started.error = error;
        loaded.delete(loader);
      })
      .finally(() => redraw((n) => n + 1));
  }, [loader, entry]);
  return loaded.get(loader) || { screen: null, error: null };
}

function App() {
  useStore();
  const name = route.path[0] || "";
  const signedOut = session.state === "signed_out";
  const shown = signedOut && !PUBLIC.has(name) ? "sign-in" : name;
  const { screen: Screen, error } = useScreen(shown);
  useEffect(() => {
    if (session.state === "signed_in" && name === "sign-in") navigate("/", { replace: true });
  }, [session.state, name]);
  if (session.state === "unknown") return html`<main class="page" id="main"><${Loading} /></main>`;
  if (error) return html`<main class="page" id="main"><${Loading} error=${{ offline: !navigator.onLine, status: 0 }} retry=${() => location.reload()} /></main>`;
  if (!Screen) return html`<main class="page" id="main"><${Loading} /></main>`;
  return html`<${Screen} path=${shown === name ? route.path.slice(1) : []} query=${route.query} />`;
}

// Once the service worker runs, load every screen and ask it to keep every
// file of the app this page has loaded, so all of them open with no signal
// (no list of files to keep up to date by hand).
async function keepForOffline() {
  const registration = await navigator.serviceWorker.ready;
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "kept") document.documentElement.dataset.offline = "kept";
  });
  await Promise.allSettled(Object.values(ROUTES).map((load) => load()));
  const files = performance
    .getEntriesByType("resource")
    .map((entry) => new URL(entry.name))
    .filter((url) => url.origin === location.origin && !/^\/(api|ws|admin|static)\//.test(url.pathname))
    .map((url) => url.pathname);
  if (registration.active) registration.active.postMessage({ type: "keep", files: [...new Set(files)] });
}

// An offer takes over the screen (APP.md: the one decision), unless this
// person is in the middle of their own crisis.
on("alert.offered", (event) => {
  if (!myOpenAlert()) navigate(`/alerts/${event.data.alert_id}`);
});

async function start() {
  await restoreNetworks();
  render(html`<${App} />`, document.getElementById("app"));
  await boot();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").then(keepForOffline, () => {
      // No service worker (private mode, old browser): the app works online.
    });
  }
}

start();
