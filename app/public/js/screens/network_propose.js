// Propose a change to the network's rules, one thing per page:
//   #/networks/<id>/rules/propose          what to change (from what the
//                                          service says may be proposed)
//   #/networks/<id>/rules/propose/<name>   the new value and why
// What they type is a draft on this phone until it is sent (data/drafts.js).
// The safety floor's refusal is shown next to the value, and nothing typed
// is lost.
import { html, useState, useEffect } from "../lib.js";
import { useStore } from "../store.js";
import { navigate } from "../router.js";
import { Page, Button, Loading, Field, ErrorSummary, EmergencyRoutes, goWithFlash } from "../ui.js";
import { problemText } from "../texts/common.js";
import { propose as texts, rules as rtexts, audienceOptions } from "../texts/coproduction.js";
import * as data from "../data/rules.js";
import * as drafts from "../data/drafts.js";
import { proposableOf, metaOf, describe } from "./network_rules.js";

const HOUSE = "house_rules";

const readDraft = (key) => {
  try {
    return JSON.parse(drafts.load(key) || "null");
  } catch {
    return null;
  }
};
const pickKey = (networkId) => `propose:${networkId}`;
const valueKey = (networkId, name) => `propose:${networkId}:${name}`;

export default function Propose({ networkId, path }) {
  useStore();
  useEffect(() => {
    const state = data.forNetwork(networkId);
    if (!state.rules) data.load(networkId);
  }, [networkId]);
  const state = data.forNetwork(networkId);
  if (!state.rules) {
    return html`<${Page} title=${texts.title} back=${`/networks/${networkId}/rules`}>
      <${Loading} error=${state.error} retry=${() => data.load(networkId)} />
      <${EmergencyRoutes} />
    </${Page}>`;
  }
  if (path[0]) return html`<${Value} key=${path[0]} networkId=${networkId} rules=${state.rules} name=${path[0]} />`;
  return html`<${Pick} networkId=${networkId} rules=${state.rules} />`;
}

function Pick({ networkId, rules }) {
  const [name, setName] = useState(readDraft(pickKey(networkId)) || "");
  const [errors, setErrors] = useState([]);
  const options = [
    ...proposableOf(rules).map((item) => ({ name: item.name, label: item.label, help: rtexts.hints[item.name] || item.help })),
    { name: HOUSE, label: texts.houseRules, help: texts.houseRulesHint },
  ];
  const choose = (value) => {
    setName(value);
    drafts.save(pickKey(networkId), JSON.stringify(value));
  };
  const next = (event) => {
    event.preventDefault();
    if (!name) return setErrors([{ field: `pick-${options[0].name}`, text: texts.pickMissing }]);
    navigate(`/networks/${networkId}/rules/propose/${name}`);
  };
  return html`<${Page} title=${texts.title} back=${`/networks/${networkId}/rules`}>
    <${ErrorSummary} errors=${errors} />
    <p>${texts.intro}</p>
    <form onSubmit=${next} novalidate>
      <fieldset class=${errors.length ? "field field-error" : "field"} aria-describedby=${errors.length ? "pick-error" : undefined}>
        <legend>${texts.whatLegend}</legend>
        ${errors.length ? html`<p class="error" id="pick-error">${errors[0].text}</p>` : null}
        ${options.map(
          (option) => html`<div class="choice" key=${option.name}>
            <input type="radio" id=${`pick-${option.name}`} name="pick" value=${option.name} checked=${name === option.name}
              aria-describedby=${option.help ? `pick-${option.name}-hint` : undefined} onChange=${() => choose(option.name)} />
            <label for=${`pick-${option.name}`}>${option.label}</label>
            ${option.help ? html`<p class="hint" id=${`pick-${option.name}-hint`}>${option.help}</p>` : null}
          </div>`,
        )}
      </fieldset>
      <${Button} type="submit">${texts.next}</${Button}>
    </form>
    <${EmergencyRoutes} />
  </${Page}>`;
}

// The value as the form holds it (strings while typed), from the current one.
function startingValue(meta, current, rules) {
  switch (meta.kind) {
    case "integer":
      return current === null || current === undefined ? "" : String(current);
    case "boolean":
      return current === null || current === undefined ? "" : current ? "on" : "off";
    case "escalation_steps":
      return (current || []).map((step) => ({ audience: step.audience, wait: String(step.wait_seconds) }));
    case "time_range":
      return current ? { on: true, start: current.start, end: current.end } : { on: false, start: "", end: "" };
    default:
      return meta.name === HOUSE ? rules.house_rules || "" : current ?? "";
  }
}

const whole = (text) => (/^\s*-?\d+\s*$/.test(String(text)) ? Number(text) : null);

// The form's value as the service wants it, or {error, field}.
function toChange(meta, value) {
  switch (meta.kind) {
    case "integer": {
      const n = whole(value);
      return n === null ? { error: texts.numberMissing, field: "value" } : { value: n };
    }
    case "boolean":
      return value === "on" || value === "off" ? { value: value === "on" } : { error: texts.choiceMissing, field: "value-on" };
    case "escalation_steps": {
      const steps = [];
      for (const [index, step] of value.entries()) {
        const wait = whole(step.wait);
        if (wait === null) return { error: `${texts.step(index + 1)}: ${texts.numberMissing}`, field: `step-${index + 1}-wait` };
        steps.push({ audience: step.audience, wait_seconds: wait });
      }
      return { value: steps };
    }
    case "time_range":
      if (!value.on) return { value: null };
      if (!value.start || !value.end) return { error: texts.rangeMissing, field: "range-start" };
      return { value: { start: value.start, end: value.end } };
    default:
      return { value };
  }
}

const firstFieldOf = (meta) =>
  ({ integer: "value", boolean: "value-on", escalation_steps: "step-1-audience", time_range: "range-off" })[meta.kind] || "value";

function Value({ networkId, rules, name }) {
  const house = name === HOUSE;
  const known = house || proposableOf(rules).some((item) => item.name === name);
  const meta = house ? { name: HOUSE, label: texts.houseRules, kind: "text" } : metaOf(rules, name);
  const current = house ? rules.house_rules : (rules.settings || {})[name];
  const saved = readDraft(valueKey(networkId, name));
  const [value, setValue] = useState(saved && saved.value !== undefined ? saved.value : startingValue(meta, current, rules));
  const [reason, setReason] = useState((saved && saved.reason) || "");
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const [key] = useState(() => crypto.randomUUID());
  const keep = (next) => drafts.save(valueKey(networkId, name), JSON.stringify(next));
  const changeValue = (next) => {
    setValue(next);
    keep({ value: next, reason });
  };
  const changeReason = (next) => {
    setReason(next);
    keep({ value, reason: next });
  };
  const back = `/networks/${networkId}/rules/propose`;
  if (!known) {
    return html`<${Page} title=${texts.title} back=${back}><p>${texts.unknown}</p><${EmergencyRoutes} /></${Page}>`;
  }
  const valueField = house ? "house-rules" : firstFieldOf(meta);

  const send = async (event) => {
    event.preventDefault();
    const found = [];
    const change = house ? { value } : toChange(meta, value);
    if (change.error) found.push({ field: change.field, text: change.error, value: true });
    if (!reason.trim()) found.push({ field: "reason", text: texts.reasonMissing });
    setErrors(found);
    if (found.length) return;
    const body = house ? { changes: {}, house_rules: value, reason: reason.trim() } : { changes: { [name]: change.value }, reason: reason.trim() };
    setBusy(true);
    try {
      const proposal = await data.propose(networkId, body, key);
      drafts.clear(valueKey(networkId, name));
      drafts.clear(pickKey(networkId));
      goWithFlash(`/networks/${networkId}/rules/proposals/${proposal.id}`, texts.sentFlash);
    } catch (failure) {
      setErrors(problemsOf(failure, valueField));
    } finally {
      setBusy(false);
    }
  };

  const valueError = errors.filter((e) => e.value).map((e) => e.text).join(" ");
  const reasonError = (errors.find((e) => e.field === "reason") || {}).text || "";
  const now = house ? [] : describe(name, current, meta);
  return html`<${Page} title=${texts.valueTitle(meta.label)} back=${back}>
    <${ErrorSummary} errors=${errors} />
    ${rtexts.hints[name] || meta.help ? html`<p>${rtexts.hints[name] || meta.help}</p>` : null}
    ${now.length ? html`<div class="coprod-now"><p><strong>${texts.nowTitle}</strong></p><ul>${now.map((line) => html`<li>${line}</li>`)}</ul></div>` : null}
    <form onSubmit=${send} novalidate>
      <${Editor} meta=${meta} value=${value} onChange=${changeValue} error=${valueError} />
      <${Field} id="reason" as="textarea" rows="4" maxlength="2000" label=${texts.reasonLabel} hint=${texts.reasonHint}
        error=${reasonError} value=${reason} onInput=${(e) => changeReason(e.target.value)} />
      <p class="hint">${texts.votingHint(rules.voting_days)} ${texts.draftKept}</p>
      <${Button} type="submit" busy=${busy}>${texts.send}</${Button}>
    </form>
    <${EmergencyRoutes} />
  </${Page}>`;
}

// What the service said, each next to its field: the floor's refusal (a 400
// with no field) goes by the value, since the value is what crossed it.
function problemsOf(failure, valueField) {
  if (failure.status !== 400) return [{ text: problemText(failure) }];
  const out = [];
  for (const [field, messages] of Object.entries(failure.fields || {})) {
    const text = messages.join(" ");
    if (field === "reason") out.push({ field: "reason", text });
    else if (field.startsWith("changes") || field === "house_rules" || field === "non_field_errors") out.push({ field: valueField, text, value: true });
    else out.push({ text });
  }
  if (!out.length) out.push({ field: valueField, text: failure.detail || problemText(failure), value: true });
  return out;
}

function Editor({ meta, value, onChange, error }) {
  const limits =
    meta.min !== null && meta.min !== undefined && meta.max !== null && meta.max !== undefined
      ? texts.between(meta.min, meta.max, meta.unit)
      : meta.min !== null && meta.min !== undefined
        ? texts.atLeast(meta.min, meta.unit)
        : meta.max !== null && meta.max !== undefined
          ? texts.atMost(meta.max, meta.unit)
          : "";
  switch (meta.kind) {
    case "integer":
      return html`<${Field} id="value" type="text" inputmode="numeric" autocomplete="off" label=${texts.newValue}
        hint=${limits} error=${error} value=${value} onInput=${(e) => onChange(e.target.value)} />`;
    case "boolean":
      return html`<${Choices} id="value" legend=${texts.newValue} error=${error} value=${value} onChange=${onChange}
        options=${[["on", texts.yesOn], ["off", texts.noOff]]} />`;
    case "escalation_steps":
      return html`<${Steps} steps=${value} onChange=${onChange} error=${error} hint=${limits} />`;
    case "time_range":
      return html`<${Range} range=${value} onChange=${onChange} error=${error} />`;
    default:
      return html`<${Field} id="house-rules" as="textarea" rows="10" maxlength="10000" label=${texts.houseLabel} hint=${texts.houseHint}
        error=${error} value=${value} onInput=${(e) => onChange(e.target.value)} />`;
  }
}

function Choices({ id, legend, error, value, onChange, options }) {
  return html`<fieldset class=${error ? "field field-error" : "field"} aria-describedby=${error ? `${id}-error` : undefined}>
    <legend>${legend}</legend>
    ${error ? html`<p class="error" id=${`${id}-error`}>${error}</p>` : null}
    ${options.map(
      ([option, label]) => html`<div class="choice" key=${option}>
        <input type="radio" id=${`${id}-${option}`} name=${id} checked=${value === option} onChange=${() => onChange(option)} />
        <label for=${`${id}-${option}`}>${label}</label>
      </div>`,
    )}
  </fieldset>`;
}

function Steps({ steps, onChange, error, hint }) {
  const set = (index, patch) => onChange(steps.map((step, i) => (i === index ? { ...step, ...patch } : step)));
  const remove = (index) => onChange(steps.filter((_, i) => i !== index));
  const add = () => onChange([...steps, { audience: "navigators_and_staff", wait: "300" }]);
  return html`<fieldset class=${error ? "field field-error coprod-steps" : "field coprod-steps"} aria-describedby=${error ? "steps-error" : "steps-hint"}>
    <legend>${texts.stepsLegend}</legend>
    <p class="hint" id="steps-hint">${texts.stepWaitHint} ${hint}</p>
    ${error ? html`<p class="error" id="steps-error">${error}</p>` : null}
    <ol class="coprod-step-list">
      ${steps.map(
        (step, index) => html`<li class="coprod-step" key=${index}>
          <div class="field">
            <label for=${`step-${index + 1}-audience`}>${texts.stepWho(index + 1)}</label>
            <select id=${`step-${index + 1}-audience`} value=${step.audience} onChange=${(e) => set(index, { audience: e.target.value })}>
              ${Object.entries(audienceOptions).map(([audience, label]) => html`<option value=${audience} selected=${step.audience === audience}>${label}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for=${`step-${index + 1}-wait`}>${texts.stepWait(index + 1)}</label>
            <input id=${`step-${index + 1}-wait`} type="text" inputmode="numeric" autocomplete="off" value=${step.wait}
              onInput=${(e) => set(index, { wait: e.target.value })} />
          </div>
          ${steps.length > 1
            ? html`<${Button} kind="secondary" onClick=${() => remove(index)}>${texts.removeStep(index + 1)}</${Button}>`
            : null}
        </li>`,
      )}
    </ol>
    <${Button} kind="secondary" onClick=${add}>${texts.addStep}</${Button}>
  </fieldset>`;
}

function Range({ range, onChange, error }) {
  return html`<div>
    <${Choices} id="range" legend=${texts.newValue} error=${error} value=${range.on ? "on" : "off"}
      onChange=${(choice) => onChange({ ...range, on: choice === "on" })}
      options=${[["off", texts.rangeOff], ["on", texts.rangeOn]]} />
    ${range.on
      ? html`<div class="coprod-range">
          <${Field} id="range-start" type="time" label=${texts.rangeStart} value=${range.start} onInput=${(e) => onChange({ ...range, start: e.target.value })} />
          <${Field} id="range-end" type="time" label=${texts.rangeEnd} value=${range.end} onInput=${(e) => onChange({ ...range, end: e.target.value })} />
        </div>`
      : null}
  </div>`;
}
