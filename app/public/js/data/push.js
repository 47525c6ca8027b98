// Notifications on this phone (Web Push). Permission is asked only when the
// person presses the button, after the screen has said why (APP.md). The
// account screen and the on-call screens offer the same button:
//   pushState()  -> "unsupported" | "not_configured" | "denied" | "off" | "on"
//   turnOnPush() -> "on" | "failed" | "denied" | "not_configured" | "unsupported"
//   forgetPush() before signing out of this phone
// push.state holds the last answer, for screens that redraw with useStore().
import { get, getAll, post, del } from "../api.js";
import { changed } from "../store.js";

export const push = { state: null };

let publicKey = null;

function set(state) {
  push.state = state;
  changed();
  return state;
}

const supported = () =>
  "serviceWorker" in navigator && typeof PushManager !== "undefined" && typeof Notification !== "undefined";

// The service's key; null when the service has no push (404 push_not_configured).
async function vapidKey() {
  if (publicKey) return publicKey;
  try {
    publicKey = (await get("push/vapid-public-key/")).public_key;
    return publicKey;
  } catch (error) {
    if (error.code === "push_not_configured") return null;
    throw error;
  }
}

function keyBytes(base64url) {
  const base64 = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

// "ready" waits for ever if the service worker never installs: give up after 10 s.
function readyRegistration() {
  return Promise.race([
    navigator.serviceWorker.ready,
    new Promise((_, reject) => setTimeout(() => reject(new Error("no service worker")), 10000)),
  ]);
}

export async function pushState() {
  if (!supported()) return set("unsupported");
  try {
    if ((await vapidKey()) === null) return set("not_configured");
  } catch {
    // Offline or the service is busy: still offer the button; pressing it says what happened.
  }
  if (Notification.permission === "denied") return set("denied");
  if (Notification.permission !== "granted") return set("off");
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    const subscription = registration && (await registration.pushManager.getSubscription());
    if (!subscription) return set("off");
    // On only if the service has this browser's subscription for this person.
    const mine = await getAll("push-subscriptions/");
    return set(mine.some((known) => known.endpoint === subscription.endpoint) ? "on" : "off");
  } catch {
    return set("off");
  }
}

async function register(subscription) {
  const { endpoint, keys } = subscription.toJSON();
  await post("push-subscriptions/", { endpoint, p256dh: keys.p256dh, auth: keys.auth });
}

export async function turnOnPush() {
  if (!supported()) return set("unsupported");
  try {
    const key = await vapidKey();
    if (key === null) return set("not_configured");
    const permission = await Notification.requestPermission();
    if (permission !== "granted") return set(permission === "denied" ? "denied" : "off");
    const registration = await readyRegistration();
    const options = { userVisibleOnly: true, applicationServerKey: keyBytes(key) };
    let subscription = await registration.pushManager.subscribe(options);
    try {
      await register(subscription);
    } catch (error) {
      // This browser's subscription belongs to someone who used this phone
      // before: make a new one for this person.
      if (error.code !== "push_endpoint_taken") throw error;
      await subscription.unsubscribe();
      subscription = await registration.pushManager.subscribe(options);
      await register(subscription);
    }
    return set("on");
  } catch {
    return set("failed");
  }
}

// Before signing out of this phone: the service stops pushing to it and the
// browser drops its subscription, so a shared phone hears nothing more for
// this person. With server=false (the account is already gone) only the latter.
export async function forgetPush({ server = true } = {}) {
  if (!supported()) return;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    const subscription = registration && (await registration.pushManager.getSubscription());
    if (!subscription) return;
    if (server) {
      const known = (await getAll("push-subscriptions/")).find((item) => item.endpoint === subscription.endpoint);
      if (known) await del(`push-subscriptions/${known.id}/`);
    }
    await subscription.unsubscribe();
  } catch {
    // Offline or refused: signing out goes on; the service drops dead endpoints itself.
  }
  push.state = null;
}
