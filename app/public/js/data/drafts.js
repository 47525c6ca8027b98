// Drafts: what someone typed and has not sent, kept in localStorage so it
// survives a reload, a crash or a lost signal (APP.md: never lose what
// someone typed). Cleared once sent, and on sign-out.
const PREFIX = "draft:";

export function load(key) {
  try {
    return localStorage.getItem(PREFIX + key) || "";
  } catch {
    return "";
  }
}

export function save(key, text) {
  try {
    if (text) localStorage.setItem(PREFIX + key, text);
    else localStorage.removeItem(PREFIX + key);
  } catch {
    // storage full or blocked: the text is still in the field
  }
}

export function clear(key) {
  save(key, "");
}
