// The desk's rota (screens/desk_rota*.js): the network's occurrences over the
// shown week or month (cancelled ones too, and each one's pending ask to
// cover), its shifts, the ready peers, and the report. Days and hours are the
// network's, never the browser's: every date here goes through
// Intl.DateTimeFormat with the network's time zone. Nothing is kept offline
// (an old rota shown as the rota would be wrong in the worst way).
import { get, getAll, post, del, newKey } from "../api.js";
import { changed } from "../store.js";
import { on, onSync } from "../realtime.js";

export const deskRota = {
  networkId: null,
  range: null, // {from: "YYYY-MM-DD", days, start: Date, end: Date}
  entries: null, // [RotaEntryOut] overlapping the range, with cancelled ones
  error: null,
  shifts: null, // [ShiftOut]
  shiftsError: null,
  peers: null, // [MemberOut] ready for on call
  peersError: null,
  report: null, // RotaReportOut
  reportError: null,
};

function forNetwork(networkId) {
  if (deskRota.networkId === networkId) return;
  Object.assign(deskRota, {
    networkId,
    range: null,
    entries: null,
    error: null,
    shifts: null,
    peers: null,
    report: null,
  });
}

// ---- The network's wall clock -------------------------------------------

const formats = new Map();
function format(tz) {
  if (!formats.has(tz)) {
    formats.set(
      tz,
      new Intl.DateTimeFormat("en-GB", {
        timeZone: tz,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      }),
    );
  }
  return formats.get(tz);
}

function parts(date, tz) {
  const out = {};
  for (const part of format(tz).formatToParts(date)) out[part.type] = part.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour) % 24,
    minute: Number(out.minute),
    second: Number(out.second),
  };
}

const pad = (n) => String(n).padStart(2, "0");

// "2027-03-28" for the day it is at `date` in the zone.
export function localDay(date, tz) {
  const p = parts(date, tz);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

// "20:00" on the zone's clock.
export function localTime(date, tz) {
  const p = parts(date, tz);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

// Minutes since the zone's midnight, as its clock shows them.
export function localMinutes(date, tz) {
  const p = parts(date, tz);
  return p.hour * 60 + p.minute;
}

function offset(date, tz) {
  const p = parts(date, tz);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(date.getTime() / 1000) * 1000;
}

// The instant the zone's clock shows `day` at hh:mm.
export function zonedDate(day, tz, hh = 0, mm = 0) {
  const [y, m, d] = day.split("-").map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const first = wall - offset(new Date(wall), tz);
  return new Date(wall - offset(new Date(first), tz));
}

export function addDays(day, n) {
  const [y, m, d] = day.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d + n));
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

// 0 = Monday ... 6 = Sunday.
export function weekday(day) {
  const [y, m, d] = day.split("-").map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

export const mondayOf = (day) => addDays(day, -weekday(day));

// A month grid: six weeks from the Monday on or before the 1st.
export const monthGridStart = (day) => mondayOf(`${day.slice(0, 7)}-01`);

export function addMonths(day, n) {
  const [y, m] = day.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1 + n, 1));
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-01`;
}

export const isDay = (value) => typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));

// "Sat 27 Mar" for a day string (a calendar date: no zone involved).
export function dayName(day, style = "short") {
  const [y, m, d] = day.split("-").map(Number);
  const options =
    style === "long"
      ? { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }
      : { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" };
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-GB", options);
}

// "Sat 27 Mar 20:00 to Sun 28 Mar 08:00", in the zone.
export function spanText(start, end, tz) {
  const from = `${dayName(localDay(start, tz))} ${localTime(start, tz)}`;
  const sameDay = localDay(start, tz) === localDay(end, tz);
  const to = sameDay ? localTime(end, tz) : `${dayName(localDay(end, tz))} ${localTime(end, tz)}`;
  return `${from} to ${to}`;
}

export const hoursOf = (start, end) => (end - start) / 3600000;

// Stretches of [start, end) no (uncancelled) occurrence covers, as in
// network/recurrence.py gaps().
export function gaps(entries, start, end) {
  const spans = entries
    .filter((e) => !e.cancelled)
    .map((e) => [Math.max(new Date(e.start).getTime(), start.getTime()), Math.min(new Date(e.end).getTime(), end.getTime())])
    .filter(([a, b]) => a < b)
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out = [];
  let cursor = start.getTime();
  for (const [a, b] of spans) {
    if (a > cursor) out.push({ start: new Date(cursor), end: new Date(a) });
    cursor = Math.max(cursor, b);
  }
  if (cursor < end.getTime()) out.push({ start: new Date(cursor), end: end });
  return out;
}

// ---- Loading ---------------------------------------------------------------

let shownNetwork = null;

export async function loadRange(network, from, days) {
  forNetwork(network.id);
  shownNetwork = network;
  const tz = network.timezone;
  const start = zonedDate(from, tz);
  const end = zonedDate(addDays(from, days), tz);
  const range = { from, days, start, end };
  deskRota.range = range;
  const query = `?cancelled=true&asks=true&start=${encodeURIComponent(start.toISOString())}&end=${encodeURIComponent(end.toISOString())}`;
  try {
    const entries = await get(`networks/${network.id}/rota/${query}`);
    if (deskRota.range !== range) return; // another week was asked for meanwhile
    deskRota.entries = entries;
    deskRota.error = null;
  } catch (error) {
    if (deskRota.range === range) deskRota.error = error;
  }
  changed();
}

export async function loadShifts(networkId) {
  forNetwork(networkId);
  try {
    deskRota.shifts = await getAll(`networks/${networkId}/shifts/`);
    deskRota.shiftsError = null;
  } catch (error) {
    deskRota.shiftsError = error;
  }
  changed();
}

export async function loadPeers(networkId) {
  forNetwork(networkId);
  try {
    const members = await getAll(`networks/${networkId}/members/`);
    deskRota.peers = members
      .filter((m) => m.ready_for_on_call)
      .sort((a, b) => a.display_name.localeCompare(b.display_name, "en-GB"));
    deskRota.peersError = null;
  } catch (error) {
    deskRota.peersError = error;
  }
  changed();
}

export async function loadReport(networkId) {
  forNetwork(networkId);
  try {
    deskRota.report = await get(`networks/${networkId}/rota-report/`);
    deskRota.reportError = null;
  } catch (error) {
    deskRota.reportError = error;
  }
  changed();
}

// After any change: the shown range, the shifts and the report again.
export async function reload(network) {
  const jobs = [loadShifts(network.id), loadReport(network.id)];
  if (deskRota.range) jobs.push(loadRange(network, deskRota.range.from, deskRota.range.days));
  await Promise.all(jobs);
}

// ---- Changes ---------------------------------------------------------------

// {person, start_date, start_time, duration_minutes, rrule, note}
export async function addShift(network, shift) {
  const made = await post(`networks/${network.id}/shifts/`, shift, { key: newKey() });
  await reload(network);
  return made;
}

export async function endShift(network, shiftId) {
  try {
    await del(`shifts/${shiftId}/`);
  } finally {
    await reload(network);
  }
}

export async function cancelOccurrence(network, entry) {
  try {
    return await post(`shifts/${entry.shift_id}/cancellations/`, { occurrence_start: entry.start }, { key: newKey() });
  } finally {
    await reload(network);
  }
}

// Asks a peer to take one occurrence: pending until they say yes.
export async function askForCover(network, entry, askedId) {
  try {
    return await post(`shifts/${entry.shift_id}/swaps/`, { occurrence_start: entry.start, taken_by: askedId }, { key: newKey() });
  } finally {
    await reload(network);
  }
}

export async function withdrawAsk(network, requestId) {
  try {
    return await post(`swap-requests/${requestId}/withdraw/`, {});
  } finally {
    await reload(network);
  }
}

// The presets, as the API's shape: a local start, a length and an RFC 5545 rule.
export const PRESETS = {
  nights: { start_time: "20:00", duration_minutes: 720, rrule: "FREQ=DAILY" },
  weekdays: { start_time: "08:00", duration_minutes: 720, rrule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" },
  weekends: { start_time: "08:00", duration_minutes: 720, rrule: "FREQ=WEEKLY;BYDAY=SA,SU" },
  night: { start_time: "20:00", duration_minutes: 720, rrule: "" },
};

export const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

export function customRule(days) {
  if (!days.length) return "";
  if (days.length === 7) return "FREQ=DAILY";
  return `FREQ=WEEKLY;BYDAY=${DAYS.filter((d) => days.includes(d)).join(",")}`;
}

// After a reconnect, what the desk shows is read again; and when an ask to
// cover that I made (or that is about me) is answered or withdrawn, or I am
// asked: the events carry no rota, so the rota is read again.
const again = () => (shownNetwork && deskRota.networkId === shownNetwork.id ? reload(shownNetwork) : null);
onSync(again);
for (const type of ["swap.answered", "swap.withdrawn", "swap.requested"]) on(type, again);

// The form's answers for covering a gap: "One night only" for a gap of one
// whole night (20:00 to 08:00), else a one-off of the gap's own times (at most
// the 48 hours a shift may last), never starting in the past.
export function gapShape(gap, tz) {
  const from = new Date(Math.max(gap.start.getTime(), Math.floor(Date.now() / 60000) * 60000));
  const hours = Math.min(48, Math.round(((gap.end - from) / 3600000) * 4) / 4);
  const date = localDay(from, tz);
  const night = localTime(gap.start, tz) === "20:00" && localTime(gap.end, tz) === "08:00" && gap.end - gap.start <= 13 * 3600000;
  if (night) return { preset: "night", date: localDay(gap.start, tz) };
  return { preset: "custom", date, start: localTime(from, tz), hours: String(Math.max(0.25, hours)) };
}
