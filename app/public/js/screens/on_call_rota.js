// My shifts over the next two weeks (#/rota), the asks to cover for someone
// (yes or no) and my own asks waiting for an answer (withdraw), and asking
// another ready peer to take one of my shifts (#/rota/swap/<shift>/<start>).
// A swap happens only when the asked peer says yes; until then nothing changes.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href } from "../router.js";
import { Page, Loading, Flash, ErrorSummary, Button, Confirm, useFlash, goWithFlash } from "../ui.js";
import { problemText } from "../texts/common.js";
import { rota as texts, shiftText } from "../texts/on_call.js";
import { session } from "../data/session.js";
import * as data from "../data/rota.js";

const me = () => (session.person ? session.person.id : null);
const whenOf = (entry) => shiftText(new Date(entry.start), new Date(entry.end));

function useShifts() {
  useStore();
  const [loaded, setLoaded] = useState(false);
  const load = () => Promise.all([data.loadShifts(), data.loadRequests()]).then(() => setLoaded(true));
  useEffect(() => {
    load();
  }, []);
  const error = data.rota.shiftsError || data.rota.requestsError;
  return { loaded: loaded && !error, error, retry: load };
}

export function Shifts() {
  const { loaded, error, retry } = useShifts();
  const firstFlash = useFlash();
  const [said, setSaid] = useState("");
  const flash = said || firstFlash;
  const ready = data.readyIn();
  let body;
  if (!loaded) body = html`<${Loading} error=${error} retry=${retry} />`;
  else {
    const groups = ready.map((m) => ({ network: m.network, entries: data.rota.shifts[m.network.id] || [] }));
    const any = groups.some((group) => group.entries.length);
    body = html`
      <${Requests} onSaid=${setSaid} />
      <p>${texts.intro}</p>
      ${any
        ? groups.map(
            (group) => html`<section aria-labelledby=${`rota-${group.network.id}`} key=${group.network.id}>
              <h2 id=${`rota-${group.network.id}`}>${group.network.name}</h2>
              ${group.entries.length
                ? html`<ul class="on-call-shifts">${group.entries.map((entry) => html`<${ShiftItem} entry=${entry} />`)}</ul>`
                : html`<p>${texts.none}</p>`}
            </section>`,
          )
        : html`<p class="notice notice-calm">${texts.none}</p>`}
      <section aria-labelledby="rota-calendar">
        <h2 id="rota-calendar">${texts.calendarTitle}</h2>
        <p>${texts.calendarIntro}</p>
        <p><a class="tile" href=${href("/rota/calendar")}>${texts.calendarLink}</a></p>
      </section>`;
  }
  return html`<${Page} title=${texts.title} back="/on-call">
    <${Flash} text=${flash} />
    ${body}
  </${Page}>`;
}

const whenOfRequest = (r) => shiftText(new Date(r.occurrence_start), new Date(r.occurrence_end));

// Asks to cover for someone (yes or no), then my asks still waiting (withdraw).
function Requests({ onSaid }) {
  const [error, setError] = useState("");
  const asked = data.askedOfMe();
  const waiting = data.waitingOnOthers();
  const act = async (request, verb, done) => {
    setError("");
    try {
      await data.answer(request.id, verb);
      onSaid(done);
    } catch (failure) {
      onSaid("");
      setError([403, 404, 409].includes(failure.status) ? texts.answerGone : problemText(failure));
    }
  };
  if (!asked.length && !waiting.length && !error) return null;
  return html`
    ${error ? html`<p class="notice" role="alert">${error}</p>` : null}
    ${asked.length
      ? html`<section aria-labelledby="rota-asked">
          <h2 id="rota-asked">${texts.askedTitle}</h2>
          <ul class="on-call-shifts">
            ${asked.map((r) => {
              const when = whenOfRequest(r);
              const own = r.asked_by_id === r.shift_person_id || r.asked_by_id === null;
              return html`<li class="on-call-shift on-call-request" key=${r.id} data-request=${r.id}>
                <p>${own ? texts.askedBy(r.shift_display_name, when) : texts.askedFor(r.shift_display_name, r.asked_by_display_name, when)}</p>
                <div class="actions">
                  <${Button} aria-label=${texts.yesFor(when)} onClick=${() => act(r, "accept", texts.yesDone(when))}>${texts.yes}</${Button}>
                  <${Button} kind="secondary" aria-label=${texts.noFor(when)} onClick=${() => act(r, "decline", texts.noDone)}>${texts.no}</${Button}>
                </div>
              </li>`;
            })}
          </ul>
        </section>`
      : null}
    ${waiting.length
      ? html`<section aria-labelledby="rota-waiting">
          <h2 id="rota-waiting">${texts.waitingTitle}</h2>
          <ul class="on-call-shifts">
            ${waiting.map((r) => {
              const when = whenOfRequest(r);
              const mine = r.shift_person_id === me();
              return html`<li class="on-call-shift on-call-request" key=${r.id} data-request=${r.id}>
                <p>${mine ? texts.waitingFor(r.asked_display_name, when) : texts.waitingOther(r.asked_display_name, r.shift_display_name, when)}</p>
                <div class="actions">
                  <${Button} kind="secondary" aria-label=${texts.withdrawFor(when)} onClick=${() => act(r, "withdraw", texts.withdrawDone)}>${texts.withdraw}</${Button}>
                </div>
              </li>`;
            })}
          </ul>
        </section>`
      : null}`;
}

function ShiftItem({ entry }) {
  const when = whenOf(entry);
  const handedOn = entry.swapped && entry.person_id !== me();
  const takenOn = entry.swapped && entry.person_id === me() && entry.original_person_id !== me();
  const running = new Date(entry.start) <= new Date();
  const ask = data.askFor(entry);
  return html`<li class=${handedOn ? "on-call-shift on-call-shift-handed" : "on-call-shift"} data-start=${entry.start}>
    <strong>${when}</strong>
    ${running ? html`<span class="on-call-shift-now">${texts.now}</span>` : null}
    ${handedOn ? html`<span>${texts.takenOverBy(entry.display_name)}</span>` : null}
    ${takenOn ? html`<span>${texts.takenOverFrom(entry.original_display_name)}</span>` : null}
    ${ask && ask.asked_id !== me() ? html`<span>${texts.waitingOnShift(ask.asked_display_name)}</span>` : null}
    ${data.canSwap(entry)
      ? html`<a class="on-call-swap" href=${href(`/rota/swap/${entry.shift_id}/${encodeURIComponent(entry.start)}`)}
          aria-label=${texts.swapFor(when)}>${texts.swap}</a>`
      : null}
  </li>`;
}

export function Swap({ shiftId, start }) {
  const shifts = useShifts();
  const found = shifts.loaded ? data.findShift(shiftId, start) : null;
  const networkId = found ? found.networkId : null;
  const [peersError, setPeersError] = useState(null);
  const [chosen, setChosen] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState("");
  const loadPeers = () => data.loadPeers(networkId).then(() => setPeersError(null), setPeersError);
  useEffect(() => {
    if (networkId) loadPeers();
  }, [networkId]);

  if (!shifts.loaded) {
    return html`<${Page} title=${texts.swapTitle} back="/rota"><${Loading} error=${shifts.error} retry=${shifts.retry} /></${Page}>`;
  }
  if (!found || !data.canSwap(found.entry)) {
    return html`<${Page} title=${texts.swapTitle} back="/rota"><p class="notice notice-calm">${texts.swapGone}</p></${Page}>`;
  }
  const entry = found.entry;
  const when = whenOf(entry);
  const peers = data.rota.peers[networkId];
  const person = (peers || []).find((peer) => peer.person_id === chosen);
  const submit = (event) => {
    event.preventDefault();
    if (!person) {
      setError(texts.swapMissing);
      return;
    }
    setError("");
    setConfirming(true);
  };
  const give = async () => {
    try {
      await data.askForCover({ entry, askedId: person.person_id });
      setConfirming(false);
      goWithFlash("/rota", texts.swapDone(person.display_name));
    } catch (failure) {
      setConfirming(false);
      if ([403, 404, 409].includes(failure.status)) setError(texts.swapGone);
      else setError(((failure.fields || {}).taken_by || [])[0] || problemText(failure));
    }
  };
  let choices;
  if (!peers) choices = html`<${Loading} error=${peersError} retry=${loadPeers} />`;
  else if (!peers.length) choices = html`<p class="notice notice-calm">${texts.swapNobody}</p>`;
  else {
    choices = html`<form onSubmit=${submit} novalidate>
      <fieldset class=${error === texts.swapMissing ? "field field-error" : "field"}>
        <legend>${texts.swapLegend}</legend>
        <p class="hint">${texts.swapHint}</p>
        ${error === texts.swapMissing ? html`<p class="error" id="swap-error">${error}</p>` : null}
        ${peers.map(
          (peer, index) => html`<div class="choice">
            <input type="radio" id=${index === 0 ? "swap-peer" : `swap-peer-${peer.person_id}`} name="swap-peer" value=${peer.person_id}
              checked=${chosen === peer.person_id} onChange=${() => setChosen(peer.person_id)} />
            <label for=${index === 0 ? "swap-peer" : `swap-peer-${peer.person_id}`}>${peer.display_name}</label>
          </div>`,
        )}
      </fieldset>
      <${Button} type="submit">${texts.swapGo}</${Button}>
    </form>`;
  }
  return html`<${Page} title=${texts.swapTitle} back="/rota">
    <${ErrorSummary} errors=${error ? [{ field: error === texts.swapMissing ? "swap-peer" : "", text: error }] : []} />
    <p>${texts.swapIntro(when)}</p>
    ${choices}
    <${Confirm} open=${confirming} title=${person ? texts.swapConfirmTitle(person.display_name) : ""}
      body=${person ? texts.swapConfirmBody(person.display_name) : ""}
      confirm=${texts.swapGo} onConfirm=${give} onCancel=${() => setConfirming(false)} />
  </${Page}>`;
}
