// The networks I belong to (GET /api/v1/networks/), with my role in each and
// each network's emergency routes, kept offline.
import { getAll } from "../api.js";
import { changed } from "../store.js";
import { onSync } from "../realtime.js";
import * as offline from "./offline.js";

export const networks = { list: null, error: null };

export async function load() {
  try {
    networks.list = await getAll("networks/");
    networks.error = null;
    offline.keep("networks", networks.list);
  } catch (error) {
    networks.error = error;
    const saved = await offline.read("networks");
    if (saved && !networks.list) networks.list = saved.value;
  }
  changed();
  return networks.list;
}

export async function restore() {
  const saved = await offline.read("networks");
  if (saved && !networks.list) {
    networks.list = saved.value;
    changed();
  }
}

export function byId(id) {
  return (networks.list || []).find((network) => network.id === Number(id)) || null;
}

export const roleIn = (id) => (byId(id) || {}).my_role || null;
export const isStaffAnywhere = () =>
  (networks.list || []).some((network) => ["navigator", "facilitator"].includes(network.my_role));

onSync(load);
