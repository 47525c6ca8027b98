// Check-ins: the follow-ups I was asked to do after an alert (#/check-ins),
// sending a "thinking of you" check-in (#/check-ins/send), and sending a
// follow-up (#/check-ins/follow-up/<id>). What is typed is kept as a draft.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href, navigate } from "../router.js";
import { Page, Loading, Button, ErrorSummary, Field, Flash, EmergencyRoutes } from "../ui.js";
import { checkIns as texts } from "../texts/messages.js";
import { when, problemText } from "../texts/common.js";
import * as drafts from "../data/drafts.js";
import * as data from "../data/check_ins.js";
import { PersonChoice } from "./messages_people.js";

export default function CheckIns({ path, query }) {
  if (path[0] === "send") return html`<${SendCheckIn} />`;
  if (path[0] === "follow-up" && path[1]) return html`<${FollowUp} id=${Number(path[1])} />`;
  return html`<${Overview} sent=${query.get("sent") || ""} />`;
}

function Overview({ sent }) {
  useStore();
  useEffect(() => {
    data.loadFollowUps();
  }, []);
  const list = data.checkIns.followUps;
  const due = data.due();
  return html`<${Page} title=${texts.title} back="/messages">
    <${Flash} text=${sent ? texts.sent(sent) : ""} />
    <p>${texts.intro}</p>
    <p><a class="button button-primary" href=${href("/check-ins/send")}>${texts.send}</a></p>
    <h2>${texts.dueTitle}</h2>
    ${list === null
      ? html`<${Loading} error=${data.checkIns.error} retry=${data.loadFollowUps} />`
      : due.length
        ? html`<p>${texts.dueIntro}</p>
            <ul class="conversations">
              ${due.map(
                (followUp) => html`<li key=${followUp.id}>
                  <a class="card" href=${href(`/check-ins/follow-up/${followUp.id}`)}>
                    ${texts.due(followUp.member.display_name, when.at(new Date(followUp.due_at)))}
                  </a>
                </li>`,
              )}
            </ul>`
        : html`<p class="notice notice-calm">${texts.noneDue}</p>`}
    <${EmergencyRoutes} />
  </${Page}>`;
}

const DRAFT = "check-in";

function SendCheckIn() {
  const [chosen, setChosen] = useState(null);
  const [people, setPeople] = useState([]);
  const [text, setText] = useState(() => drafts.load(DRAFT));
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const go = async (event) => {
    event.preventDefault();
    if (chosen === null) return setError(texts.choose);
    setBusy(true);
    try {
      await data.sendCheckIn(chosen, text);
      drafts.clear(DRAFT);
      const person = people.find((p) => p.id === chosen);
      navigate(`/check-ins?sent=${encodeURIComponent(person ? person.display_name : "")}`, { replace: true });
    } catch (failure) {
      setError(problemText(failure));
      setBusy(false);
    }
  };
  const missing = error === texts.choose;
  return html`<${Page} title=${texts.send} back="/check-ins">
    <form onSubmit=${go} novalidate>
      <${ErrorSummary} errors=${error ? [{ field: missing ? "person" : "", text: error }] : []} />
      <${PersonChoice} legend=${texts.whoLegend} value=${chosen} error=${missing ? error : ""} onPeople=${setPeople}
        onChange=${(id) => { setChosen(id); setError(""); }} />
      <${Field} id="check-in-words" as="textarea" rows="3" maxlength="4000" label=${texts.wordsLabel} hint=${texts.wordsHint}
        value=${text} onInput=${(e) => { setText(e.target.value); drafts.save(DRAFT, e.target.value); }} />
      <${Button} type="submit" busy=${busy}>${texts.sendButton}</${Button}>
    </form>
    <${EmergencyRoutes} />
  </${Page}>`;
}

function FollowUp({ id }) {
  useStore();
  const draftKey = `follow-up:${id}`;
  const [text, setText] = useState(() => drafts.load(draftKey));
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (data.checkIns.followUps === null) data.loadFollowUps();
  }, [id]);
  const list = data.checkIns.followUps;
  const followUp = (list || []).find((f) => f.id === id);
  if (!followUp) {
    const notFound = list !== null ? { status: 404 } : data.checkIns.error;
    return html`<${Page} title=${texts.title} back="/check-ins"><${Loading} error=${notFound} retry=${data.loadFollowUps} /></${Page}>`;
  }
  const name = followUp.member.display_name;
  const go = async (event) => {
    event.preventDefault();
    if (!text.trim()) return setError(texts.followUpMissing);
    setBusy(true);
    try {
      await data.sendFollowUp(id, text);
      drafts.clear(draftKey);
      navigate(`/check-ins?sent=${encodeURIComponent(name)}`, { replace: true });
    } catch (failure) {
      setError(problemText(failure));
      setBusy(false);
    }
  };
  return html`<${Page} title=${texts.followUpTitle(name)} back="/check-ins">
    ${followUp.checked_in
      ? html`<p class="notice notice-calm">${texts.alreadyDone}</p>`
      : html`<form onSubmit=${go} novalidate>
          <${ErrorSummary} errors=${error ? [{ field: error === texts.followUpMissing ? "follow-up-words" : "", text: error }] : []} />
          <${Field} id="follow-up-words" as="textarea" rows="4" maxlength="4000" label=${texts.followUpLabel} hint=${texts.followUpHint}
            error=${error === texts.followUpMissing ? error : ""} value=${text}
            onInput=${(e) => { setText(e.target.value); drafts.save(draftKey, e.target.value); }} />
          <${Button} type="submit" busy=${busy}>${texts.followUpSend}</${Button}>
        </form>`}
    <${EmergencyRoutes} />
  </${Page}>`;
}
