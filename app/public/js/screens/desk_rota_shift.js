// Adding a shift (a preset, one night only, or custom days, start and length)
// and the list of shifts, each of which can be ended.
import { html, useEffect, useRef, useState } from "../lib.js";
import { Loading, ErrorSummary, Button } from "../ui.js";
import { problemText } from "../texts/common.js";
import { deskRota as texts } from "../texts/desk_rota.js";
import { deskRota as state, addShift, endShift, PRESETS, DAYS, customRule, localDay, isDay, dayName } from "../data/desk_rota.js";

const FIELD_OF = { person: "shift-person", start_date: "shift-date", start_time: "shift-start", duration_minutes: "shift-length", duration: "shift-length", rrule: "shift-day-MO", note: "shift-note" };

// `prefill`: {preset, date, start?, hours?, key} from "Cover this gap".
export function AddShift({ network, onSaid, prefill = null }) {
  const peers = state.peers;
  const [person, setPerson] = useState("");
  const [preset, setPreset] = useState("nights");
  const [date, setDate] = useState(localDay(new Date(), network.timezone));
  const [repeat, setRepeat] = useState("weekly");
  const [days, setDays] = useState([]);
  const [start, setStart] = useState("");
  const [length, setLength] = useState("");
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const who = useRef(null);
  useEffect(() => {
    if (!prefill) return;
    setPreset(prefill.preset);
    setDate(prefill.date);
    if (prefill.preset === "custom") {
      setRepeat("once");
      setStart(prefill.start);
      setLength(prefill.hours);
    }
    setErrors([]);
    if (who.current) {
      who.current.scrollIntoView({ block: "center" });
      who.current.focus();
    }
  }, [prefill && prefill.key]);
  if (peers === null) return html`<${Loading} error=${state.peersError} />`;
  if (!peers.length) return html`<p class="notice notice-calm">${texts.noPeers}</p>`;

  const errorFor = (field) => (errors.find((e) => e.field === field) || {}).text || "";
  const submit = async (event) => {
    event.preventDefault();
    const found = [];
    if (!person) found.push({ field: "shift-person", text: texts.personMissing });
    if (!isDay(date)) found.push({ field: "shift-date", text: texts.dateMissing });
    let shape = PRESETS[preset];
    if (preset === "custom") {
      const hours = Number(length);
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(start)) found.push({ field: "shift-start", text: texts.startMissing });
      if (!length || !(hours >= 0.25 && hours <= 48)) found.push({ field: "shift-length", text: texts.lengthMissing });
      if (repeat === "weekly" && !days.length) found.push({ field: "shift-day-MO", text: texts.daysMissing });
      shape = { start_time: start, duration_minutes: Math.round(hours * 60), rrule: repeat === "weekly" ? customRule(days) : "" };
    }
    setErrors(found);
    if (found.length) return;
    setBusy(true);
    try {
      const made = await addShift(network, { person: Number(person), start_date: date, note, ...shape });
      setErrors([]);
      setNote("");
      onSaid(texts.added(made.display_name));
    } catch (failure) {
      const fields = Object.entries(failure.fields || {});
      setErrors(
        fields.length
          ? fields.map(([field, messages]) => ({ field: FIELD_OF[field] || "", text: messages.join(" ") }))
          : [{ field: "", text: problemText(failure) }],
      );
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="rota-add" onSubmit=${submit} novalidate>
    <${ErrorSummary} errors=${errors} />
    <div class=${errorFor("shift-person") ? "field field-error" : "field"}>
      <label for="shift-person">${texts.person}</label>
      <p class="hint" id="shift-person-hint">${texts.personHint}</p>
      ${errorFor("shift-person") ? html`<p class="error" id="shift-person-error">${errorFor("shift-person")}</p>` : null}
      <select id="shift-person" ref=${who} value=${person} onChange=${(e) => setPerson(e.currentTarget.value)}
        aria-describedby=${errorFor("shift-person") ? "shift-person-hint shift-person-error" : "shift-person-hint"}>
        <option value="">${texts.personMissing}</option>
        ${peers.map((peer) => html`<option value=${peer.person_id}>${peer.display_name}</option>`)}
      </select>
    </div>
    <fieldset class="field">
      <legend>${texts.pattern}</legend>
      ${Object.entries(texts.presets).map(
        ([value, label]) => html`<div class="choice">
          <input type="radio" id=${`shift-preset-${value}`} name="shift-preset" value=${value} checked=${preset === value} onChange=${() => setPreset(value)} />
          <label for=${`shift-preset-${value}`}>${label}</label>
        </div>`,
      )}
    </fieldset>
    <div class=${errorFor("shift-date") ? "field field-error" : "field"}>
      <label for="shift-date">${preset === "night" ? texts.nightDate : texts.fromDate}</label>
      <p class="hint" id="shift-date-hint">${texts.fromHint}</p>
      ${errorFor("shift-date") ? html`<p class="error" id="shift-date-error">${errorFor("shift-date")}</p>` : null}
      <input id="shift-date" type="date" value=${date} onInput=${(e) => setDate(e.currentTarget.value)} aria-describedby=${errorFor("shift-date") ? "shift-date-hint shift-date-error" : "shift-date-hint"} />
    </div>
    ${preset === "custom"
      ? html`<fieldset class=${errorFor("shift-day-MO") ? "field field-error" : "field"}>
            <legend>${texts.often}</legend>
            ${errorFor("shift-day-MO") ? html`<p class="error">${errorFor("shift-day-MO")}</p>` : null}
            <div class="choice">
              <input type="radio" id="shift-repeat-once" name="shift-repeat" checked=${repeat === "once"} onChange=${() => setRepeat("once")} />
              <label for="shift-repeat-once">${texts.once}</label>
            </div>
            <div class="choice">
              <input type="radio" id="shift-repeat-weekly" name="shift-repeat" checked=${repeat === "weekly"} onChange=${() => setRepeat("weekly")} />
              <label for="shift-repeat-weekly">${texts.weekly}</label>
            </div>
            <div class="rota-days">
              ${DAYS.map(
                (day) => html`<div class="choice">
                  <input type="checkbox" id=${`shift-day-${day}`} disabled=${repeat === "once"} checked=${days.includes(day)}
                    onChange=${(e) => setDays(e.currentTarget.checked ? [...days, day] : days.filter((d) => d !== day))} />
                  <label for=${`shift-day-${day}`}>${texts.dayNames[day]}</label>
                </div>`,
              )}
            </div>
          </fieldset>
          <div class="rota-add-row">
            <div class=${errorFor("shift-start") ? "field field-error" : "field"}>
              <label for="shift-start">${texts.startTime}</label>
              <p class="hint" id="shift-start-hint">${texts.startHint}</p>
              ${errorFor("shift-start") ? html`<p class="error" id="shift-start-error">${errorFor("shift-start")}</p>` : null}
              <input id="shift-start" type="time" value=${start} onInput=${(e) => setStart(e.currentTarget.value)}
                aria-describedby=${errorFor("shift-start") ? "shift-start-hint shift-start-error" : "shift-start-hint"} />
            </div>
            <div class=${errorFor("shift-length") ? "field field-error" : "field"}>
              <label for="shift-length">${texts.length}</label>
              <p class="hint" id="shift-length-hint">${texts.lengthHint}</p>
              ${errorFor("shift-length") ? html`<p class="error" id="shift-length-error">${errorFor("shift-length")}</p>` : null}
              <input id="shift-length" type="number" min="0.25" max="48" step="0.25" inputmode="decimal" value=${length}
                onInput=${(e) => setLength(e.currentTarget.value)}
                aria-describedby=${errorFor("shift-length") ? "shift-length-hint shift-length-error" : "shift-length-hint"} />
            </div>
          </div>`
      : null}
    <div class="field">
      <label for="shift-note">${texts.note}</label>
      <input id="shift-note" type="text" maxlength="200" value=${note} onInput=${(e) => setNote(e.currentTarget.value)} />
    </div>
    <${Button} type="submit" busy=${busy}>${busy ? texts.adding : texts.add}</${Button}>
  </form>`;
}

const RULE_DAYS = { MO: "Monday", TU: "Tuesday", WE: "Wednesday", TH: "Thursday", FR: "Friday", SA: "Saturday", SU: "Sunday" };

export function repeatText(rule) {
  if (!rule) return texts.repeats.once;
  if (rule === "FREQ=DAILY") return texts.repeats.daily;
  const weekly = /^FREQ=WEEKLY;BYDAY=([A-Z,]+)$/.exec(rule);
  if (weekly) return texts.repeats.weekly(weekly[1].split(",").map((d) => texts.dayNames[d] || RULE_DAYS[d] || d).join(", "));
  return texts.repeats.other(rule);
}

function endOfClock(start, minutes) {
  const [h, m] = start.split(":").map(Number);
  const total = (h * 60 + m + minutes) % (24 * 60);
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

// `confirm({title, body, confirm, danger, run})`: the screen's one confirm dialog.
export function ShiftList({ network, onSaid, onError, confirm }) {
  const shifts = state.shifts;
  if (shifts === null) return html`<${Loading} error=${state.shiftsError} />`;
  if (!shifts.length) return html`<p>${texts.shiftsNone}</p>`;
  const end = (shift) =>
    confirm({
      title: texts.endTitle,
      body: texts.endBody(shift.display_name),
      confirm: texts.endShift,
      danger: true,
      run: async () => {
        try {
          await endShift(network, shift.id);
          onSaid(texts.endDone);
        } catch (failure) {
          onError(failure.status === 404 ? texts.gone : problemText(failure));
        }
      },
    });
  const when = (shift) => {
    const start = shift.start_time.slice(0, 5);
    return `${repeatText(shift.rrule)}, ${texts.shiftSpan(start, endOfClock(start, shift.duration_minutes), shift.duration_minutes / 60)}`;
  };
  return html`<div class="desk-scroll">
    <table class="desk-table rota-shifts">
      <caption class="visually-hidden">${texts.shiftsCaption}</caption>
      <thead><tr>
        <th scope="col">${texts.shiftWho}</th>
        <th scope="col">${texts.shiftWhen}</th>
        <th scope="col">${texts.shiftFrom}</th>
        <th scope="col">${texts.shiftActions}</th>
      </tr></thead>
      <tbody>
        ${shifts.map(
          (shift) => html`<tr key=${shift.id} data-shift=${shift.id}>
            <th scope="row">${shift.display_name}</th>
            <td>${when(shift)}${shift.note ? html`<br /><span class="hint">${shift.note}</span>` : null}</td>
            <td>${dayName(shift.start_date)}</td>
            <td><${Button} kind="secondary" aria-label=${texts.endNamed(shift.display_name, when(shift))} onClick=${() => end(shift)}>${texts.endShift}</${Button}></td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
