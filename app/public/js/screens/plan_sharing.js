// Who may read my plan: the consent per part and per audience (nothing is
// shared that the member did not choose), and the people who write it with me.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href, navigate } from "../router.js";
import { Page, Loading, Button, ErrorSummary, Confirm, Flash } from "../ui.js";
import { sharing as texts, coAuthors as coTexts, sectionNames } from "../texts/plan.js";
import { when, problemText } from "../texts/common.js";
import * as data from "../data/plans.js";

const AUDIENCES = ["alert_peer", "navigator", "co_authors", "care_export"];
const ORDER = Object.keys(sectionNames);

function useLoaded(load, ready, deps) {
  const [error, setError] = useState(null);
  const run = () => {
    setError(null);
    return load().catch(setError);
  };
  useEffect(() => {
    run();
  }, deps);
  return [ready() ? null : error, run];
}

export function Sharing({ id, base, query }) {
  useStore();
  const consent = data.plans.consent[id];
  const [error, retry] = useLoaded(() => data.loadConsent(id), () => Boolean(consent), [id]);
  if (!consent) return html`<${Page} title=${texts.title} back=${base}><${Loading} error=${error} retry=${retry} /></${Page}>`;
  return html`<${Page} title=${texts.title} back=${base}>
    ${query.get("saved") ? html`<${Flash} text=${texts.saved} />` : null}
    <p>${texts.intro}</p>
    ${AUDIENCES.map((audience) => {
      const words = texts.audiences[audience];
      const shared = ORDER.filter((name) => consent[audience].includes(name));
      return html`<section class="card plan-audience" aria-labelledby=${`audience-${audience}`}>
        <h2 id=${`audience-${audience}`}>${words.name}</h2>
        <p>${words.can}</p>
        ${shared.length ? html`<ul>${shared.map((name) => html`<li>${sectionNames[name]}</li>`)}</ul>` : html`<p><strong>${texts.nothing}</strong></p>`}
        <a class="button button-secondary" href=${href(`${base}/sharing/${audience}`)}>${texts.change(words.name)}</a>
      </section>`;
    })}
  </${Page}>`;
}

export function SharingEdit({ id, base, rest }) {
  useStore();
  const audience = rest[1];
  const words = texts.audiences[audience];
  const consent = data.plans.consent[id];
  const [error, retry] = useLoaded(() => (consent ? Promise.resolve() : data.loadConsent(id)), () => Boolean(consent), [id]);
  const [picked, setPicked] = useState(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState("");
  if (!words) return html`<${Page} title=${texts.title} back=${`${base}/sharing`}><${Loading} error=${{ status: 404 }} /></${Page}>`;
  if (!consent) return html`<${Page} title=${words.name} back=${`${base}/sharing`}><${Loading} error=${error} retry=${retry} /></${Page}>`;
  const selected = picked || consent[audience];
  const toggle = (name, on) => setPicked(on ? [...selected, name] : selected.filter((item) => item !== name));
  const save = async (event) => {
    event.preventDefault();
    setBusy(true);
    setProblem("");
    try {
      await data.setConsent(id, audience, ORDER.filter((name) => selected.includes(name)));
      navigate(`${base}/sharing?saved=1`);
    } catch (failure) {
      setProblem(problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`<${Page} title=${words.name} back=${`${base}/sharing`}>
    <${ErrorSummary} errors=${problem} />
    <form onSubmit=${save}>
      <fieldset class="field" aria-describedby="consent-hint">
        <legend>${words.legend}</legend>
        <p class="hint" id="consent-hint">${words.hint}</p>
        ${ORDER.map(
          (name) => html`<div class="choice">
            <input type="checkbox" id=${`consent-${name}`} checked=${selected.includes(name)} onChange=${(event) => toggle(name, event.target.checked)} />
            <label for=${`consent-${name}`}>${sectionNames[name]}</label>
          </div>`,
        )}
      </fieldset>
      <${Button} type="submit" busy=${busy}>${texts.save}</${Button}>
    </form>
  </${Page}>`;
}

export function CoAuthors({ id, base, query }) {
  useStore();
  const list = data.plans.coAuthors[id];
  const [error, retry] = useLoaded(() => data.loadCoAuthors(id), () => Boolean(list), [id]);
  const [removing, setRemoving] = useState(null);
  const invited = query.get("invited");
  const [flash, setFlash] = useState(invited ? coTexts.invited(invited) : "");
  const [problem, setProblem] = useState("");
  if (!list) return html`<${Page} title=${coTexts.title} back=${base}><${Loading} error=${error} retry=${retry} /></${Page}>`;
  const remove = async () => {
    const person = removing;
    try {
      await data.removeCoAuthor(id, person.id);
      setFlash(coTexts.removed(person.display_name));
    } catch (failure) {
      setProblem(problemText(failure));
    } finally {
      setRemoving(null);
    }
  };
  return html`<${Page} title=${coTexts.title} back=${base}>
    <${ErrorSummary} errors=${problem} />
    <${Flash} text=${flash} />
    <p>${coTexts.intro}</p>
    ${list.length
      ? html`<ul class="plan-people">${list.map(
          (coAuthor) => html`<li class="card">
            <strong>${coAuthor.person.display_name}</strong>
            <span>${coTexts.since(when.at(new Date(coAuthor.invited_at)))}</span>
            <${Button} kind="secondary" onClick=${() => setRemoving(coAuthor.person)}>${coTexts.remove(coAuthor.person.display_name)}</${Button}>
          </li>`,
        )}</ul>`
      : html`<p>${coTexts.none}</p>`}
    <a class="button button-primary" href=${href(`${base}/co-authors/invite`)}>${coTexts.invite}</a>
    <p><a href=${href(`${base}/sharing/co_authors`)}>${coTexts.whatTheyRead}</a></p>
    <${Confirm}
      open=${Boolean(removing)}
      title=${removing ? coTexts.confirmTitle(removing.display_name) : ""}
      body=${removing ? coTexts.confirmBody(removing.display_name) : ""}
      confirm=${coTexts.confirm}
      danger=${true}
      onConfirm=${remove}
      onCancel=${() => setRemoving(null)}
    />
  </${Page}>`;
}

export function Invite({ id, base }) {
  useStore();
  const peers = data.plans.peers;
  const current = data.plans.coAuthors[id];
  const [error, retry] = useLoaded(
    () => Promise.all([peers ? null : data.loadPeople(), current ? null : data.loadCoAuthors(id)]),
    () => Boolean(peers && current),
    [id],
  );
  const [picked, setPicked] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState([]);
  if (!peers || !current) return html`<${Page} title=${coTexts.inviteTitle} back=${`${base}/co-authors`}><${Loading} error=${error} retry=${retry} /></${Page}>`;
  const already = new Set(current.map((coAuthor) => coAuthor.person.id));
  const choices = peers.filter((person) => !already.has(person.person_id));
  const send = async (event) => {
    event.preventDefault();
    if (!picked) {
      setProblem([{ field: `invite-${choices.length ? choices[0].person_id : ""}`, text: coTexts.pickSomeone }]);
      return;
    }
    setBusy(true);
    setProblem([]);
    try {
      await data.invite(id, Number(picked));
      navigate(`${base}/co-authors?invited=${encodeURIComponent(data.plans.people[picked] || "")}`);
    } catch (failure) {
      const fields = (failure.fields && failure.fields.person) || [];
      setProblem(fields.length ? fields.map((text) => ({ field: `invite-${picked}`, text })) : [{ text: problemText(failure) }]);
    } finally {
      setBusy(false);
    }
  };
  const roles = (person) =>
    Object.entries(person.roles)
      .map(([network, role]) => `${coTexts.role[role] || role}, ${network}`)
      .join("; ");
  return html`<${Page} title=${coTexts.inviteTitle} back=${`${base}/co-authors`}>
    <${ErrorSummary} errors=${problem} />
    ${choices.length
      ? html`<form onSubmit=${send} novalidate>
          <fieldset class=${problem.length ? "field field-error" : "field"} aria-describedby="invite-hint">
            <legend>${coTexts.inviteLegend}</legend>
            <p class="hint" id="invite-hint">${coTexts.inviteHint}</p>
            ${problem.length ? html`<p class="error">${problem.map((item) => item.text).join(" ")}</p>` : null}
            ${choices.map(
              (person) => html`<div class="choice">
                <input type="radio" name="invite" id=${`invite-${person.person_id}`} value=${person.person_id} checked=${picked === String(person.person_id)} onChange=${() => setPicked(String(person.person_id))} />
                <label for=${`invite-${person.person_id}`}>${person.display_name} (${roles(person)})</label>
              </div>`,
            )}
          </fieldset>
          <${Button} type="submit" busy=${busy}>${coTexts.send}</${Button}>
        </form>`
      : html`<p>${coTexts.nobody}</p>`}
  </${Page}>`;
}
