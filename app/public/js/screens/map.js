// My map: the people and places I lean on, each saying who may see it.
//   #/map        the list
//   #/map/new    add one
//   #/map/<id>   change or remove one
import { html, useState, useEffect } from "../lib.js";
import { useStore } from "../store.js";
import { href, navigate } from "../router.js";
import { Page, Button, Loading, Confirm, Flash, Field, ErrorSummary, EmergencyRoutes, useFlash, goWithFlash } from "../ui.js";
import { mapTexts as texts } from "../texts/people.js";
import { problemText } from "../texts/common.js";
import * as data from "../data/map.js";


export default function MapScreen({ path }) {
  useStore();
  useEffect(() => {
    if (data.map.ties === null) data.load();
  }, []);
  if (path[0] === "new") return html`<${TieForm} tie=${null} />`;
  if (path[0]) {
    const tie = data.byId(path[0]);
    if (tie) return html`<${TieForm} tie=${tie} />`;
    return html`<${Page} title=${texts.editTitle} back="/map">
      ${data.map.ties === null ? html`<${Loading} error=${data.map.error} retry=${data.load} />` : html`<p>${texts.none}</p>`}
    </${Page}>`;
  }
  return html`<${List} />`;
}

function List() {
  const flash = useFlash();
  const ties = data.map.ties;
  return html`<${Page} title=${texts.title} back="/">
    <${Flash} text=${flash} />
    <p>${texts.intro}</p>
    ${ties === null
      ? html`<${Loading} error=${data.map.error} retry=${data.load} />`
      : ties.length === 0
        ? html`<p class="notice notice-calm">${texts.none}</p>`
        : html`<ul class="people-list">
            ${ties.map(
              (tie) => html`<li class="people-item">
                <a class="people-link" href=${href(`/map/${tie.id}`)}>
                  <strong>${tie.label}</strong>
                  <span>${[texts.kindShort[tie.kind], tie.relationship, texts.strengthShort[tie.strength]].filter(Boolean).join(" · ")}</span>
                  <span class="people-seen">${texts.seenBy(texts.visibility[tie.visibility] || tie.visibility)}</span>
                </a>
              </li>`,
            )}
          </ul>`}
    <p><a class="button button-primary" href=${href("/map/new")}>${texts.add}</a></p>
    <${EmergencyRoutes} />
  </${Page}>`;
}

function Choices({ name, legend, hint = "", options, labels, value, onChange }) {
  return html`<fieldset class="field">
    <legend>${legend}</legend>
    ${hint ? html`<p class="hint">${hint}</p>` : null}
    ${options.map(
      (option) => html`<div class="choice">
        <input type="radio" id=${`${name}-${option}`} name=${name} value=${String(option)} checked=${value === option}
          onChange=${() => onChange(option)} />
        <label for=${`${name}-${option}`}>${labels[option]}</label>
      </div>`,
    )}
  </fieldset>`;
}

function TieForm({ tie }) {
  const [values, setValues] = useState(() => ({
    kind: tie ? tie.kind : "person",
    label: tie ? tie.label : "",
    relationship: tie ? tie.relationship : "",
    strength: tie ? tie.strength : 2,
    direction: tie ? tie.direction : "both",
    visibility: tie ? tie.visibility : "only_me",
  }));
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState(false);
  const set = (field) => (value) => setValues((old) => ({ ...old, [field]: value }));

  const save = async (event) => {
    event.preventDefault();
    const body = { ...values, label: values.label.trim(), relationship: values.relationship.trim() };
    if (!body.label) return setErrors([{ field: "label", text: texts.labelMissing }]);
    setBusy(true);
    try {
      const saved = tie ? await data.update(tie.id, body) : await data.add(body);
      goWithFlash("/map", texts.savedFlash(saved.label));
    } catch (failure) {
      const fieldErrors = Object.entries(failure.fields || {}).map(([field, list]) => ({ field, text: list[0] }));
      setErrors(fieldErrors.length ? fieldErrors : [{ text: problemText(failure) }]);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      await data.remove(tie.id);
      setRemoving(false);
      goWithFlash("/map", texts.removedFlash(tie.label));
    } catch (failure) {
      setRemoving(false);
      setErrors([{ text: problemText(failure) }]);
    }
  };
  const errorFor = (field) => (errors.find((error) => error.field === field) || {}).text || "";

  return html`<${Page} title=${tie ? texts.editTitle : texts.addTitle} back="/map">
    <${ErrorSummary} errors=${errors} />
    <form onSubmit=${save} novalidate>
      <${Choices} name="kind" legend=${texts.kindLegend} options=${data.KINDS} labels=${texts.kinds}
        value=${values.kind} onChange=${set("kind")} />
      <${Field} id="label" label=${texts.labelLabel} error=${errorFor("label")} type="text" maxlength="120"
        autocomplete="off" value=${values.label} onInput=${(e) => set("label")(e.target.value)} />
      <${Field} id="relationship" label=${texts.relationshipLabel} hint=${texts.relationshipHint}
        error=${errorFor("relationship")} type="text" maxlength="60" autocomplete="off" value=${values.relationship}
        onInput=${(e) => set("relationship")(e.target.value)} />
      <${Choices} name="strength" legend=${texts.strengthLegend} options=${data.STRENGTHS} labels=${texts.strengths}
        value=${values.strength} onChange=${set("strength")} />
      <${Choices} name="direction" legend=${texts.directionLegend} options=${data.DIRECTIONS} labels=${texts.directions}
        value=${values.direction} onChange=${set("direction")} />
      <${Choices} name="visibility" legend=${texts.visibilityLegend} hint=${texts.visibilityHint}
        options=${data.VISIBILITIES} labels=${texts.visibility} value=${values.visibility} onChange=${set("visibility")} />
      <${Button} type="submit" busy=${busy}>${texts.save}</${Button}>
    </form>
    ${tie
      ? html`<${Button} kind="danger" onClick=${() => setRemoving(true)}>${texts.remove}</${Button}>
          <${Confirm} open=${removing} danger=${true} title=${texts.removeTitle(tie.label)} body=${texts.removeBody}
            confirm=${texts.remove} onConfirm=${remove} onCancel=${() => setRemoving(false)} />`
      : null}
  </${Page}>`;
}
