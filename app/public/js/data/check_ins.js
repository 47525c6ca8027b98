// Check-ins: "thinking of you" to someone in my networks, and the follow-up
// check-ins an alert's member asked for (GET follow-ups/, kept live by
// alert.follow_up_due). Each send carries an Idempotency-Key made once for it,
// so pressing again after a dropped signal never sends two.
import { getAll, post, newKey } from "../api.js";
import { changed } from "../store.js";
import { on } from "../realtime.js";

export const checkIns = { followUps: null, error: null };

export async function loadFollowUps() {
  try {
    checkIns.followUps = await getAll("follow-ups/");
    checkIns.error = null;
  } catch (error) {
    checkIns.error = error;
  }
  changed();
}

// The service lists a follow-up once it fell due; these are the ones not done yet.
export const due = () => (checkIns.followUps || []).filter((f) => !f.checked_in);

// A key per thing being sent, kept until it went through (a retry reuses it).
const keys = new Map();
async function once(what, send) {
  if (!keys.has(what)) keys.set(what, newKey());
  const message = await send(keys.get(what));
  keys.delete(what);
  return message;
}

export const sendCheckIn = (personId, text) =>
  once(`check-in:${personId}:${text}`, (key) => post("check-ins/", { person_id: personId, text }, { key }));

export async function sendFollowUp(followUpId, text) {
  const message = await once(`follow-up:${followUpId}:${text}`, (key) =>
    post(`follow-ups/${followUpId}/check-in/`, { text }, { key }),
  );
  const followUp = (checkIns.followUps || []).find((f) => f.id === followUpId);
  if (followUp) followUp.checked_in = true;
  changed();
  return message;
}

on("alert.follow_up_due", () => loadFollowUps());
