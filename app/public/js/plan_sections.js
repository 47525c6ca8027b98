// Draws plan sections as the API gives them (strings, lists, small objects),
// with the section names from texts/plan.js. Used by the member's own plan
// screens and by the peer who holds an alert (only the sections they may read).
// People are named by id in a plan: `people` ({id: name}) turns them into
// names; an id this reader does not know shows as "someone in the network".
import { html } from "./lib.js";
import { sectionNames, fieldNames, professionalKinds } from "./texts/plan.js";

const PERSON_LISTS = new Set(["contact_in_order", "do_not_contact", "check_in_from"]);
const unknownPerson = "someone in the network";

const empty = (value) =>
  value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length);

function List({ items, ordered = false }) {
  if (empty(items)) return null;
  const rows = items.map((item) => html`<li>${item}</li>`);
  return ordered ? html`<ol>${rows}</ol>` : html`<ul>${rows}</ul>`;
}

function Fields({ value, people, library }) {
  const rows = Object.entries(value).filter(([, item]) => !empty(item));
  if (!rows.length) return null;
  return html`<dl>${rows.map(
    ([key, item]) => html`<dt>${fieldNames[key] || key}</dt><dd><${Value} name=${key} value=${item} people=${people} library=${library} /></dd>`,
  )}</dl>`;
}

function Value({ name = "", value, people = {}, library = {} }) {
  if (empty(value)) return null;
  if (PERSON_LISTS.has(name)) return html`<${List} items=${value.map((id) => people[id] || unknownPerson)} ordered=${name === "contact_in_order"} />`;
  if (name === "from_library") return html`<${List} items=${value.map((id) => library[id]).filter(Boolean)} />`;
  if (name === "on_call_steps") return html`<${List} items=${value} ordered=${true} />`;
  if (name === "professional_contacts") {
    return html`<ul>${value.map(
      (contact) => html`<li>${professionalKinds[contact.kind] || contact.kind}: ${contact.name}, <a href=${`tel:${String(contact.phone_number).replace(/[^\d+]/g, "")}`}>${contact.phone_number}</a></li>`,
    )}</ul>`;
  }
  if (Array.isArray(value)) return html`<${List} items=${value.map((item) => (typeof item === "object" ? html`<${Fields} value=${item} people=${people} library=${library} />` : String(item)))} />`;
  if (typeof value === "object") return html`<${Fields} value=${value} people=${people} library=${library} />`;
  return String(value);
}

export function hasContent(value) {
  if (empty(value)) return false;
  if (typeof value === "object" && !Array.isArray(value)) return Object.values(value).some((item) => !empty(item));
  return true;
}

// One section's content, with no heading (the compare screen puts two side by side).
export function SectionBody({ name, value, people = {}, library = {} }) {
  return html`<div class="plan-text"><${Value} name=${name} value=${value} people=${people} library=${library} /></div>`;
}

// sections: {name: content}; order: which names, in which order (default all).
// `extra(name)`: anything to draw under a section (the owner's "Change" link).
// `emptyText(name)`: when given, every name in `order` is drawn, and a section
// with nothing in it says this instead.
export function PlanSections({ sections, order = Object.keys(sectionNames), headingLevel = 2, people = {}, library = {}, extra = null, emptyText = null }) {
  const Heading = `h${headingLevel}`;
  return html`${order
    .filter((name) => emptyText || (sections && sections[name] !== undefined))
    .map(
      (name) => html`<section class="plan-section" aria-labelledby=${`section-${name}`}>
        <${Heading} id=${`section-${name}`}>${sectionNames[name] || name}</${Heading}>
        ${emptyText && !hasContent(sections && sections[name])
          ? html`<p class="plan-empty">${emptyText(name)}</p>`
          : html`<${SectionBody} name=${name} value=${sections[name]} people=${people} library=${library} />`}
        ${extra ? extra(name) : null}
      </section>`,
    )}`;
}
