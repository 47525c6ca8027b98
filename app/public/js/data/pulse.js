// The network's pulse: one short question a month (a 1 to 5 scale and
// optional words), set by its facilitators. GET networks/<id>/pulse/ says the
// question and whether I answered this period; answers are only ever shown
// in aggregate (the report's pulse summary).
import { get, post, put, del, newKey } from "../api.js";
import { changed } from "../store.js";
import { onSync } from "../realtime.js";
import { session } from "./session.js";

// network id -> {pulse: {question, period, my_answer}, error}
export const pulses = {};
let personId = null;

function forOnePerson() {
  const me = session.person ? session.person.id : null;
  if (me === personId) return;
  for (const id of Object.keys(pulses)) delete pulses[id];
  personId = me;
}

export function pulseOf(networkId) {
  forOnePerson();
  return (pulses[Number(networkId)] ||= { pulse: null, error: null });
}

export async function load(networkId) {
  const state = pulseOf(networkId);
  try {
    state.pulse = await get(`networks/${networkId}/pulse/`);
    state.error = null;
  } catch (error) {
    state.error = error;
  }
  changed();
}

// Once a period (a second answer is refused, 409); a retry with the same
// key gets the first answer back.
export async function answer(networkId, { scale, words }, key = newKey()) {
  const body = words ? { scale, words } : { scale };
  try {
    await post(`networks/${networkId}/pulse/answers/`, body, { key });
  } finally {
    await load(networkId);
  }
}

export async function setQuestion(networkId, question) {
  await put(`networks/${networkId}/pulse/question/`, question, { key: newKey() });
  await load(networkId);
}

export async function turnOff(networkId) {
  await del(`networks/${networkId}/pulse/question/`, { key: newKey() });
  await load(networkId);
}

onSync(() => Promise.all(Object.keys(pulses).map((id) => load(id))));
