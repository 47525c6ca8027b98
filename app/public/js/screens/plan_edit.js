// One part of the plan per page, saved as a new version. What the person
// types is kept as a draft on this phone at every key press (data/drafts.js),
// so a reload or a lost signal loses nothing; the draft goes once saved.
// The shapes are crisisplans/serializers.py PlanSectionsIn's.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { navigate } from "../router.js";
import { newKey } from "../api.js";
import { Page, Loading, Button, ErrorSummary, Field } from "../ui.js";
import { sectionNames, questions, edit as texts, professionalKinds } from "../texts/plan.js";
import { problemText } from "../texts/common.js";
import * as drafts from "../data/drafts.js";
import * as data from "../data/plans.js";

const LINES = new Set(["triggers", "warning_signs", "reasons_for_living", "on_call_steps", "safe_places", "out_of_crisis_signs"]);
const PRACTICAL = ["children", "pets", "medication", "keys", "other"];

const joined = (items) => (items || []).join("\n");
const split = (text) =>
  String(text || "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

// What the form holds, from the section as the API gave it...
function fromApi(section, value) {
  const v = value || {};
  if (section === "when_well") return { text: value || "" };
  if (LINES.has(section)) return { lines: joined(value) };
  if (section === "what_helps") return { helps: joined(v.helps), does_not_help: joined(v.does_not_help) };
  if (section === "coping_strategies") return { own: joined(v.own), from_library: v.from_library || [] };
  if (section === "contacts") return { contact_in_order: v.contact_in_order || [], do_not_contact: v.do_not_contact || [], do_not_contact_notes: v.do_not_contact_notes || "" };
  if (section === "professional_contacts") return { rows: (value || []).map((row) => ({ ...row })) };
  if (section === "practical_needs") return Object.fromEntries(PRACTICAL.map((key) => [key, v[key] || ""]));
  if (section === "afterwards") return { check_in_after_hours: v.check_in_after_hours ? String(v.check_in_after_hours) : "", check_in_from: v.check_in_from || [], notes: v.notes || "" };
  return {};
}

// ...and back, for the new version.
function toApi(section, form) {
  if (section === "when_well") return form.text.trim();
  if (LINES.has(section)) return split(form.lines);
  if (section === "what_helps") return { helps: split(form.helps), does_not_help: split(form.does_not_help) };
  if (section === "coping_strategies") return { own: split(form.own), from_library: form.from_library };
  if (section === "contacts") return { ...form, do_not_contact_notes: form.do_not_contact_notes.trim() };
  if (section === "professional_contacts") return form.rows.filter((row) => row.name || row.phone_number);
  if (section === "practical_needs") return Object.fromEntries(PRACTICAL.map((key) => [key, form[key].trim()]));
  if (section === "afterwards") return { check_in_after_hours: form.check_in_after_hours.trim(), check_in_from: form.check_in_from, notes: form.notes.trim() };
  return form;
}

// The service names a field by its path ("sections.triggers.3",
// "sections.professional_contacts.0.phone_number"): which control, what to say.
function fieldErrors(section, fields) {
  const list = [];
  const byId = {};
  for (const [path, messages] of Object.entries(fields || {})) {
    const parts = path.replace(new RegExp(`^sections\\.?(${section}\\.?)?`), "").split(".").filter(Boolean);
    let id = "";
    let text = messages.join(" ");
    if (section === "professional_contacts" && parts.length >= 2) id = `f-pro-${parts[0]}-${parts[1]}`;
    else if (LINES.has(section) && /^\d+$/.test(parts[0] || "")) {
      id = "f-lines";
      text = texts.line(Number(parts[0]) + 1, text);
    } else if (parts.length === 2 && /^\d+$/.test(parts[1])) {
      id = `f-${parts[0]}`;
      text = texts.line(Number(parts[1]) + 1, text);
    } else if (section === "when_well" && !parts.length && path !== "sections") id = "f-text";
    else if (parts[0] && parts[0] !== "non_field_errors") id = `f-${parts[0]}`;
    if (id) byId[id] = [byId[id], text].filter(Boolean).join(" ");
    list.push({ field: id || undefined, text });
  }
  return { list, byId };
}

function CheckGroup({ id, legend, hint, options, selected, onChange, error = "" }) {
  const toggle = (value, on) => onChange(on ? [...selected, value] : selected.filter((item) => item !== value));
  return html`<fieldset class=${error ? "field field-error" : "field"} id=${id} aria-describedby=${hint ? `${id}-hint` : undefined}>
    <legend>${legend}</legend>
    ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : null}
    ${error ? html`<p class="error">${error}</p>` : null}
    ${options.length ? null : html`<p>${texts.nobodyToPick}</p>`}
    ${options.map(
      (option) => html`<div class="choice">
        <input type="checkbox" id=${`${id}-${option.value}`} checked=${selected.includes(option.value)} onChange=${(event) => toggle(option.value, event.target.checked)} />
        <label for=${`${id}-${option.value}`}>${option.label}</label>
      </div>`,
    )}
  </fieldset>`;
}

function Lines({ id, name, value, set, errors, rows = 6 }) {
  const question = questions[name] || {};
  return html`<${Field} id=${id} as="textarea" rows=${rows} label=${question.label} hint=${question.hint} error=${errors[id] || ""} value=${value} onInput=${(event) => set(event.target.value)} />`;
}

const personOptions = (peers) => (peers || []).map((person) => ({ value: person.person_id, label: person.display_name }));

function ContactOrder({ form, update, errors }) {
  const [pick, setPick] = useState("");
  const names = data.plans.people;
  const order = form.contact_in_order;
  const question = questions.contact_in_order;
  const candidates = (data.plans.peers || []).filter((person) => !order.includes(person.person_id));
  const move = (index) => {
    const next = [...order];
    [next[index - 1], next[index]] = [next[index], next[index - 1]];
    update({ contact_in_order: next });
  };
  const add = () => {
    if (!pick) return;
    update({ contact_in_order: [...order, Number(pick)], do_not_contact: form.do_not_contact.filter((id) => id !== Number(pick)) });
    setPick("");
  };
  const error = errors["f-contact_in_order"];
  return html`<fieldset class=${error ? "field field-error" : "field"}>
    <legend>${question.legend}</legend>
    <p class="hint">${question.hint}</p>
    ${error ? html`<p class="error">${error}</p>` : null}
    ${order.length
      ? html`<ol class="plan-rows">${order.map((personId, index) => {
          const name = names[personId] || personId;
          return html`<li class="plan-row"><span class="plan-row-name">${name}</span>
            ${index > 0 ? html`<button type="button" class="button button-secondary plan-row-button" onClick=${() => move(index)}>${texts.moveUp(name)}</button>` : null}
            <button type="button" class="button button-secondary plan-row-button" onClick=${() => update({ contact_in_order: order.filter((item) => item !== personId) })}>${texts.removeRow(name)}</button></li>`;
        })}</ol>`
      : html`<p>${texts.noContacts}</p>`}
    <label for="f-contact_in_order">${texts.contactLabel}</label>
    <select id="f-contact_in_order" value=${pick} onChange=${(event) => setPick(event.target.value)}>
      <option value="">${texts.pickPerson}</option>
      ${candidates.map((person) => html`<option value=${person.person_id}>${person.display_name}</option>`)}
    </select>
    <${Button} kind="secondary" onClick=${add}>${texts.addContact}</${Button}>
  </fieldset>`;
}

function Professionals({ form, update, errors }) {
  const rows = form.rows;
  const set = (index, key, value) => update({ rows: rows.map((row, i) => (i === index ? { ...row, [key]: value } : row)) });
  return html`${rows.map(
    (row, index) => html`<fieldset class="field plan-professional">
      <legend>${texts.professional(index + 1)}</legend>
      <div class=${errors[`f-pro-${index}-kind`] ? "field field-error" : "field"}>
        <label for=${`f-pro-${index}-kind`}>${questions.kind.label}</label>
        ${errors[`f-pro-${index}-kind`] ? html`<p class="error">${errors[`f-pro-${index}-kind`]}</p>` : null}
        <select id=${`f-pro-${index}-kind`} value=${row.kind} onChange=${(event) => set(index, "kind", event.target.value)}>
          ${Object.entries(professionalKinds).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
        </select>
      </div>
      <${Field} id=${`f-pro-${index}-name`} label=${questions.name.label} error=${errors[`f-pro-${index}-name`] || ""} value=${row.name} onInput=${(event) => set(index, "name", event.target.value)} />
      <${Field} id=${`f-pro-${index}-phone_number`} type="tel" autocomplete="off" label=${questions.phone_number.label} hint=${questions.phone_number.hint} error=${errors[`f-pro-${index}-phone_number`] || ""} value=${row.phone_number} onInput=${(event) => set(index, "phone_number", event.target.value)} />
      <${Button} kind="secondary" onClick=${() => update({ rows: rows.filter((_, i) => i !== index) })}>${texts.removeProfessional(index + 1)}</${Button}>
    </fieldset>`,
  )}
  <${Button} kind="secondary" onClick=${() => update({ rows: [...rows, { kind: "gp", name: "", phone_number: "" }] })}>${texts.addProfessional}</${Button}>`;
}

function SectionForm({ section, form, update, errors }) {
  const line = (name, id = `f-${name}`, rows = 5) => html`<${Lines} id=${id} name=${name} value=${form[name]} set=${(value) => update({ [name]: value })} errors=${errors} rows=${rows} />`;
  if (section === "when_well") {
    return html`<${Field} id="f-text" as="textarea" rows="8" label=${questions.when_well.label} hint=${questions.when_well.hint} error=${errors["f-text"] || ""} value=${form.text} onInput=${(event) => update({ text: event.target.value })} />`;
  }
  if (LINES.has(section)) {
    const question = questions[section];
    return html`<${Field} id="f-lines" as="textarea" rows="8" label=${question.label} hint=${question.hint} error=${errors["f-lines"] || ""} value=${form.lines} onInput=${(event) => update({ lines: event.target.value })} />`;
  }
  if (section === "what_helps") return html`${line("helps")}${line("does_not_help")}`;
  if (section === "coping_strategies") {
    const library = (data.plans.library || []).map((item) => ({ value: item.id, label: item.text }));
    return html`${line("own")}
      ${library.length ? html`<${CheckGroup} id="f-from_library" legend=${questions.from_library.legend} hint=${questions.from_library.hint} options=${library} selected=${form.from_library} onChange=${(value) => update({ from_library: value })} error=${errors["f-from_library"]} />` : null}`;
  }
  if (section === "contacts") {
    const others = personOptions(data.plans.peers).filter((option) => !form.contact_in_order.includes(option.value));
    return html`<${ContactOrder} form=${form} update=${update} errors=${errors} />
      <${CheckGroup} id="f-do_not_contact" legend=${questions.do_not_contact.legend} hint=${questions.do_not_contact.hint} options=${others} selected=${form.do_not_contact} onChange=${(value) => update({ do_not_contact: value })} error=${errors["f-do_not_contact"]} />
      ${line("do_not_contact_notes", "f-do_not_contact_notes", 3)}`;
  }
  if (section === "professional_contacts") return html`<${Professionals} form=${form} update=${update} errors=${errors} />`;
  if (section === "practical_needs") return html`${PRACTICAL.map((name) => line(name, `f-${name}`, 2))}`;
  if (section === "afterwards") {
    return html`<${Field} id="f-check_in_after_hours" inputmode="numeric" label=${questions.check_in_after_hours.label} hint=${questions.check_in_after_hours.hint} error=${errors["f-check_in_after_hours"] || ""} value=${form.check_in_after_hours} onInput=${(event) => update({ check_in_after_hours: event.target.value })} />
      <${CheckGroup} id="f-check_in_from" legend=${questions.check_in_from.legend} hint=${questions.check_in_from.hint} options=${personOptions(data.plans.peers)} selected=${form.check_in_from} onChange=${(value) => update({ check_in_from: value })} error=${errors["f-check_in_from"]} />
      ${line("notes", "f-notes", 3)}`;
  }
  return null;
}

export default function EditSection({ id, own, base, rest }) {
  useStore();
  const section = rest[1];
  const draftKey = `plan:${id}:${section}`;
  const entry = data.plans.readings[id];
  const [loadError, setLoadError] = useState(null);
  const [form, setForm] = useState(null);
  const [restored, setRestored] = useState(false);
  const [errors, setErrors] = useState({ list: [], byId: {} });
  const [busy, setBusy] = useState(false);
  const load = () => {
    setLoadError(null);
    const needs = [entry ? null : data.loadPlan(id, { own })];
    if (["contacts", "afterwards"].includes(section) && !data.plans.peers) needs.push(data.loadPeople());
    if (section === "coping_strategies" && !data.plans.library) needs.push(data.loadLibrary());
    return Promise.all(needs).catch(setLoadError);
  };
  useEffect(() => {
    load();
  }, [id, section]);
  useEffect(() => {
    if (!entry || form) return;
    const draft = drafts.load(draftKey);
    if (draft) {
      try {
        setForm(JSON.parse(draft));
        setRestored(true);
        return;
      } catch {
        drafts.clear(draftKey);
      }
    }
    setForm(fromApi(section, entry.latest.sections[section]));
  }, [entry, section]);
  const name = sectionNames[section];
  if (!name) return html`<${Page} title=${texts.title("")} back=${base}><${Loading} error=${{ status: 404 }} /></${Page}>`;
  if (!entry || !form) return html`<${Page} title=${name} back=${base}><${Loading} error=${loadError} retry=${load} /></${Page}>`;
  if ((entry.latest.withheld || []).includes(section)) return html`<${Page} title=${name} back=${base}><p>${texts.notAllowed}</p></${Page}>`;
  const update = (change) => {
    const next = { ...form, ...change };
    setForm(next);
    drafts.save(draftKey, JSON.stringify(next));
  };
  const discard = () => {
    drafts.clear(draftKey);
    setRestored(false);
    setErrors({ list: [], byId: {} });
    setForm(fromApi(section, entry.latest.sections[section]));
  };
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setErrors({ list: [], byId: {} });
    try {
      const revision = await data.propose(id, { [section]: toApi(section, form) }, newKey());
      drafts.clear(draftKey);
      navigate(`${base}?saved=${revision.number}`);
    } catch (failure) {
      const unchanged = failure.status === 400 && /changes nothing/.test(JSON.stringify(failure.fields));
      const found = fieldErrors(section, failure.fields);
      setErrors(unchanged ? { list: [{ text: texts.unchanged }], byId: {} } : found.list.length ? found : { list: [{ text: problemText(failure) }], byId: {} });
    } finally {
      setBusy(false);
    }
  };
  return html`<${Page} title=${name} back=${base}>
    <${ErrorSummary} errors=${errors.list} />
    ${restored ? html`<div class="notice notice-calm" role="status"><p>${texts.draftRestored}</p><button type="button" class="link" onClick=${discard}>${texts.discard}</button></div>` : null}
    <form onSubmit=${submit} novalidate>
      <${SectionForm} section=${section} form=${form} update=${update} errors=${errors.byId} />
      <p class="hint">${texts.draftKept}</p>
      <${Button} type="submit" busy=${busy}>${busy ? texts.saving : texts.save}</${Button}>
    </form>
  </${Page}>`;
}
