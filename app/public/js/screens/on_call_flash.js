// What the last action on an on-call screen did, said once on the screen it
// leads to (the save of a form goes back to the list, which says "Saved").
import { useEffect, useState } from "../lib.js";
import { navigate } from "../router.js";

let pendingFlash = "";

export function useFlash() {
  const [text] = useState(pendingFlash);
  useEffect(() => {
    pendingFlash = "";
  }, []);
  return text;
}

export function goWithFlash(path, text) {
  pendingFlash = text;
  navigate(path);
}
