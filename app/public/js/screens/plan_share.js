// "Show my plan to someone" (issue 18): choose the parts and how long, then
// a big QR code and a short code for someone without the app; my live shares
// with how often each was opened; stop one at any time.
// Routes: <base>/show (choose, and my live shares), <base>/show/<id> (the code).
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href, navigate } from "../router.js";
import { Page, Loading, Button, ErrorSummary, Confirm, Flash, useFlash, goWithFlash } from "../ui.js";
import { share as texts } from "../texts/plan_share.js";
import { sectionNames } from "../texts/plan.js";
import { when, problemText } from "../texts/common.js";
import * as plans from "../data/plans.js";
import * as data from "../data/plan_shares.js";
import * as drafts from "../data/drafts.js";

const ORDER = Object.keys(sectionNames);
const LENGTHS = [1, 24, 168];

function endsAt(share) {
  return when.at(new Date(share.expires_at));
}

export default function PlanShare(props) {
  return props.rest[1] ? html`<${ShowCode} ...${props} />` : html`<${ChooseAndList} ...${props} />`;
}

function ChooseAndList({ id, base }) {
  useStore();
  const flash = useFlash();
  const [error, setError] = useState(null);
  const [ready, setReady] = useState(false);
  const load = async () => {
    setError(null);
    try {
      await Promise.all([data.loadFor(id), plans.loadConsent(id), plans.plans.readings[id] ? null : plans.loadPlan(id, { own: true })]);
      setReady(true);
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => {
    load();
  }, [id]);
  if (!ready) return html`<${Page} title=${texts.title} back=${base}><${Loading} error=${error} retry=${load} /></${Page}>`;
  return html`<${Page} title=${texts.title} back=${base}>
    <${Flash} text=${flash} />
    <p>${texts.intro}</p>
    <${NewShare} id=${id} base=${base} />
    <${LiveShares} id=${id} base=${base} />
  </${Page}>`;
}

function NewShare({ id, base }) {
  const entry = plans.plans.readings[id];
  const signed = entry ? entry.reading.sections : {};
  const defaults = ORDER.filter((name) => (plans.plans.consent[id].alert_peer || []).includes(name));
  const draftKey = `plan-share-label:${id}`;
  const [picked, setPicked] = useState(defaults);
  const [hours, setHours] = useState(1);
  const [label, setLabel] = useState(() => drafts.load(draftKey));
  const [showName, setShowName] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState([]);
  const [key] = useState(() => crypto.randomUUID());
  const toggle = (name, on) => setPicked(on ? [...picked, name] : picked.filter((item) => item !== name));
  const typed = (event) => {
    setLabel(event.target.value);
    drafts.save(draftKey, event.target.value);
  };
  const make = async (event) => {
    event.preventDefault();
    if (!picked.length) {
      setProblem([{ field: `share-part-${ORDER[0]}`, text: texts.pickParts }]);
      return;
    }
    setBusy(true);
    setProblem([]);
    try {
      const made = await data.create(id, { hours, sections: ORDER.filter((name) => picked.includes(name)), label: label.trim(), showName }, key);
      drafts.clear(draftKey);
      navigate(`${base}/show/${made.id}`);
    } catch (failure) {
      setProblem([{ text: failure.fields && failure.fields.plan ? texts.notSignedOff : problemText(failure) }]);
    } finally {
      setBusy(false);
    }
  };
  return html`<form onSubmit=${make} novalidate class="share-form">
    <${ErrorSummary} errors=${problem} />
    <fieldset class=${problem.length && !picked.length ? "field field-error" : "field"} aria-describedby="share-parts-hint">
      <legend>${texts.partsLegend}</legend>
      <p class="hint" id="share-parts-hint">${texts.partsHint}</p>
      ${ORDER.map(
        (name) => html`<div class="choice">
          <input type="checkbox" id=${`share-part-${name}`} checked=${picked.includes(name)} onChange=${(event) => toggle(name, event.target.checked)} />
          <label for=${`share-part-${name}`}>${sectionNames[name]}${name in signed ? "" : ` ${texts.notWritten}`}</label>
        </div>`,
      )}
    </fieldset>
    <fieldset class="field">
      <legend>${texts.howLongLegend}</legend>
      ${LENGTHS.map(
        (length) => html`<div class="choice">
          <input type="radio" name="share-hours" id=${`share-hours-${length}`} checked=${hours === length} onChange=${() => setHours(length)} />
          <label for=${`share-hours-${length}`}>${texts.lengths[length]}</label>
        </div>`,
      )}
    </fieldset>
    <div class="field">
      <label for="share-label">${texts.whoLabel}</label>
      <p class="hint" id="share-label-hint">${texts.whoHint}</p>
      <input id="share-label" name="share-label" maxlength="80" autocomplete="off" aria-describedby="share-label-hint" value=${label} onInput=${typed} />
    </div>
    <div class="choice">
      <input type="checkbox" id="share-name" checked=${showName} onChange=${(event) => setShowName(event.target.checked)} aria-describedby="share-name-hint" />
      <label for="share-name">${texts.nameLabel}</label>
      <p class="hint" id="share-name-hint">${texts.nameHint}</p>
    </div>
    <${Button} type="submit" busy=${busy}>${busy ? texts.creating : texts.create}</${Button}>
  </form>`;
}

function LiveShares({ id, base }) {
  const live = data.live(id);
  return html`<section aria-labelledby="share-live" class="share-live">
    <h2 id="share-live">${texts.liveTitle}</h2>
    ${live.length
      ? html`<ul class="share-list" aria-live="polite">${live.map(
          (share) => html`<li class="card share-entry" key=${share.id}>
            <strong>${texts.forWhom(share.label)}</strong>
            <span>${texts.ends(endsAt(share))}</span>
            <span class="share-opens">${texts.opened(share.opens.count, share.opens.last_at ? when.time(new Date(share.opens.last_at)) : "")}</span>
            <a class="button button-secondary" href=${href(`${base}/show/${share.id}`)}>${texts.open(share.label)}</a>
          </li>`,
        )}</ul>`
      : html`<p>${texts.noneLive}</p>`}
  </section>`;
}

function ShowCode({ base, rest }) {
  useStore();
  const shareId = Number(rest[1]);
  const [error, setError] = useState(null);
  const [stopping, setStopping] = useState(false);
  const [problem, setProblem] = useState("");
  const [hiding, setHiding] = useState(null);
  const [hidden, setHidden] = useState(null);
  const load = () => {
    setError(null);
    return data.load(shareId).catch(setError);
  };
  useEffect(() => {
    load();
  }, [shareId]);
  const share = data.shares.byId[shareId];
  const back = `${base}/show`;
  if (!share) return html`<${Page} title=${texts.codeTitle} back=${back}><${Loading} error=${error} retry=${load} /></${Page}>`;
  if (share.state !== "live") {
    return html`<${Page} title=${texts.codeTitle} back=${back}>
      <p class="notice notice-calm" role="status">${texts.ended}</p>
      <a class="button button-secondary" href=${href(back)}>${texts.back}</a>
    </${Page}>`;
  }
  const stop = async () => {
    try {
      await data.revoke(share.id);
      goWithFlash(back, texts.stopped);
    } catch (failure) {
      setProblem(problemText(failure));
    } finally {
      setStopping(false);
    }
  };
  // A part taken out of a live share is gone from its next open (the page is
  // made from the share's parts at every open).
  const hide = async (name) => {
    setProblem("");
    setHiding(name);
    try {
      await data.setSections(share.id, share.sections.filter((part) => part !== name));
      setHidden(name);
    } catch (failure) {
      setProblem(problemText(failure));
    } finally {
      setHiding(null);
    }
  };
  const address = `${location.host}/s`;
  return html`<${Page} title=${texts.codeTitle} back=${back}>
    <${ErrorSummary} errors=${problem} />
    <p>${texts.scan}</p>
    <p class="share-qr"><img src=${data.qrSource(share)} alt=${texts.qrAlt} width="300" height="300" /></p>
    <p>${texts.orType(address)}</p>
    <p class="share-code" aria-label=${`${texts.codeLabel}: ${share.code.split("").join(" ")}`}>${share.code}</p>
    <p class="status share-ends"><strong>${texts.endsAt(endsAt(share))}</strong></p>
    <p class="share-opens" aria-live="polite">${texts.opened(share.opens.count, share.opens.last_at ? when.time(new Date(share.opens.last_at)) : "")}</p>
    <p>${texts.theyRead}</p>
    <ul class="share-parts">
      ${share.sections.map(
        (name) => html`<li>
          <span>${sectionNames[name] || name}</span>
          ${share.sections.length > 1
            ? html`<button type="button" class="link" aria-label=${texts.hidePartLabel(sectionNames[name] || name)} disabled=${hiding === name} onClick=${() => hide(name)}>${texts.hidePart}</button>`
            : null}
        </li>`,
      )}
    </ul>
    <p class="hint" role="status">${hidden ? texts.partHidden(sectionNames[hidden] || hidden) : share.sections.length === 1 ? texts.lastPart : ""}</p>
    <p class="hint">${texts.everyOpen}</p>
    <${Button} kind="danger" onClick=${() => setStopping(true)}>${texts.stop}</${Button}>
    <${Confirm}
      open=${stopping}
      title=${texts.stopTitle}
      body=${texts.stopBody}
      confirm=${texts.stopConfirm}
      danger=${true}
      onConfirm=${stop}
      onCancel=${() => setStopping(false)}
    />
  </${Page}>`;
}
