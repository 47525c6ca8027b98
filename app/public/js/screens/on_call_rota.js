// My shifts over the next two weeks (#/rota), and giving one of them to
// another ready peer (#/rota/swap/<shift>/<start>). The service makes a swap
// at once, so the screen says so and asks to check with the peer first.
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
  const load = () => data.loadShifts().then(() => setLoaded(true));
  useEffect(() => {
    load();
  }, []);
  return { loaded: loaded && !data.rota.shiftsError, error: data.rota.shiftsError, retry: load };
}

export function Shifts() {
  const { loaded, error, retry } = useShifts();
  const flash = useFlash();
  const ready = data.readyIn();
  let body;
  if (!loaded) body = html`<${Loading} error=${error} retry=${retry} />`;
  else {
    const groups = ready.map((m) => ({ network: m.network, entries: data.rota.shifts[m.network.id] || [] }));
    const any = groups.some((group) => group.entries.length);
    body = html`
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

function ShiftItem({ entry }) {
  const when = whenOf(entry);
  const handedOn = entry.swapped && entry.person_id !== me();
  const takenOn = entry.swapped && entry.person_id === me() && entry.original_person_id !== me();
  const running = new Date(entry.start) <= new Date();
  return html`<li class=${handedOn ? "on-call-shift on-call-shift-handed" : "on-call-shift"} data-start=${entry.start}>
    <strong>${when}</strong>
    ${running ? html`<span class="on-call-shift-now">${texts.now}</span>` : null}
    ${handedOn ? html`<span>${texts.takenOverBy(entry.display_name)}</span>` : null}
    ${takenOn ? html`<span>${texts.takenOverFrom(entry.original_display_name)}</span>` : null}
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
      await data.swap({ entry, takenBy: person.person_id });
      setConfirming(false);
      goWithFlash("/rota", texts.swapDone(person.display_name, when));
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
      body=${person ? texts.swapConfirmBody(person.display_name, when) : ""}
      confirm=${texts.swapGo} onConfirm=${give} onCancel=${() => setConfirming(false)} />
  </${Page}>`;
}
