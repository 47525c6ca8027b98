// The rota drawn: a week (seven columns, the hours of each day on the
// network's clock) or a month (weeks x days). Gaps are drawn as gaps: a
// labelled block "Nobody on call 20:00–08:00", not only a colour. Each day is
// a heading and a list, so a screen reader hears the same as the eye sees:
// "Hana 20:00–08:00, 12 hours", "Nobody on call 08:00–20:00".
import { html } from "../lib.js";
import { deskRota as texts } from "../texts/desk_rota.js";
import {
  addDays,
  dayName,
  gaps as gapsOf,
  hoursOf,
  localDay,
  localMinutes,
  localTime,
  zonedDate,
} from "../data/desk_rota.js";

const DAY = 24 * 60;

// "March 2027" for "2027-03".
export function monthName(month) {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
}

// "20:00" or, for a span of a day or more, "Sun 28 Mar 08:00".
function endText(start, end, tz) {
  return end - start >= 24 * 3600000 ? `${dayName(localDay(end, tz))} ${localTime(end, tz)}` : localTime(end, tz);
}

export function entryLabel(entry, tz) {
  const start = new Date(entry.start);
  const end = new Date(entry.end);
  return `${entry.display_name} ${texts.span(localTime(start, tz), endText(start, end, tz))}`;
}

export function gapLabel(gap, tz) {
  return texts.gap(localTime(gap.start, tz), endText(gap.start, gap.end, tz));
}

// The occurrences and the gaps between them over the shown range.
export function itemsOf(entries, range) {
  const shown = entries.map((entry) => ({
    kind: entry.cancelled ? "cancelled" : "shift",
    entry,
    start: new Date(entry.start),
    end: new Date(entry.end),
  }));
  const holes = gapsOf(entries, range.start, range.end).map((gap) => ({ kind: "gap", ...gap }));
  const items = [...shown, ...holes].sort((a, b) => a.start - b.start || a.end - b.end);
  for (const hole of holes) {
    hole.cancelled = shown.filter((i) => i.kind === "cancelled" && i.start < hole.end && i.end > hole.start);
  }
  return items;
}

function marks(entry) {
  const out = [];
  if (entry.swapped) out.push(texts.swappedFrom(entry.original_display_name));
  if (entry.pending_swap) out.push(texts.pendingFor(entry.pending_swap.asked_display_name));
  return out;
}

const keyOf = (entry) => `${entry.shift_id}|${new Date(entry.start).getTime()}`;

function ShiftBlock({ item, tz, chosen, onChoose, continued = "", style = undefined, compact = false }) {
  const entry = item.entry;
  const classes = ["rota-block", "rota-shift"];
  if (entry.swapped) classes.push("rota-swapped");
  if (entry.pending_swap) classes.push("rota-pending");
  if (chosen && keyOf(chosen) === keyOf(entry)) classes.push("rota-chosen");
  const extra = marks(entry);
  return html`<li class=${classes.join(" ")} style=${style} data-shift=${entry.shift_id} data-start=${entry.start}>
    <button type="button" class="rota-block-button" onClick=${() => onChoose(entry)} aria-pressed=${chosen && keyOf(chosen) === keyOf(entry) ? "true" : "false"}>
      <span class="rota-who">${entryLabel(entry, tz)}</span>
      ${compact ? null : html`<span class="rota-hours">${texts.hours(hoursOf(item.start, item.end))}</span>`}
      ${extra.map((mark) => html`<span class="rota-mark">${mark}</span>`)}
      ${continued ? html`<span class="visually-hidden">, ${texts.fromDay(continued)}</span>` : null}
    </button>
  </li>`;
}

function GapBlock({ item, tz, style = undefined, continued = "", onCover = null }) {
  const future = item.end > new Date();
  return html`<li class="rota-block rota-gap" style=${style} data-gap-start=${item.start.toISOString()}>
    <span class="rota-gap-label">${gapLabel(item, tz)}</span>
    ${onCover && future && !continued
      ? html`<button type="button" class="rota-cover" onClick=${() => onCover(item)} aria-label=${texts.coverNamed(gapLabel(item, tz))}>${texts.cover}</button>`
      : null}
    ${item.cancelled.length
      ? html`<span class="rota-mark">${texts.cancelledIn(item.cancelled.map((c) => entryLabel(c.entry, tz)).join(", "))}</span>`
      : null}
    ${continued ? html`<span class="visually-hidden">, ${texts.fromDay(continued)}</span>` : null}
  </li>`;
}

// Where a piece of an item falls in a day, in minutes on the day's clock.
function segment(item, dayStart, dayEnd, tz) {
  const top = item.start <= dayStart ? 0 : localMinutes(item.start, tz);
  let bottom = item.end >= dayEnd ? DAY : localMinutes(item.end, tz);
  if (bottom <= top) bottom = DAY;
  return { top, bottom };
}

// Side by side when two people are on call at once.
function lanes(pieces) {
  const ends = [];
  for (const piece of pieces) {
    let lane = ends.findIndex((end) => end <= piece.top);
    if (lane === -1) lane = ends.length;
    ends[lane] = piece.bottom;
    piece.lane = lane;
  }
  return Math.max(1, ends.length);
}

export function WeekView({ range, entries, tz, chosen, onChoose, onCover }) {
  const items = itemsOf(entries, range);
  const days = Array.from({ length: 7 }, (_, n) => addDays(range.from, n));
  const today = localDay(new Date(), tz);
  return html`<div class="rota-week" role="group" aria-label=${texts.gridLabel(texts.weekOf(dayName(days[0], "long"), dayName(days[6], "long")))}>
    <div class="rota-axis" aria-hidden="true">
      <div class="rota-day-head"></div>
      <div class="rota-hours-axis">
        ${[0, 3, 6, 9, 12, 15, 18, 21].map((h) => html`<span class="rota-hour" style=${{ top: `${(h / 24) * 100}%` }}>${String(h).padStart(2, "0")}:00</span>`)}
      </div>
    </div>
    ${days.map((day) => {
      const dayStart = zonedDate(day, tz);
      const dayEnd = zonedDate(addDays(day, 1), tz);
      const here = items
        .filter((item) => item.kind !== "cancelled" && item.start < dayEnd && item.end > dayStart)
        .map((item) => ({ item, ...segment(item, dayStart, dayEnd, tz) }));
      const shifts = here.filter((piece) => piece.item.kind === "shift");
      const count = lanes(shifts);
      const from = (item) => (item.start < dayStart ? dayName(localDay(item.start, tz)) : "");
      const place = (piece, lane = 0, of = 1) => ({
        top: `${(piece.top / DAY) * 100}%`,
        height: `${((piece.bottom - piece.top) / DAY) * 100}%`,
        left: `${(lane / of) * 100}%`,
        width: `${100 / of}%`,
      });
      return html`<section class=${day === today ? "rota-day rota-today" : "rota-day"} aria-labelledby=${`rota-day-${day}`} data-day=${day}>
        <h3 class="rota-day-head" id=${`rota-day-${day}`}>${dayName(day)}</h3>
        <ul class="rota-day-body">
          ${here.map((piece) =>
            piece.item.kind === "gap"
              ? html`<${GapBlock} item=${piece.item} tz=${tz} style=${place(piece)} continued=${from(piece.item)} onCover=${onCover} />`
              : html`<${ShiftBlock} item=${piece.item} tz=${tz} chosen=${chosen} onChoose=${onChoose}
                  style=${place(piece, piece.lane, count)} continued=${from(piece.item)} />`,
          )}
        </ul>
      </section>`;
    })}
  </div>`;
}

export function MonthView({ range, entries, tz, month, chosen, onChoose, onCover }) {
  const items = itemsOf(entries, range);
  const today = localDay(new Date(), tz);
  const weeks = Array.from({ length: range.days / 7 }, (_, w) => Array.from({ length: 7 }, (_, d) => addDays(range.from, w * 7 + d)));
  // Each item on the day it starts (what began before the grid, on its first day).
  const byDay = new Map();
  for (const item of items) {
    if (item.kind === "cancelled") continue;
    const day = item.start < range.start ? range.from : localDay(item.start, tz);
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day).push(item);
  }
  const cancelledOn = (day) => items.filter((item) => item.kind === "cancelled" && localDay(item.start, tz) === day);
  return html`<table class="rota-month">
    <caption class="visually-hidden">${texts.gridLabel(monthName(month))}</caption>
    <thead>
      <tr>${weeks[0].map((day) => html`<th scope="col">${dayName(day).split(" ")[0]}</th>`)}</tr>
    </thead>
    <tbody>
      ${weeks.map(
        (week) => html`<tr>
          ${week.map((day) => {
            const classes = ["rota-cell"];
            if (!day.startsWith(month)) classes.push("rota-other-month");
            if (day === today) classes.push("rota-today");
            const cancelled = cancelledOn(day);
            return html`<td class=${classes.join(" ")} data-day=${day}>
              <h3 class="rota-cell-day"><span class="visually-hidden">${dayName(day, "long")}</span><span aria-hidden="true">${Number(day.slice(8))}</span></h3>
              <ul class="rota-cell-items">
                ${(byDay.get(day) || []).map((item) =>
                  item.kind === "gap"
                    ? html`<${GapBlock} item=${{ ...item, cancelled: [] }} tz=${tz} onCover=${onCover} />`
                    : html`<${ShiftBlock} item=${item} tz=${tz} chosen=${chosen} onChoose=${onChoose} compact=${true} />`,
                )}
                ${cancelled.map(
                  (item) => html`<li class="rota-block rota-cancelled">${entryLabel(item.entry, tz)} <span class="rota-mark">${texts.cancelled}</span></li>`,
                )}
              </ul>
            </td>`;
          })}
        </tr>`,
      )}
    </tbody>
  </table>`;
}
