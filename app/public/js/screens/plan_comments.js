// Comments of the co-writing circle (the owner and co-authors), on the
// newest version, about the whole plan or one part. What is typed is kept as
// a draft until it is sent.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { newKey } from "../api.js";
import { Page, Loading, Button, ErrorSummary, Field, Flash } from "../ui.js";
import { comments as texts, sectionNames } from "../texts/plan.js";
import { when, problemText } from "../texts/common.js";
import * as drafts from "../data/drafts.js";
import * as data from "../data/plans.js";

export default function Comments({ id, own, base }) {
  useStore();
  const draftKey = `plan:${id}:comment`;
  const [list, setList] = useState(null);
  const [newest, setNewest] = useState(null);
  const [error, setError] = useState(null);
  const [text, setText] = useState(drafts.load(draftKey));
  const [section, setSection] = useState("");
  const [problem, setProblem] = useState([]);
  const [busy, setBusy] = useState(false);
  const [flash, setFlash] = useState("");
  const load = async () => {
    setError(null);
    try {
      const [found, versions] = await Promise.all([
        data.comments(id),
        data.revisions(id),
        data.plans.readings[id] ? null : data.loadPlan(id, { own }),
      ]);
      setList(found);
      setNewest(versions[0]);
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => {
    load();
  }, [id]);
  const entry = data.plans.readings[id];
  if (!list || !newest || !entry) return html`<${Page} title=${texts.title} back=${base}><${Loading} error=${error} retry=${load} /></${Page}>`;
  const type = (event) => {
    setText(event.target.value);
    drafts.save(draftKey, event.target.value);
  };
  const send = async (event) => {
    event.preventDefault();
    setFlash("");
    if (!text.trim()) {
      setProblem([{ field: "comment-text", text: texts.empty }]);
      return;
    }
    setBusy(true);
    setProblem([]);
    try {
      await data.comment(id, { revision: newest.number, section, text: text.trim() }, newKey());
      drafts.clear(draftKey);
      setText("");
      setFlash(texts.sent);
      await load();
    } catch (failure) {
      const fields = failure.fields || {};
      const found = Object.entries(fields).map(([field, messages]) => ({ field: field === "text" ? "comment-text" : field === "section" ? "comment-section" : undefined, text: messages.join(" ") }));
      setProblem(found.length ? found : [{ text: problemText(failure) }]);
    } finally {
      setBusy(false);
    }
  };
  const textError = problem.filter((item) => item.field === "comment-text").map((item) => item.text).join(" ");
  return html`<${Page} title=${texts.title} back=${base}>
    <${ErrorSummary} errors=${problem} />
    <${Flash} text=${flash} />
    <p>${texts.intro}</p>
    ${list.length
      ? html`<ul class="plan-people">${list.map(
          (item) => html`<li class="card plan-comment">
            <strong>${texts.by(item.author && item.author.display_name, when.at(new Date(item.created_at)))}</strong>
            <span class="hint">${item.section ? texts.about(sectionNames[item.section] || item.section) : texts.onVersion(item.revision)}</span>
            <p class="plan-comment-text">${item.text}</p>
          </li>`,
        )}</ul>`
      : html`<p>${texts.none}</p>`}
    <form onSubmit=${send} novalidate>
      <${Field} id="comment-text" as="textarea" rows="4" label=${texts.textLabel} hint=${texts.textHint} error=${textError} value=${text} onInput=${type} />
      <div class="field">
        <label for="comment-section">${texts.sectionLabel}</label>
        <select id="comment-section" value=${section} onChange=${(event) => setSection(event.target.value)}>
          <option value="">${texts.anyPart}</option>
          ${Object.entries(sectionNames)
            .filter(([name]) => !(entry.latest.withheld || []).includes(name))
            .map(([name, label]) => html`<option value=${name}>${label}</option>`)}
        </select>
      </div>
      <${Button} type="submit" busy=${busy}>${texts.send}</${Button}>
    </form>
  </${Page}>`;
}
