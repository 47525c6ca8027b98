// Draws plan sections as the API gives them (strings, lists, small objects),
// with the section names from texts/plan.js. Used by the member's own plan
// screens and by the peer who holds an alert (only the sections they may read).
import { html } from "./lib.js";
import { sectionNames, fieldNames } from "./texts/plan.js";

function Value({ value, people = {} }) {
  if (value === null || value === undefined || value === "") return null;
  if (Array.isArray(value)) {
    if (!value.length) return null;
    return html`<ul>${value.map((item) => html`<li><${Value} value=${item} people=${people} /></li>`)}</ul>`;
  }
  if (typeof value === "object") {
    return html`<dl>${Object.entries(value)
      .filter(([, item]) => item !== "" && item !== null && !(Array.isArray(item) && !item.length))
      .map(([key, item]) => html`<dt>${fieldNames[key] || key}</dt><dd><${Value} value=${item} people=${people} /></dd>`)}</dl>`;
  }
  if (typeof value === "number" && people[value]) return people[value];
  return String(value);
}

// sections: {name: content}; order: which names, in which order (default all).
export function PlanSections({ sections, order = Object.keys(sectionNames), headingLevel = 2, people = {} }) {
  const Heading = `h${headingLevel}`;
  return html`${order
    .filter((name) => sections && sections[name] !== undefined)
    .map(
      (name) => html`<section class="plan-section" aria-labelledby=${`section-${name}`}>
        <${Heading} id=${`section-${name}`}>${sectionNames[name] || name}</${Heading}>
        <div class="plan-text"><${Value} value=${sections[name]} people=${people} /></div>
      </section>`,
    )}`;
}
