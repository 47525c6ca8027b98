// One alert, as this person may see it: the member's live status, the peer's
// offer (the one decision: take it or not), or the alert the peer holds.
import { html, useState, useEffect } from "../lib.js";
import { useStore } from "../store.js";
import { href, navigate } from "../router.js";
import { isLive } from "../realtime.js";
import { Page, Button, Loading, EmergencyRoutes, ErrorSummary, Confirm, Field } from "../ui.js";
import { status as statusTexts, offer as offerTexts, held as heldTexts } from "../texts/alerts.js";
import { when, problemText } from "../texts/common.js";
import { PlanSections } from "../plan_sections.js";
import * as data from "../data/alerts.js";

export default function AlertScreen({ path }) {
  useStore();
  const id = path[0];
  const alert = data.alerts.byId[id];
  const [error, setError] = useState(null);
  const load = () => data.fetchOne(id).then(() => setError(null), setError);
  useEffect(() => {
    if (!alert) load();
  }, [id]);
  if (!alert) {
    if (data.alerts.withdrawn[id]) return html`<${Gone} reason=${data.alerts.withdrawn[id]} />`;
    return html`<${Page} title=${offerTexts.title} back="/"><${Loading} error=${error} retry=${load} /></${Page}>`;
  }
  if (data.isMine(alert)) return html`<${MemberStatus} alert=${alert} />`;
  if (data.alerts.withdrawn[id] && !data.iHold(alert)) return html`<${Gone} reason=${data.alerts.withdrawn[id]} />`;
  if (data.iHold(alert) && alert.state === "taken") return html`<${Held} alert=${alert} />`;
  if (data.iHold(alert) && alert.state === "resolved") return html`<${Thanks} />`;
  if (data.isOfferedToMe(alert)) return html`<${Offer} alert=${alert} />`;
  return html`<${Gone} reason=${alert.state === "taken" ? "taken" : alert.state} />`;
}

function stageText(alert) {
  const stage = alert.stage || "finding_someone";
  const words = statusTexts.stage[stage];
  if (stage === "taken") return words(alert.taken_by ? alert.taken_by.display_name : "");
  if (typeof words === "function") return words(alert.offered_count || 0);
  return words || statusTexts.stage.finding_someone;
}

function MemberStatus({ alert }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState("");
  const closed = data.isClosed(alert);
  const urgentRoutes = alert.staff_unreachable || alert.staff_told || Boolean(alert.emergency_routes);
  const conversation = alert.details && alert.details.conversation_id;
  const okNow = async () => {
    try {
      await data.cancel(alert.id);
      setConfirming(false);
    } catch (failure) {
      setConfirming(false);
      setError(problemText(failure));
    }
  };
  return html`<${Page} title=${statusTexts.title} back="/">
    <${ErrorSummary} errors=${error} />
    ${urgentRoutes && !closed ? html`<${EmergencyRoutes} extra=${alert.emergency_routes} />` : null}
    <div class="status" role="status" aria-live="polite" data-stage=${alert.stage}>
      <p class="status-now">${stageText(alert)}</p>
      ${alert.first_contact_at && alert.taken_by ? html`<p>${statusTexts.contacted(alert.taken_by.display_name)}</p>` : null}
      ${!isLive() && !closed ? html`<p class="hint">${statusTexts.notLive}</p>` : null}
      <p class="hint">${statusTexts.raisedAt(when.time(new Date(alert.raised_at)))}</p>
    </div>
    ${conversation && !closed ? html`<p><a class="button button-primary" href=${href(`/conversations/${conversation}`)}>${statusTexts.talk}</a></p>` : null}
    ${closed
      ? html`<p><a class="button button-secondary" href=${href("/support")}>${statusTexts.again}</a></p>`
      : html`<${Button} kind="secondary" onClick=${() => setConfirming(true)}>${statusTexts.okNow}</${Button}>`}
    <${Confirm} open=${confirming} title=${statusTexts.okConfirmTitle} body=${statusTexts.okConfirmBody}
      confirm=${statusTexts.okConfirm} onConfirm=${okNow} onCancel=${() => setConfirming(false)} />
    ${urgentRoutes && !closed ? null : html`<${EmergencyRoutes} />`}
  </${Page}>`;
}

function Offer({ alert }) {
  const [busy, setBusy] = useState("");
  const [error, setError] = useState("");
  const name = alert.member ? alert.member.display_name : "";
  const take = async () => {
    setBusy("take");
    try {
      await data.accept(alert.id);
    } catch (failure) {
      if (failure.status !== 409 && failure.status !== 404) setError(problemText(failure));
    } finally {
      setBusy("");
    }
  };
  const cant = async () => {
    setBusy("cant");
    try {
      await data.decline(alert.id);
      data.alerts.withdrawn[alert.id] = "declined";
      navigate("/", { replace: true });
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setBusy("");
    }
  };
  return html`<${Page} title=${offerTexts.title} help=${false}>
    <${ErrorSummary} errors=${error} />
    <div class="offer">
      <p class="offer-who">${offerTexts.who(name, alert.network.name)}</p>
      ${alert.my_offer.kind === "handover" && alert.taken_by
        ? html`<p>${offerTexts.handover(alert.taken_by.display_name)}</p>`
        : null}
      <p>${offerTexts.urgency[alert.urgency] || ""}</p>
      <div class="actions actions-stacked">
        <${Button} kind="primary" busy=${Boolean(busy)} onClick=${take}>${busy === "take" ? offerTexts.taking : offerTexts.take}</${Button}>
        <${Button} kind="secondary" busy=${Boolean(busy)} onClick=${cant}>${offerTexts.cant}</${Button}>
      </div>
    </div>
  </${Page}>`;
}

function Gone({ reason }) {
  const text = offerTexts.gone[reason] || (reason === "declined" ? offerTexts.declined : offerTexts.gone.resolved);
  return html`<${Page} title=${offerTexts.title} back="/">
    <p class="notice notice-calm" role="status">${text}</p>
  </${Page}>`;
}

function Thanks() {
  return html`<${Page} title=${heldTexts.resolveTitle} back="/">
    <p class="notice notice-calm" role="status">${heldTexts.resolved}</p>
  </${Page}>`;
}

function Countdown({ until }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 15000);
    return () => clearInterval(timer);
  }, []);
  const due = new Date(until);
  return due < new Date()
    ? html`<p class="notice" role="alert">${heldTexts.contactOverdue}</p>`
    : html`<p class="notice notice-calm">${heldTexts.contactBy(when.time(due))}</p>`;
}

function HeldPlan({ planId }) {
  const [reading, setReading] = useState(null);
  const [error, setError] = useState(null);
  const load = () => data.planForHolder(planId).then(setReading, setError);
  useEffect(() => {
    if (planId) load();
  }, [planId]);
  if (!planId) return html`<p>${heldTexts.planNone}</p>`;
  if (!reading) return html`<${Loading} error=${error} retry=${load} />`;
  const names = Object.keys(reading.sections || {});
  return html`<section aria-labelledby="held-plan">
    <h2 id="held-plan">${heldTexts.planTitle}</h2>
    ${names.length ? html`<${PlanSections} sections=${reading.sections} headingLevel=${3} />` : html`<p>${heldTexts.planNone}</p>`}
  </section>`;
}

function HandOver({ alert, onError }) {
  const [people, setPeople] = useState(null);
  const [choice, setChoice] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    data.handOverCandidates(alert).then(setPeople, () => setPeople([]));
  }, [alert.id]);
  if (people === null) return html`<${Loading} />`;
  if (!people.length) return html`<p>${heldTexts.handOverNobody}</p>`;
  const go = async (event) => {
    event.preventDefault();
    if (!choice) return;
    setBusy(true);
    try {
      await data.handOver(alert.id, Number(choice));
      navigate("/", { replace: true });
    } catch (failure) {
      onError(problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`<form onSubmit=${go}>
    <div class="field">
      <label for="hand-over-to">${heldTexts.handOverLabel}</label>
      <select id="hand-over-to" value=${choice} onChange=${(e) => setChoice(e.target.value)}>
        <option value="">—</option>
        ${people.map((m) => html`<option value=${m.person_id}>${m.display_name}</option>`)}
      </select>
    </div>
    <${Button} type="submit" kind="secondary" busy=${busy}>${heldTexts.handOverGo}</${Button}>
  </form>`;
}

function Resolve({ alert, onError }) {
  const [howItWent, setHowItWent] = useState("");
  const [outcome, setOutcome] = useState("");
  const [followUp, setFollowUp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [missing, setMissing] = useState("");
  const go = async (event) => {
    event.preventDefault();
    if (!outcome) return setMissing(heldTexts.emergencyServices);
    setBusy(true);
    try {
      await data.resolve(alert.id, { how_it_went: howItWent, emergency_services: outcome, follow_up_wanted: followUp });
    } catch (failure) {
      onError(problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`<form onSubmit=${go} novalidate>
    <${Field} id="how-it-went" as="textarea" rows="3" maxlength="2000" label=${heldTexts.howItWent} value=${howItWent}
      onInput=${(e) => setHowItWent(e.target.value)} />
    <fieldset class=${missing ? "field field-error" : "field"} aria-describedby=${missing ? "outcome-error" : undefined}>
      <legend>${heldTexts.emergencyServices}</legend>
      ${missing ? html`<p class="error" id="outcome-error">${missing}</p>` : null}
      ${Object.entries(heldTexts.emergencyOptions).map(
        ([value, label]) => html`<div class="choice">
          <input type="radio" id=${`outcome-${value}`} name="outcome" value=${value} checked=${outcome === value}
            onChange=${() => { setOutcome(value); setMissing(""); }} />
          <label for=${`outcome-${value}`}>${label}</label>
        </div>`,
      )}
    </fieldset>
    <div class="field choice">
      <input type="checkbox" id="follow-up" checked=${followUp} onChange=${(e) => setFollowUp(e.target.checked)} />
      <label for="follow-up">${heldTexts.followUp}</label>
    </div>
    <${Button} type="submit" busy=${busy}>${heldTexts.resolve}</${Button}>
  </form>`;
}

function Held({ alert }) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const details = alert.details || {};
  const name = alert.member ? alert.member.display_name : "";
  const contact = async () => {
    setBusy(true);
    try {
      await data.confirmContact(alert.id);
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`<${Page} title=${heldTexts.title(name)} back="/" help=${false}>
    <${ErrorSummary} errors=${error} />
    ${alert.first_contact_at
      ? html`<p class="notice notice-calm">${heldTexts.contactDone(when.time(new Date(alert.first_contact_at)))}</p>`
      : html`${alert.contact_due_at ? html`<${Countdown} until=${alert.contact_due_at} />` : null}
          <${Button} kind="primary" busy=${busy} onClick=${contact}>${heldTexts.madeContact}</${Button}>`}
    ${details.conversation_id ? html`<p><a class="button button-secondary" href=${href(`/conversations/${details.conversation_id}`)}>${heldTexts.talk}</a></p>` : null}
    ${details.message ? html`<section aria-labelledby="their-words"><h2 id="their-words">${heldTexts.theirWords}</h2><blockquote>${details.message}</blockquote></section>` : null}
    ${details.location
      ? html`<p>${heldTexts.location(details.location.latitude, details.location.longitude)}
          <a href=${`geo:${details.location.latitude},${details.location.longitude}`}>${heldTexts.mapLink}</a></p>`
      : null}
    <${HeldPlan} planId=${details.plan_id} />
    <details class="more">
      <summary>${heldTexts.handOver}</summary>
      <${HandOver} alert=${alert} onError=${setError} />
    </details>
    <section aria-labelledby="resolve-title">
      <h2 id="resolve-title">${heldTexts.resolveTitle}</h2>
      <${Resolve} alert=${alert} onError=${setError} />
    </section>
  </${Page}>`;
}
