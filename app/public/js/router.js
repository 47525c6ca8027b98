// Hash routes (#/plan/revisions): the service serves one page at /, and a
// link from a notification ("/#/alerts/<id>") opens the right screen.
import { changed } from "./store.js";

export const route = { path: [], query: new URLSearchParams() };

function read() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = hash.split("?");
  route.path = path.split("/").filter(Boolean).map(decodeURIComponent);
  route.query = new URLSearchParams(query);
}

export function navigate(path, { replace = false } = {}) {
  const target = "#" + (path.startsWith("/") ? path : "/" + path);
  if (replace) history.replaceState(null, "", target);
  else history.pushState(null, "", target);
  read();
  changed();
}

export function href(path) {
  return "#" + (path.startsWith("/") ? path : "/" + path);
}

addEventListener("hashchange", () => {
  read();
  changed();
});
read();
