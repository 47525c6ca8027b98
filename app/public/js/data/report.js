// How the network is doing (GET networks/<id>/report/?period=2026-11): the
// figures for one month or quarter, the periods to choose from, the pulse
// summary. Counts are cells {value, suppressed}: a suppressed one reads
// "fewer than 5", never a number. Not kept offline.
import { get } from "../api.js";
import { changed } from "../store.js";
import { onSync } from "../realtime.js";
import { session } from "./session.js";

// "<network id>|<period key or ''>" -> {report, error}
export const reports = {};
let personId = null;

function forOnePerson() {
  const me = session.person ? session.person.id : null;
  if (me === personId) return;
  for (const key of Object.keys(reports)) delete reports[key];
  personId = me;
}

export function reportFor(networkId, period) {
  forOnePerson();
  return (reports[`${Number(networkId)}|${period || ""}`] ||= { report: null, error: null });
}

export async function load(networkId, period) {
  const state = reportFor(networkId, period);
  try {
    state.report = await get(`networks/${networkId}/report/${period ? `?period=${encodeURIComponent(period)}` : ""}`);
    state.error = null;
  } catch (error) {
    state.error = error;
  }
  changed();
}

export const csvHref = (networkId, period) =>
  `/api/v1/networks/${networkId}/report.csv${period ? `?period=${encodeURIComponent(period)}` : ""}`;

onSync(() =>
  Promise.all(
    Object.keys(reports).map((key) => {
      const [networkId, period] = key.split("|");
      return load(networkId, period);
    }),
  ),
);
