// My account: my name, the devices signed in to it, my data, deleting it.
import { get, getAll, patch, post, del } from "../api.js";
import { changed } from "../store.js";
import { session, forgotten } from "./session.js";
import * as offline from "./offline.js";
import * as realtime from "../realtime.js";
import { forgetPush } from "./push.js";

export const account = { devices: null, error: null };

export async function loadDevices() {
  try {
    account.devices = await getAll("me/devices/");
    account.error = null;
  } catch (error) {
    account.error = error;
  }
  changed();
}

export async function rename(displayName) {
  const person = await patch("me/", { display_name: displayName });
  session.person = person;
  offline.keep("me", person);
  changed();
  return person;
}

export async function signOutDevice(id) {
  await del(`me/devices/${encodeURIComponent(id)}/`);
  account.devices = (account.devices || []).filter((device) => device.id !== id);
  changed();
}

// Everything held about me, saved as a JSON file on this phone.
export async function downloadMyData(fileName) {
  const data = await get("my-data/");
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Deleting the account signs out every device; this phone then forgets
// everything it kept, and the sign-in screen says what happened.
export async function deleteAccount(confirm, notice) {
  // The socket is closed first, so the service closing it on the deletion
  // is not taken for a sign-out from elsewhere (a different message).
  realtime.stop();
  try {
    await post("my-account/delete/", { confirm });
  } catch (error) {
    realtime.start();
    throw error;
  }
  await forgetPush({ server: false });
  await forgotten();
  session.notice = notice;
  changed();
}
