// A tiny observable store: data modules keep what the server said in plain
// objects and call changed(); screens read it with useStore() and redraw.
// (Zulip keeps its *_data modules apart from its *_ui modules the same way.)
import { useEffect, useState } from "./lib.js";

const listeners = new Set();
let version = 0;

export function changed() {
  version += 1;
  for (const listener of [...listeners]) listener(version);
}

export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Redraw the calling component whenever any data module changes.
export function useStore() {
  const [, setVersion] = useState(version);
  useEffect(() => subscribe(setVersion), []);
  return version;
}
