// The plan's versions: the list, one version (which the owner may sign
// off), and two versions side by side, part by part.
import { html, useEffect, useState } from "../lib.js";
import { href, navigate } from "../router.js";
import { Page, Loading, Button, ErrorSummary, Flash } from "../ui.js";
import { history as texts, sectionNames } from "../texts/plan.js";
import { when, problemText } from "../texts/common.js";
import { PlanSections, SectionBody, hasContent } from "../plan_sections.js";
import * as data from "../data/plans.js";

// A one-off read this screen owns: loading, the answer, or what went wrong.
function useRead(read, deps) {
  const [state, setState] = useState({ value: null, error: null });
  const load = () => {
    setState({ value: null, error: null });
    return read().then((value) => setState({ value, error: null }), (error) => setState({ value: null, error }));
  };
  useEffect(() => {
    load();
  }, deps);
  return [state, load];
}

export function Revisions({ id, base }) {
  const [{ value: list, error }, load] = useRead(() => data.revisions(id), [id]);
  const [older, setOlder] = useState("");
  const [newer, setNewer] = useState("");
  if (!list) return html`<${Page} title=${texts.title} back=${base}><${Loading} error=${error} retry=${load} /></${Page}>`;
  const pickedNewer = newer || String(list[0].number);
  const pickedOlder = older || String((list[1] || list[0]).number);
  const compare = (event) => {
    event.preventDefault();
    const [a, b] = [Number(pickedOlder), Number(pickedNewer)].sort((x, y) => x - y);
    navigate(`${base}/compare?older=${a}&newer=${b}`);
  };
  const options = list.map((revision) => html`<option value=${revision.number}>${texts.revisionTitle(revision.number)}</option>`);
  return html`<${Page} title=${texts.title} back=${base}>
    <p>${texts.intro}</p>
    <ol class="plan-revisions" reversed>
      ${list.map(
        (revision) => html`<li class="card plan-revision">
          <a href=${href(`${base}/revisions/${revision.number}`)}><strong>${texts.revisionTitle(revision.number)}</strong></a>
          <span>${texts.by(revision.author && revision.author.display_name)}, ${when.at(new Date(revision.created_at))}</span>
          <span>${revision.number === 1 || !revision.changed_sections.length ? texts.first : texts.changed(revision.changed_sections.map((name) => sectionNames[name] || name))}</span>
          ${revision.signed_off ? html`<span class="plan-signed">${texts.signedOff}</span>` : null}
        </li>`,
      )}
    </ol>
    <h2>${texts.compareTitle}</h2>
    ${list.length < 2
      ? html`<p>${texts.needTwo}</p>`
      : html`<form onSubmit=${compare}>
          <div class="field"><label for="compare-older">${texts.older}</label>
            <select id="compare-older" value=${pickedOlder} onChange=${(event) => setOlder(event.target.value)}>${options}</select></div>
          <div class="field"><label for="compare-newer">${texts.newer}</label>
            <select id="compare-newer" value=${pickedNewer} onChange=${(event) => setNewer(event.target.value)}>${options}</select></div>
          <${Button} type="submit">${texts.compare}</${Button}>
        </form>`}
  </${Page}>`;
}

export function RevisionView({ id, own, base, rest }) {
  const number = Number(rest[1]);
  const [{ value: reading, error }, load] = useRead(() => data.revision(id, number), [id, number]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState("");
  const [done, setDone] = useState("");
  if (!reading) return html`<${Page} title=${texts.revisionTitle(number)} back=${`${base}/revisions`}><${Loading} error=${error} retry=${load} /></${Page}>`;
  const active = reading.plan.active_revision;
  const signOff = async () => {
    setBusy(true);
    setProblem("");
    try {
      await data.signOff(id, number);
      setDone(texts.signedOff);
      await load();
    } catch (failure) {
      setProblem(problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`<${Page} title=${texts.revisionTitle(number)} back=${`${base}/revisions`}>
    <${ErrorSummary} errors=${problem} />
    <${Flash} text=${done} />
    ${active === number ? html`<p class="status">${texts.signedOff}</p>` : null}
    ${own && active !== number
      ? html`<p>${texts.signOffExplain}</p><${Button} busy=${busy} onClick=${signOff}>${texts.signOff}</${Button}>`
      : null}
    ${active && active !== number
      ? html`<p><a href=${href(`${base}/compare?older=${Math.min(active, number)}&newer=${Math.max(active, number)}`)}>${texts.compareWithSigned(active)}</a></p>`
      : null}
    <${PlanSections} sections=${reading.sections} people=${data.plans.people} />
    ${reading.withheld && reading.withheld.length ? html`<p class="hint">${texts.notShared}</p>` : null}
  </${Page}>`;
}

function Side({ label, name, value }) {
  return html`<div class="plan-side">
    <h3 class="plan-side-label">${label}</h3>
    ${hasContent(value) ? html`<${SectionBody} name=${name} value=${value} people=${data.plans.people} />` : html`<p class="plan-empty">${texts.empty}</p>`}
  </div>`;
}

function Change({ change, older, newer }) {
  return html`<section class="plan-section plan-compare" aria-labelledby=${`compare-${change.section}`}>
    <h2 id=${`compare-${change.section}`}>${sectionNames[change.section]}${change.changed ? html` <span class="plan-changed">${texts.changedLabel}</span>` : null}</h2>
    <div class="plan-sides">
      <${Side} label=${texts.revisionTitle(older)} name=${change.section} value=${change.before} />
      <${Side} label=${texts.revisionTitle(newer)} name=${change.section} value=${change.after} />
    </div>
  </section>`;
}

export function Compare({ id, base, query }) {
  const older = Number(query.get("older"));
  const newer = Number(query.get("newer"));
  const [{ value: comparison, error }, load] = useRead(() => data.compare(id, older, newer), [id, older, newer]);
  const title = texts.compareHeading(older, newer);
  if (!comparison) return html`<${Page} title=${title} back=${`${base}/revisions`}><${Loading} error=${error} retry=${load} /></${Page}>`;
  const changed = comparison.sections.filter((change) => change.changed);
  const same = comparison.sections.filter((change) => !change.changed);
  return html`<${Page} title=${title} back=${`${base}/revisions`}>
    ${changed.length ? changed.map((change) => html`<${Change} change=${change} older=${older} newer=${newer} />`) : html`<p>${texts.nothingChanged}</p>`}
    ${same.length
      ? html`<details class="more"><summary>${texts.unchangedTitle(same.length)}</summary>
          ${same.map((change) => html`<${Change} change=${change} older=${older} newer=${newer} />`)}</details>`
      : null}
    ${comparison.withheld.length ? html`<p class="hint">${texts.notShared}</p>` : null}
  </${Page}>`;
}
