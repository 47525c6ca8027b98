// The network's pulse: a gentle card on the network page when there is a
// question and I have not answered it this month (a 1 to 5 scale with the
// ends labelled, optional words, and plainly who sees what), and, for
// facilitators, setting the question or turning it off.
import { html, useState, useEffect } from "../lib.js";
import { useStore } from "../store.js";
import { Button, Field, ErrorSummary, Confirm } from "../ui.js";
import { problemText } from "../texts/common.js";
import { pulse as texts } from "../texts/coproduction.js";
import * as data from "../data/pulse.js";
import * as drafts from "../data/drafts.js";

const SCALE = [1, 2, 3, 4, 5];

// Members and navigators answer; facilitators set the question (report page).
export function PulseCard({ networkId, role }) {
  useStore();
  useEffect(() => {
    data.load(networkId);
  }, [networkId]);
  const draftKey = `pulse:${networkId}`;
  const [scale, setScale] = useState(null);
  const [words, setWords] = useState(drafts.load(draftKey));
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [thanked, setThanked] = useState(false);
  const [key] = useState(() => crypto.randomUUID());
  const { pulse } = data.pulseOf(networkId);
  if (role === "facilitator") return null;
  if (thanked) {
    return html`<section class="coprod-pulse" aria-labelledby="pulse-card-title">
      <h2 id="pulse-card-title">${texts.cardTitle}</h2>
      <p role="status">${texts.thanks}</p>
    </section>`;
  }
  if (!pulse || !pulse.question || pulse.my_answer) return null;
  const question = pulse.question;
  const send = async (event) => {
    event.preventDefault();
    if (!scale) return setError(texts.scaleMissing);
    setBusy(true);
    setError("");
    try {
      await data.answer(networkId, { scale, words: words.trim() }, key);
      drafts.clear(draftKey);
      setThanked(true);
    } catch (failure) {
      setError(failure.fields && failure.fields.words ? failure.fields.words[0] : problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  const labelFor = (value) =>
    value === 1 ? texts.scaleEnd(1, question.low_label) : value === 5 ? texts.scaleEnd(5, question.high_label) : String(value);
  return html`<section class="coprod-pulse" aria-labelledby="pulse-card-title">
    <h2 id="pulse-card-title">${texts.cardTitle}</h2>
    <${ErrorSummary} errors=${error ? [{ field: "pulse-1", text: error }] : []} />
    <form onSubmit=${send} novalidate>
      <fieldset class=${error ? "field field-error" : "field"} aria-describedby=${error ? "pulse-error" : undefined}>
        <legend>${question.text}</legend>
        ${error ? html`<p class="error" id="pulse-error">${error}</p>` : null}
        <div class="coprod-scale">
          ${SCALE.map(
            (value) => html`<div class="choice" key=${value}>
              <input type="radio" id=${`pulse-${value}`} name="pulse-scale" value=${value} checked=${scale === value} onChange=${() => setScale(value)} />
              <label for=${`pulse-${value}`}>${labelFor(value)}</label>
            </div>`,
          )}
        </div>
      </fieldset>
      <${Field} id="pulse-words" as="textarea" rows="3" maxlength="2000" label=${texts.wordsLabel} value=${words}
        onInput=${(e) => { setWords(e.target.value); drafts.save(draftKey, e.target.value); }} />
      <p class="hint" id="pulse-privacy">${texts.privacy}</p>
      <${Button} type="submit" kind="secondary" busy=${busy}>${texts.send}</${Button}>
    </form>
  </section>`;
}

// Facilitators: the question as it is now, a form to set it, and turning it off.
export function PulseManage({ networkId }) {
  useStore();
  useEffect(() => {
    data.load(networkId);
  }, [networkId]);
  const { pulse, error: loadError } = data.pulseOf(networkId);
  const question = pulse && pulse.question;
  const [text, setText] = useState("");
  const [low, setLow] = useState("");
  const [high, setHigh] = useState("");
  const [errors, setErrors] = useState([]);
  const [said, setSaid] = useState("");
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [filled, setFilled] = useState(false);
  useEffect(() => {
    if (question && !filled) {
      setText(question.text);
      setLow(question.low_label);
      setHigh(question.high_label);
      setFilled(true);
    }
  }, [question && question.text]);
  if (!pulse) return loadError ? html`<p class="notice">${problemText(loadError)}</p>` : null;
  const save = async (event) => {
    event.preventDefault();
    const found = [];
    if (!text.trim()) found.push({ field: "pulse-text", text: texts.textMissing });
    if (!low.trim()) found.push({ field: "pulse-low", text: texts.labelMissing });
    if (!high.trim()) found.push({ field: "pulse-high", text: texts.labelMissing });
    setErrors(found);
    setSaid("");
    if (found.length) return;
    setBusy(true);
    try {
      await data.setQuestion(networkId, { text: text.trim(), low_label: low.trim(), high_label: high.trim() });
      setSaid(texts.saved);
    } catch (failure) {
      const fields = failure.fields || {};
      const mapped = [["text", "pulse-text"], ["low_label", "pulse-low"], ["high_label", "pulse-high"]]
        .filter(([name]) => fields[name])
        .map(([name, field]) => ({ field, text: fields[name][0] }));
      setErrors(mapped.length ? mapped : [{ text: problemText(failure) }]);
    } finally {
      setBusy(false);
    }
  };
  const off = async () => {
    try {
      await data.turnOff(networkId);
      setConfirming(false);
      setSaid(texts.turnedOff);
    } catch (failure) {
      setConfirming(false);
      setErrors([{ text: problemText(failure) }]);
    }
  };
  const errorFor = (field) => (errors.find((e) => e.field === field) || {}).text || "";
  return html`<section class="coprod-manage" aria-labelledby="pulse-manage-title">
    <h2 id="pulse-manage-title">${texts.manageTitle}</h2>
    <p>${texts.manageIntro}</p>
    <p>${question ? texts.manageNow(question.text) : texts.manageNone}</p>
    <div aria-live="polite">${said ? html`<p class="flash">${said}</p>` : null}</div>
    <${ErrorSummary} errors=${errors} />
    <form onSubmit=${save} novalidate>
      <${Field} id="pulse-text" type="text" maxlength="200" label=${texts.textLabel} hint=${texts.textHint} error=${errorFor("pulse-text")}
        value=${text} onInput=${(e) => setText(e.target.value)} />
      <${Field} id="pulse-low" type="text" maxlength="40" label=${texts.lowLabel} hint=${texts.lowHint} error=${errorFor("pulse-low")}
        value=${low} onInput=${(e) => setLow(e.target.value)} />
      <${Field} id="pulse-high" type="text" maxlength="40" label=${texts.highLabel} hint=${texts.highHint} error=${errorFor("pulse-high")}
        value=${high} onInput=${(e) => setHigh(e.target.value)} />
      <${Button} type="submit" kind="secondary" busy=${busy}>${texts.save}</${Button}>
    </form>
    ${question ? html`<${Button} kind="secondary" onClick=${() => setConfirming(true)}>${texts.turnOff}</${Button}>` : null}
    <${Confirm} open=${confirming} title=${texts.turnOffTitle} body=${texts.turnOffBody} confirm=${texts.turnOff}
      onConfirm=${off} onCancel=${() => setConfirming(false)} />
  </section>`;
}
