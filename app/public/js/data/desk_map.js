// The desk's map of one network (GET graph/?network=<id> and
// GET networks/<id>/health/), as the service gives it to this navigator or
// facilitator: every tie only as far as its owner chose to share it. The
// screen draws exactly these answers and nothing else. Nothing is kept
// offline: an old map would be shown as today's.
import { get } from "../api.js";
import { changed } from "../store.js";
import { onSync } from "../realtime.js";

// network id -> {graph: {nodes, edges} | null, health: HealthOut | null, error, loadedAt}
export const maps = {};

export const mapOf = (networkId) => maps[networkId] || { graph: null, health: null, error: null, loadedAt: null };

export async function load(networkId) {
  const entry = (maps[networkId] = { ...mapOf(networkId), error: null });
  changed();
  try {
    const [graph, health] = await Promise.all([
      get(`graph/?network=${encodeURIComponent(networkId)}`),
      get(`networks/${encodeURIComponent(networkId)}/health/`),
    ]);
    Object.assign(entry, { graph, health, error: null, loadedAt: Date.now() });
  } catch (error) {
    entry.error = error;
  }
  changed();
  return entry;
}

// After a reconnect the map may be out of date: load again what was shown.
onSync(() => Promise.allSettled(Object.keys(maps).filter((id) => maps[id].graph).map((id) => load(id))));

// --- Reading the graph -------------------------------------------------------
// Node ids: "network:<id>", "person:<id>" (a member), "asset:<id>" (a listed
// service or asset), "tie:<id>" (someone or something a member named).

// The kind of a node as the map draws it: network, member, outside (a person
// outside the network), service, asset or place.
export function drawnKind(node) {
  if (node.kind === "network") return "network";
  if (node.id.startsWith("person:")) return "member";
  if (node.kind === "service" || node.kind === "formal_service") return "service";
  if (node.kind === "asset" || node.kind === "informal_asset") return "asset";
  if (node.kind === "place") return "place";
  return "outside";
}

export const DRAWN_KINDS = ["network", "member", "outside", "service", "asset", "place"];
export const EDGE_KINDS = ["membership", "tie", "uses", "listed_in"];

// The health indicators, each naming the nodes it flags (ids as in the graph).
export const INDICATORS = ["isolated", "several", "gaps", "overCap", "stale"];

export function flagged(health, networkId) {
  if (!health) return { isolated: [], several: [], gaps: [], overCap: [], stale: [] };
  return {
    isolated: health.isolated_members.map((p) => `person:${p.person_id}`),
    several: health.in_several_networks.map((p) => `person:${p.person_id}`),
    gaps: health.on_call_gap_hours_next_4_weeks > 0 ? [`network:${networkId}`] : [],
    overCap: health.over_size_cap ? [`network:${networkId}`] : [],
    stale: health.stale_assets.map((a) => `asset:${a.id}`),
  };
}

// A person's role in the network (from their membership edge), or null.
export function roleOf(graph, id) {
  const membership = graph.edges.find((edge) => edge.kind === "membership" && edge.source === id);
  return membership ? membership.role : null;
}

// Edges touching a node, each with the node at its other end.
export function edgesOf(graph, id) {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  return graph.edges
    .filter((edge) => edge.source === id || edge.target === id)
    .map((edge) => ({ edge, from: byId.get(edge.source), to: byId.get(edge.target) }));
}
