// The words of the desk's map (screens/desk_map.js).
const strengths = { 3: "strong", 2: "OK", 1: "weak", "-1": "can be stressful" };
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

export const deskMapTexts = {
  title: "Map",
  intro:
    "The network's members, the ties they chose to share with you, and the community places and services they lean on. Nothing a member keeps to themselves is here.",
  refresh: "Load the map again",
  loadedAt: (time) => `As of ${time}.`,
  graphHeading: "The network map",
  canvasLabel: ({ members, others, ties, flagged }) =>
    `Network map: ${plural(members, "member", "members")}, ${plural(others, "other person, place or service", "other people, places and services")}, ${plural(ties, "shared tie", "shared ties")}. ${flagged ? `${plural(flagged, "point", "points")} to look at are highlighted.` : "Nothing is highlighted."} The same map is listed in words below.`,
  empty: "There is nobody on this map yet.",
  zoomIn: "Zoom in",
  zoomOut: "Zoom out",
  fit: "Fit to view",
  highlightLabel: "Highlight on the map",
  highlight: {
    all: "Everything to look at",
    isolated: "Isolated members",
    several: "Members in several networks",
    gaps: "Gaps in the on-call rota",
    overCap: "Over the size cap",
    stale: "Entries not checked for 12 months",
  },
  nothingToHighlight: "Nothing to highlight for this: the whole map is dimmed.",
  legendHeading: "Key",
  kinds: {
    network: "The network",
    member: "A member",
    outside: "Someone outside the network",
    service: "A service",
    asset: "A community asset",
    place: "A place",
  },
  edges: {
    membership: "Belongs to the network",
    tie: "A tie between people (thicker is stronger)",
    uses: "Leans on a place or service",
    listed_in: "Listed in the network's directory",
    stressful: "A tie that can be stressful (dashed)",
  },
  flags: {
    isolated: "Isolated member (thick orange ring)",
    several: "In several networks (double ring)",
    stale: "Not checked for 12 months (orange outline)",
    network: "Rota gaps or over the size cap (orange outline)",
  },
  healthHeading: "How the network is doing",
  healthNote: "Counted from what members chose to share with you: someone who keeps their map to themselves can look isolated here.",
  // Each indicator: what it is, followed by the names it flags, or what to say when it flags nobody.
  isolated: { lead: "Isolated (one shared tie or none)", none: "Nobody is isolated: every member shares more than one tie." },
  several: { lead: "In several networks", none: "Nobody is in another network too." },
  stale: { lead: "Not checked for 12 months", none: "Every open directory entry was checked in the last 12 months." },
  gaps: (hours) =>
    hours > 0
      ? `The on-call rota has ${plural(Math.round(hours * 10) / 10, "hour", "hours")} with nobody on call over the next four weeks.`
      : "The on-call rota has somebody for every hour of the next four weeks.",
  size: (size, cap, over) =>
    over ? `Over the size cap: ${size} people, the cap is ${cap}.` : `${size} people, within the cap of ${cap}.`,
  showIt: (label) => `Show ${label} on the map`,
  detailsHeading: "Selected",
  nothingSelected: "Choose someone or something on the map, or in the list below, to see it here.",
  clear: "Clear the choice",
  kindOf: (kind, role = null) =>
    ({ navigator: "The network's navigator", facilitator: "A facilitator" })[role] || deskMapTexts.kinds[kind] || kind,
  flagText: {
    isolated: "Isolated: one shared tie or none.",
    several: "In several networks.",
    stale: "Not checked for 12 months.",
    gaps: "The rota has gaps over the next four weeks.",
    overCap: "Over the size cap.",
  },
  lastChecked: (date) => (date ? `Last checked ${date}.` : "Never checked."),
  connections: "On the map",
  noConnections: "No shared ties.",
  listHeading: "The map in words",
  listIntro: "Every person, place and service on the map, and how they are joined.",
  nodeColumn: "Who or what",
  kindColumn: "Kind",
  linksColumn: "Joined to",
  // One line per edge, read from its source's side.
  edge(edge, source, target) {
    const s = strengths[edge.strength];
    const how = s ? ` (${s})` : "";
    if (edge.kind === "membership") {
      const role = { navigator: "navigator of", facilitator: "facilitator of" }[edge.role] || "member of";
      return `${source} — ${role} ${target}`;
    }
    if (edge.kind === "listed_in") return `${source} — listed in ${target}`;
    if (edge.direction === "both") return `${source} — ${target}: they help each other${how}`;
    if (edge.direction === "from_me") return `${source} — helps ${target}${how}`;
    if (edge.direction === "none") return `${source} — knows ${target}${how}`;
    return `${source} — leans on ${target}${how}`;
  },
};
