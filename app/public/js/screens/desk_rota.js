// The desk's rota (#/desk/<network>/rota[/week|month[/YYYY-MM-DD]]): the week
// or the month on the network's own clock, gaps drawn as gaps; one occurrence
// chosen to cancel it, ask a peer to cover it (pending until they say yes) or
// end its shift; adding a shift from a preset or by hand; the balance report
// with its chart and the gaps; calendar feed links.
// Pieces: desk_rota_views.js (week and month), desk_rota_shift.js (the form and
// the shifts), desk_rota_report.js (report, chart, feeds).
import { html, useEffect, useRef, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href, navigate } from "../router.js";
import { Loading, Flash, Button, Confirm } from "../ui.js";
import { problemText } from "../texts/common.js";
import { deskRota as texts } from "../texts/desk_rota.js";
import { DeskPage } from "./desk_frame.js";
import { WeekView, MonthView, monthName, entryLabel } from "./desk_rota_views.js";
import { AddShift, ShiftList } from "./desk_rota_shift.js";
import { Report, Feeds } from "./desk_rota_report.js";
import * as data from "../data/desk_rota.js";

const state = data.deskRota;

// What the route asks to show: the view, the day it is about, the grid's range.
function shown(path, tz) {
  const view = path[0] === "month" ? "month" : "week";
  const day = data.isDay(path[1]) ? path[1] : data.localDay(new Date(), tz);
  if (view === "month") return { view, day, month: day.slice(0, 7), from: data.monthGridStart(day), days: 42 };
  return { view, day, from: data.mondayOf(day), days: 7 };
}

const sameEntry = (a, b) => a && b && a.shift_id === b.shift_id && new Date(a.start).getTime() === new Date(b.start).getTime();

export default function DeskRota({ network, path }) {
  useStore();
  const tz = network.timezone;
  const view = shown(path, tz);
  const [said, setSaid] = useState("");
  const [error, setError] = useState("");
  const [chosenEntry, choose] = useState(null);
  const [asking, setAsking] = useState(null); // {title, body, confirm, danger, run}
  const [prefill, setPrefill] = useState(null); // a gap to cover: the form takes its times
  const cover = (gap) => setPrefill({ ...data.gapShape(gap, tz), key: Date.now() });

  useEffect(() => {
    data.loadShifts(network.id);
    data.loadPeers(network.id);
    data.loadReport(network.id);
  }, [network.id]);
  useEffect(() => {
    data.loadRange(network, view.from, view.days);
  }, [network.id, view.from, view.days]);

  const base = `/desk/${network.id}/rota`;
  const at = (v, day) => `${base}/${v}/${day}`;
  const step = view.view === "month" ? (n) => data.addMonths(view.day, n) : (n) => data.addDays(view.from, 7 * n);
  const today = data.localDay(new Date(), tz);
  const ready = state.range && state.range.from === view.from && state.range.days === view.days && state.entries !== null && state.networkId === network.id;
  // The chosen occurrence as the rota now shows it (it may have changed).
  const chosen = ready && chosenEntry ? state.entries.find((e) => sameEntry(e, chosenEntry)) || null : null;
  const sayOk = (text) => {
    setError("");
    setSaid(text);
  };
  const sayError = (text) => {
    setSaid("");
    setError(text);
  };

  const title =
    view.view === "month" ? monthName(view.month) : texts.weekOf(data.dayName(view.from), data.dayName(data.addDays(view.from, 6)));
  return html`<${DeskPage} title=${texts.title} network=${network} section="rota">
    <p>${texts.intro} ${texts.zone(tz)}</p>
    <${Flash} text=${said} />
    ${error ? html`<p class="notice" role="alert">${error}</p>` : null}
    <section class="rota-calendar" aria-labelledby="rota-shown">
      <div class="rota-toolbar">
        <h2 id="rota-shown">${title}</h2>
        <nav class="rota-views" aria-label=${texts.viewsLabel}>
          ${["week", "month"].map(
            (v) => html`<a class="button button-secondary" href=${href(at(v, view.day))} aria-current=${view.view === v ? "page" : undefined}>${texts.views[v]}</a>`,
          )}
        </nav>
        <nav class="rota-steps" aria-label=${title}>
          <a class="button button-secondary" href=${href(at(view.view, step(-1)))}>${texts.previous[view.view]}</a>
          <a class="button button-secondary" href=${href(at(view.view, today))}>${texts.today}</a>
          <a class="button button-secondary" href=${href(at(view.view, step(1)))}>${texts.next[view.view]}</a>
        </nav>
        <${Jump} day=${view.day} onGo=${(day) => navigate(at(view.view, day))} />
      </div>
      ${!ready
        ? html`<${Loading} error=${state.error} retry=${() => data.loadRange(network, view.from, view.days)} />`
        : html`
            <p class="rota-summary" aria-live="polite">${texts.gapsInView(data.gaps(state.entries, state.range.start, state.range.end).length)}</p>
            <div class="rota-grid">
              ${view.view === "month"
                ? html`<${MonthView} range=${state.range} entries=${state.entries} tz=${tz} month=${view.month} chosen=${chosen} onChoose=${choose} onCover=${cover} />`
                : html`<${WeekView} range=${state.range} entries=${state.entries} tz=${tz} chosen=${chosen} onChoose=${choose} onCover=${cover} />`}
            </div>
            ${chosen
              ? html`<${Chosen} key=${`${chosen.shift_id}-${chosen.start}`} network=${network} entry=${chosen} onClose=${() => choose(null)}
                  onSaid=${sayOk} onError=${sayError} confirm=${setAsking} />`
              : null}`}
    </section>
    <section aria-labelledby="rota-add-title">
      <h2 id="rota-add-title">${texts.addTitle}</h2>
      <${AddShift} network=${network} onSaid=${sayOk} prefill=${prefill} />
    </section>
    <section aria-labelledby="rota-shifts-title">
      <h2 id="rota-shifts-title">${texts.shiftsTitle}</h2>
      <${ShiftList} network=${network} onSaid=${sayOk} onError=${sayError} confirm=${setAsking} />
    </section>
    <section aria-labelledby="rota-report-title">
      <h2 id="rota-report-title">${texts.reportTitle}</h2>
      <${Report} network=${network} />
    </section>
    <section aria-labelledby="rota-feeds-title">
      <h2 id="rota-feeds-title">${texts.feedsTitle}</h2>
      <${Feeds} network=${network} onSaid=${sayOk} confirm=${setAsking} />
    </section>
    <${Confirm} open=${Boolean(asking)} title=${asking ? asking.title : ""} body=${asking ? asking.body : ""}
      confirm=${asking ? asking.confirm : ""} danger=${Boolean(asking && asking.danger)}
      onConfirm=${async () => {
        const job = asking;
        try {
          await job.run();
        } finally {
          setAsking(null);
        }
      }}
      onCancel=${() => setAsking(null)} />
  </${DeskPage}>`;
}

function Jump({ day, onGo }) {
  const [value, setValue] = useState(day);
  useEffect(() => setValue(day), [day]);
  return html`<form class="rota-jump" onSubmit=${(event) => {
      event.preventDefault();
      if (data.isDay(value)) onGo(value);
    }}>
    <label for="rota-jump">${texts.jumpLabel}</label>
    <input id="rota-jump" type="date" value=${value} onInput=${(e) => setValue(e.currentTarget.value)} />
    <${Button} type="submit" kind="secondary">${texts.jump}</${Button}>
  </form>`;
}

// One occurrence, chosen on the grid: what it is and what can be done with it.
function Chosen({ network, entry, onClose, onSaid, onError, confirm }) {
  const tz = network.timezone;
  const heading = useRef(null);
  const [asked, setAsked] = useState("");
  const [askError, setAskError] = useState("");
  useEffect(() => {
    if (heading.current) heading.current.focus();
  }, []);
  const start = new Date(entry.start);
  const end = new Date(entry.end);
  const when = data.spanText(start, end, tz);
  const over = end <= new Date();
  const peers = (state.peers || []).filter((p) => p.person_id !== entry.person_id);
  const changedMeanwhile = (failure) => ([404, 409].includes(failure.status) ? texts.gone : problemText(failure));
  const person = peers.find((p) => String(p.person_id) === asked);
  const ask = (event) => {
    event.preventDefault();
    if (!person) {
      setAskError(texts.askChoose);
      return;
    }
    setAskError("");
    confirm({
      title: texts.askConfirmTitle(person.display_name),
      body: texts.askConfirmBody(person.display_name),
      confirm: texts.ask,
      run: async () => {
        try {
          await data.askForCover(network, entry, person.person_id);
          onSaid(texts.askDone(person.display_name));
        } catch (failure) {
          const field = ((failure.fields || {}).taken_by || [])[0];
          onError(field || changedMeanwhile(failure));
        }
      },
    });
  };
  const cancel = () =>
    confirm({
      title: texts.cancelTitle,
      body: texts.cancelBody,
      confirm: texts.cancelOne,
      danger: true,
      run: async () => {
        try {
          await data.cancelOccurrence(network, entry);
          onSaid(texts.cancelDone);
        } catch (failure) {
          onError(changedMeanwhile(failure));
        }
      },
    });
  const end_ = () =>
    confirm({
      title: texts.endTitle,
      body: texts.endBody(entry.original_display_name),
      confirm: texts.endShift,
      danger: true,
      run: async () => {
        try {
          await data.endShift(network, entry.shift_id);
          onSaid(texts.endDone);
          onClose();
        } catch (failure) {
          onError(changedMeanwhile(failure));
        }
      },
    });
  const withdraw = async () => {
    try {
      await data.withdrawAsk(network, entry.pending_swap.id);
      onSaid(texts.withdrawDone);
    } catch (failure) {
      onError(changedMeanwhile(failure));
    }
  };
  return html`<section class="rota-chosen-panel" aria-labelledby="rota-chosen-title">
    <h3 id="rota-chosen-title" tabindex="-1" ref=${heading}>${texts.chosenTitle(entry.display_name, when)}</h3>
    <p>${texts.chosenHours(data.hoursOf(start, end))}</p>
    ${entry.swapped ? html`<p>${texts.chosenSwapped(entry.original_display_name)}</p>` : null}
    ${entry.cancelled ? html`<p>${texts.chosenCancelled}</p>` : null}
    ${entry.pending_swap ? html`<p class="notice notice-calm">${texts.chosenPending(entry.pending_swap.asked_display_name)}</p>` : null}
    ${over ? html`<p>${texts.chosenPast}</p>` : null}
    ${!over && !entry.cancelled && !entry.swapped && !entry.pending_swap
      ? peers.length
        ? html`<form class="rota-ask" onSubmit=${ask} novalidate>
            <div class=${askError ? "field field-error" : "field"}>
              <label for="rota-ask-peer">${texts.askLabel}</label>
              <p class="hint" id="rota-ask-hint">${texts.askHint}</p>
              ${askError ? html`<p class="error" id="rota-ask-error">${askError}</p>` : null}
              <select id="rota-ask-peer" value=${asked} onChange=${(e) => setAsked(e.currentTarget.value)}
                aria-describedby=${askError ? "rota-ask-hint rota-ask-error" : "rota-ask-hint"}>
                <option value="">${texts.askChoose}</option>
                ${peers.map((p) => html`<option value=${p.person_id}>${p.display_name}</option>`)}
              </select>
            </div>
            <${Button} type="submit">${texts.ask}</${Button}>
          </form>`
        : html`<p>${texts.askNobody}</p>`
      : null}
    <div class="actions">
      ${entry.pending_swap && !over ? html`<${Button} kind="secondary" onClick=${withdraw}>${texts.withdraw}</${Button}>` : null}
      ${!over && !entry.cancelled && !entry.swapped ? html`<${Button} kind="danger" onClick=${cancel}>${texts.cancelOne}</${Button}>` : null}
      <${Button} kind="secondary" onClick=${end_}>${texts.endShift}</${Button}>
      <${Button} kind="secondary" onClick=${onClose}>${texts.close}</${Button}>
    </div>
    <p class="visually-hidden">${entryLabel(entry, tz)}</p>
  </section>`;
}
