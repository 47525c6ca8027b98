// Choosing someone to message, the people I have blocked, and reporting a
// message: each one thing on its page, each saying plainly what it does.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href, navigate } from "../router.js";
import { Page, Loading, Button, Confirm, ErrorSummary, Flash, EmergencyRoutes } from "../ui.js";
import { people as peopleTexts, blocks as blockTexts, report as reportTexts, conversation as conversationTexts } from "../texts/messages.js";
import { problemText } from "../texts/common.js";
import * as data from "../data/conversations.js";

// Radio buttons of everyone who shares a network with me.
export function PersonChoice({ legend, value, onChange, error = "", onPeople = () => {} }) {
  const [people, setPeople] = useState(null);
  const [failure, setFailure] = useState(null);
  const load = () =>
    data.fellowMembers().then((found) => {
      setPeople(found);
      setFailure(null);
      onPeople(found);
    }, setFailure);
  useEffect(() => {
    load();
  }, []);
  if (people === null) return html`<${Loading} error=${failure} retry=${load} />`;
  if (!people.length) return html`<p>${peopleTexts.none}</p>`;
  return html`<fieldset id="person" class=${error ? "field field-error person-choice" : "field person-choice"} aria-describedby=${error ? "person-error" : undefined}>
    <legend>${legend}</legend>
    ${error ? html`<p class="error" id="person-error">${error}</p>` : null}
    ${people.map(
      (person) => html`<div class="choice" key=${person.id}>
        <input type="radio" id=${`person-${person.id}`} name="person" value=${person.id} checked=${value === person.id}
          aria-describedby=${`person-${person.id}-where`} onChange=${() => onChange(person.id)} />
        <label for=${`person-${person.id}`}>${person.display_name}</label>
        <p class="hint" id=${`person-${person.id}-where`}>${peopleTexts.inNetwork(person.networks.join(", "))}</p>
      </div>`,
    )}
  </fieldset>`;
}

export function NewConversation() {
  const [chosen, setChosen] = useState(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const go = async (event) => {
    event.preventDefault();
    if (chosen === null) return setError(peopleTexts.choose);
    setBusy(true);
    try {
      const conversation = await data.startDirect(chosen);
      navigate(`/conversations/${conversation.id}`, { replace: true });
    } catch (failure) {
      setError(problemText(failure));
      setBusy(false);
    }
  };
  const missing = error === peopleTexts.choose;
  return html`<${Page} title=${peopleTexts.title} back="/messages">
    <form onSubmit=${go} novalidate>
      <${ErrorSummary} errors=${error ? [{ field: missing ? `person` : "", text: error }] : []} />
      <${PersonChoice} legend=${peopleTexts.legend} value=${chosen} error=${missing ? error : ""}
        onChange=${(id) => { setChosen(id); setError(""); }} />
      <${Button} type="submit" busy=${busy}>${peopleTexts.open}</${Button}>
    </form>
    <${EmergencyRoutes} />
  </${Page}>`;
}

export function Blocks() {
  useStore();
  const [error, setError] = useState(null);
  const [flash, setFlash] = useState("");
  const load = () => data.loadBlocks().then(() => setError(null), setError);
  useEffect(() => {
    load();
  }, []);
  const list = data.conversations.blocks;
  const unblock = async (person) => {
    try {
      await data.unblock(person.id);
      setFlash(blockTexts.unblocked(person.display_name));
    } catch (failure) {
      setError(failure);
    }
  };
  return html`<${Page} title=${blockTexts.title} back="/messages">
    <${Flash} text=${flash} />
    <p>${blockTexts.intro}</p>
    ${list === null || error
      ? html`<${Loading} error=${error} retry=${load} />`
      : list.length
        ? html`<ul class="blocks">
            ${list.map(
              (entry) => html`<li key=${entry.person.id}>
                <span class="block-name">${entry.person.display_name}</span>
                <${Button} kind="secondary" onClick=${() => unblock(entry.person)}>${blockTexts.unblock(entry.person.display_name)}</${Button}>
              </li>`,
            )}
          </ul>`
        : html`<p class="notice notice-calm">${blockTexts.none}</p>`}
    <${EmergencyRoutes} />
  </${Page}>`;
}

export function Report({ conversationId, messageId }) {
  useStore();
  const [reason, setReason] = useState("");
  const [error, setError] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState(false);
  const box = data.conversations.messages[conversationId];
  useEffect(() => {
    if (!box || !box.loaded) data.open(conversationId);
  }, [conversationId]);
  const conversation = data.conversations.byId[conversationId];
  const back = `/conversations/${conversationId}`;
  if (!conversation || !box || !box.loaded) {
    return html`<${Page} title=${reportTexts.title} back=${back}>
      <${Loading} error=${box && box.error} retry=${() => data.open(conversationId)} />
    </${Page}>`;
  }
  const message = box.items.find((m) => m.id === messageId);
  const network = conversation.network.name;
  const check = (event) => {
    event.preventDefault();
    if (!reason) return setError(reportTexts.chooseReason);
    setError("");
    setConfirming(true);
  };
  const send = async () => {
    try {
      await data.report(conversationId, messageId, reason);
      setConfirming(false);
      setDone(true);
    } catch (failure) {
      setConfirming(false);
      setError(problemText(failure));
    }
  };
  if (done) {
    return html`<${Page} title=${reportTexts.title} back=${back}>
      <p class="flash" role="status">${reportTexts.done}</p>
      ${reason === "unsafe" ? html`<p>${reportTexts.unsafeNow}</p>` : null}
      <p><a class="button button-secondary" href=${href(back)}>${reportTexts.backTo}</a></p>
      <${EmergencyRoutes} />
    </${Page}>`;
  }
  const missing = error === reportTexts.chooseReason;
  return html`<${Page} title=${reportTexts.title} back=${back}>
    ${message
      ? html`<blockquote class="reported">${message.author ? `${message.author.display_name}: ` : ""}${message.text || conversationTexts.deletedMessage}</blockquote>`
      : html`<p class="notice">${reportTexts.gone}</p>`}
    <p>${reportTexts.intro(network)}</p>
    <form onSubmit=${check} novalidate>
      <${ErrorSummary} errors=${error ? [{ field: missing ? "reason" : "", text: error }] : []} />
      <fieldset id="reason" class=${missing ? "field field-error" : "field"} aria-describedby=${missing ? "reason-error" : undefined}>
        <legend>${reportTexts.reasonLegend}</legend>
        ${missing ? html`<p class="error" id="reason-error">${error}</p>` : null}
        ${Object.entries(reportTexts.reasons).map(
          ([value, label]) => html`<div class="choice" key=${value}>
            <input type="radio" id=${`reason-${value}`} name="reason" value=${value} checked=${reason === value}
              onChange=${() => { setReason(value); setError(""); }} />
            <label for=${`reason-${value}`}>${label}</label>
          </div>`,
        )}
      </fieldset>
      <${Button} type="submit" disabled=${!message}>${reportTexts.send}</${Button}>
    </form>
    <${Confirm} open=${confirming} title=${reportTexts.confirmTitle} body=${reportTexts.confirmBody(network)}
      confirm=${reportTexts.confirm} onConfirm=${send} onCancel=${() => setConfirming(false)} />
    <${EmergencyRoutes} />
  </${Page}>`;
}
