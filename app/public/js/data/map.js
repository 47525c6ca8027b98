// My personal map (GET/POST/PATCH/DELETE /me/ties/): the people and places I
// lean on, each with who may see it. Mine whatever network I am in.
import { getAll, post, patch, del, newKey } from "../api.js";
import { changed } from "../store.js";

export const map = { ties: null, error: null };

// The visibility choices the API offers (network/models/maps.py Tie.Visibility).
export const VISIBILITIES = ["only_me", "my_navigator", "my_network"];
export const KINDS = ["person", "place", "formal_service", "informal_asset"];
export const STRENGTHS = [3, 2, 1, -1];
export const DIRECTIONS = ["to_me", "from_me", "both", "none"];

export async function load() {
  try {
    map.ties = await getAll("me/ties/");
    map.error = null;
  } catch (error) {
    map.error = error;
  }
  changed();
}

export const byId = (id) => (map.ties || []).find((tie) => tie.id === Number(id)) || null;

export async function add(values) {
  const tie = await post("me/ties/", values, { key: newKey() });
  map.ties = [...(map.ties || []), tie];
  changed();
  return tie;
}

export async function update(id, values) {
  const tie = await patch(`me/ties/${id}/`, values);
  map.ties = (map.ties || []).map((old) => (old.id === tie.id ? tie : old));
  changed();
  return tie;
}

export async function remove(id) {
  await del(`me/ties/${id}/`);
  map.ties = (map.ties || []).filter((tie) => tie.id !== Number(id));
  changed();
}
