// Who is signed in on this browser. The device token is in an HttpOnly
// cookie the page never sees (network/auth.py says why); this module only
// knows the person the service says it is.
import { get, post, whenSignedOut as apiSignedOut } from "../api.js";
import { changed } from "../store.js";
import * as realtime from "../realtime.js";
import * as offline from "./offline.js";
import { signIn as texts } from "../texts/session.js";

// state: "unknown" (starting), "signed_in", "signed_out".
export const session = { state: "unknown", person: null, offline: false, notice: "" };

export async function boot() {
  try {
    session.person = await get("me/", { retries: 0 });
    session.state = "signed_in";
    session.offline = false;
    offline.keep("me", session.person);
  } catch (error) {
    if (error.offline) {
      // No signal: whoever was signed in here last may read their saved copy.
      const saved = await offline.read("me");
      session.person = saved ? saved.value : null;
      session.state = saved ? "signed_in" : "signed_out";
      session.offline = true;
    } else {
      session.person = null;
      session.state = "signed_out";
    }
  }
  changed();
  if (session.state === "signed_in") realtime.start();
}

export function requestCode(phoneNumber) {
  return post("auth/code/", { phone_number: phoneNumber });
}

function browserName() {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const system = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iPhone" : /Mac OS/.test(ua) ? "Mac" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
  return system ? `${browser} on ${system}` : browser;
}

export async function signInWithCode({ phoneNumber, code, displayName }) {
  const answer = await post("auth/sign-in/", {
    phone_number: phoneNumber,
    code,
    display_name: displayName || "",
    device_name: texts.deviceName(browserName()),
    credential: "cookie",
  });
  session.person = answer.person;
  session.state = "signed_in";
  session.offline = false;
  session.notice = "";
  offline.keep("me", answer.person);
  changed();
  realtime.start();
  return answer;
}

async function forget(notice = "") {
  realtime.stop();
  await offline.clearAll();
  session.person = null;
  session.state = "signed_out";
  session.notice = notice;
  changed();
}

export async function signOut() {
  try {
    await post("auth/sign-out/");
  } finally {
    await forget();
  }
}

// The service said this device is no longer signed in (revoked elsewhere,
// expired, account deleted): forget everything and ask to sign in again.
let forgetting = false;
async function signedOutByService() {
  if (forgetting || session.state !== "signed_in") return;
  forgetting = true;
  try {
    const { common } = await import("../texts/common.js");
    await forget(common.signedOutElsewhere);
  } finally {
    forgetting = false;
  }
}

export function forgotten() {
  return forget();
}

apiSignedOut(signedOutByService);
realtime.whenSignedOut(signedOutByService);
