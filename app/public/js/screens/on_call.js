// The on-call peer's screens.
//   #/on-call                              my on-call state and choices per network, alerts on this phone
//   #/on-call/<network>/quiet-hours        one question: my quiet hours
//   #/on-call/<network>/alerts-per-shift   one question: at most how many alerts in a shift
//   #/rota                                 my shifts over the next two weeks (on_call_rota.js)
//   #/rota/swap/<shift>/<start>            ask another ready peer to take one of them (it changes when they say yes)
//   #/rota/calendar                        private calendar feeds (on_call_calendar.js)
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { route, href } from "../router.js";
import { Page, Loading, Flash, Field, ErrorSummary, Button, useFlash, goWithFlash } from "../ui.js";
import { problemText } from "../texts/common.js";
import { onCall as texts, quiet as quietTexts, cap as capTexts, clock } from "../texts/on_call.js";
import { OnCallNow, useFreshOnCall } from "./on_call_now.js";
import PushOffer from "./push_offer.js";
import { Shifts, Swap } from "./on_call_rota.js";
import Calendar from "./on_call_calendar.js";
import * as data from "../data/rota.js";

export default function OnCallScreens({ path }) {
  if (route.path[0] === "rota") {
    if (path[0] === "swap") return html`<${Swap} shiftId=${path[1]} start=${path[2]} />`;
    if (path[0] === "calendar") return html`<${Calendar} />`;
    return html`<${Shifts} />`;
  }
  if (path[1] === "quiet-hours") return html`<${QuietHours} networkId=${path[0]} />`;
  if (path[1] === "alerts-per-shift") return html`<${AlertsPerShift} networkId=${path[0]} />`;
  return html`<${OnCall} />`;
}

// The memberships, loaded once for this screen; {ready, loading} for the rest.
function useMine() {
  useStore();
  useEffect(() => {
    data.load();
  }, []);
  return { ready: data.readyIn(), loaded: data.rota.loaded && data.rota.personId !== null };
}

function OnCall() {
  const { ready, loaded } = useMine();
  const flash = useFlash();
  useFreshOnCall();
  let body;
  if (!loaded) body = html`<${Loading} error=${data.rota.error} retry=${data.load} />`;
  else if (!ready.length) body = html`<p class="notice notice-calm">${texts.none}</p>`;
  else {
    body = html`
      <p>${texts.intro}</p>
      ${ready.map((membership) => html`<div class="on-call-network" key=${membership.network.id}>
        <${OnCallNow} membership=${membership} named=${true} full=${true} />
        <${Choices} membership=${membership} />
      </div>`)}
      <p><a class="tile" href=${href("/rota")}>${texts.shiftsLink}</a></p>
      <${PushOffer} texts=${texts} />`;
  }
  return html`<${Page} title=${texts.title} back="/">
    <${Flash} text=${flash} />
    ${data.rota.error && loaded ? html`<${Loading} error=${data.rota.error} retry=${data.load} />` : null}
    ${body}
  </${Page}>`;
}

function Choices({ membership }) {
  const id = membership.network.id;
  const quiet = membership.quiet_hours_start && membership.quiet_hours_end;
  return html`<dl class="on-call-choices-list">
    <div>
      <dt>${texts.quietHours}</dt>
      <dd>${quiet ? texts.quietHoursValue(clock(membership.quiet_hours_start), clock(membership.quiet_hours_end)) : texts.quietHoursNone}</dd>
      <dd><a href=${href(`/on-call/${id}/quiet-hours`)} aria-label=${texts.changeWhat(texts.quietHours)} class="on-call-change">${texts.change}</a></dd>
    </div>
    <div>
      <dt>${texts.cap}</dt>
      <dd>${texts.capValue(membership.max_alerts_per_shift)}</dd>
      <dd><a href=${href(`/on-call/${id}/alerts-per-shift`)} aria-label=${texts.changeWhat(texts.cap)} class="on-call-change">${texts.change}</a></dd>
    </div>
  </dl>`;
}

function useMembership(networkId) {
  const { loaded } = useMine();
  const membership = data.rota.mine[networkId];
  return { membership: loaded ? membership || null : undefined };
}

function QuietHours({ networkId }) {
  const { membership } = useMembership(networkId);
  const [start, setStart] = useState(null);
  const [end, setEnd] = useState(null);
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  if (membership === undefined) {
    return html`<${Page} title=${quietTexts.title} back="/on-call"><${Loading} error=${data.rota.error} retry=${data.load} /></${Page}>`;
  }
  if (membership === null) {
    return html`<${Page} title=${quietTexts.title} back="/on-call"><p class="notice notice-calm">${problemText({ status: 404 })}</p></${Page}>`;
  }
  const startValue = start ?? clock(membership.quiet_hours_start);
  const endValue = end ?? clock(membership.quiet_hours_end);
  const save = async (clear) => {
    const found = [];
    if (!clear) {
      if (!startValue) found.push({ field: "quiet-start", text: quietTexts.missing });
      else if (!endValue) found.push({ field: "quiet-end", text: quietTexts.missing });
      else if (startValue === endValue) found.push({ field: "quiet-end", text: quietTexts.same });
    }
    setErrors(found);
    if (found.length) return;
    setBusy(true);
    try {
      await data.saveChoices(networkId, clear
        ? { quiet_hours_start: null, quiet_hours_end: null }
        : { quiet_hours_start: startValue, quiet_hours_end: endValue });
      goWithFlash("/on-call", clear ? quietTexts.cleared : quietTexts.saved(startValue, endValue));
    } catch (failure) {
      const fields = failure.fields || {};
      const text = (fields.quiet_hours || fields.quiet_hours_start || fields.quiet_hours_end || [])[0];
      setErrors([{ field: "quiet-start", text: text || problemText(failure) }]);
    } finally {
      setBusy(false);
    }
  };
  const errorFor = (field) => (errors.find((e) => e.field === field) || {}).text || "";
  return html`<${Page} title=${quietTexts.title} back="/on-call">
    <${ErrorSummary} errors=${errors} />
    <p>${quietTexts.intro}</p>
    <p class="hint">${membership.network.name}</p>
    <form onSubmit=${(event) => { event.preventDefault(); save(false); }} novalidate>
      <${Field} id="quiet-start" type="time" label=${quietTexts.startLabel} hint=${quietTexts.hint} error=${errorFor("quiet-start")}
        value=${startValue} onInput=${(event) => setStart(event.currentTarget.value)} />
      <${Field} id="quiet-end" type="time" label=${quietTexts.endLabel} error=${errorFor("quiet-end")}
        value=${endValue} onInput=${(event) => setEnd(event.currentTarget.value)} />
      <${Button} type="submit" busy=${busy}>${quietTexts.save}</${Button}>
    </form>
    ${membership.quiet_hours_start
      ? html`<${Button} kind="secondary" busy=${busy} onClick=${() => save(true)}>${quietTexts.clear}</${Button}>`
      : null}
  </${Page}>`;
}

const CAP_CHOICES = [1, 2, 3, 4, 5];

function AlertsPerShift({ networkId }) {
  const { membership } = useMembership(networkId);
  const [chosen, setChosen] = useState(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  if (membership === undefined) {
    return html`<${Page} title=${capTexts.title} back="/on-call"><${Loading} error=${data.rota.error} retry=${data.load} /></${Page}>`;
  }
  if (membership === null) {
    return html`<${Page} title=${capTexts.title} back="/on-call"><p class="notice notice-calm">${problemText({ status: 404 })}</p></${Page}>`;
  }
  const value = chosen ?? membership.max_alerts_per_shift;
  const options = CAP_CHOICES.includes(membership.max_alerts_per_shift)
    ? CAP_CHOICES
    : [...CAP_CHOICES, membership.max_alerts_per_shift].sort((a, b) => a - b);
  const save = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      await data.saveChoices(networkId, { max_alerts_per_shift: value });
      goWithFlash("/on-call", capTexts.saved(value));
    } catch (failure) {
      setError(((failure.fields || {}).max_alerts_per_shift || [])[0] || problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`<${Page} title=${capTexts.title} back="/on-call">
    <${ErrorSummary} errors=${error ? [{ field: `cap-${value}`, text: error }] : []} />
    <form onSubmit=${save}>
      <fieldset class="field">
        <legend>${capTexts.label}</legend>
        <p class="hint">${capTexts.hint} (${membership.network.name})</p>
        ${options.map(
          (n) => html`<div class="choice">
            <input type="radio" id=${`cap-${n}`} name="cap" value=${n} checked=${value === n} onChange=${() => setChosen(n)} />
            <label for=${`cap-${n}`}>${capTexts.option(n)}</label>
          </div>`,
        )}
      </fieldset>
      <${Button} type="submit" busy=${busy}>${capTexts.save}</${Button}>
    </form>
  </${Page}>`;
}
