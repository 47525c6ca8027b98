// "I need support now": the send button comes first and is the biggest thing
// on the screen; a few words, how urgent and where they are are optional
// (and location only if they choose it). With no signal the request is
// queued and sent the moment the phone is back, and the screen says so,
// with the emergency routes meanwhile.
import { html, useState, useEffect } from "../lib.js";
import { useStore } from "../store.js";
import { navigate } from "../router.js";
import { Page, Button, Field, ErrorSummary, EmergencyRoutes } from "../ui.js";
import { support as texts } from "../texts/alerts.js";
import { problemText } from "../texts/common.js";
import { alerts, raise, myOpenAlert, flushQueue } from "../data/alerts.js";
import * as drafts from "../data/drafts.js";

function where() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({ latitude: position.coords.latitude, longitude: position.coords.longitude, accuracy_m: position.coords.accuracy }),
      () => resolve(null),
      { timeout: 8000, maximumAge: 60000 },
    );
  });
}

export default function Support() {
  useStore();
  const [message, setMessage] = useState(drafts.load("support"));
  const [urgency, setUrgency] = useState("urgent");
  const [shareLocation, setShareLocation] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [note, setNote] = useState("");
  const open = myOpenAlert();

  useEffect(() => {
    if (open && !alerts.queued) navigate(`/alerts/${open.id}`, { replace: true });
  }, [open && open.id, alerts.queued]);

  if (alerts.queued) {
    return html`<${Page} title=${texts.queuedTitle} back="/">
      <div class="notice notice-calm" role="status"><p>${texts.queuedBody}</p></div>
      <p>${texts.queuedRoutes}</p>
      <${EmergencyRoutes} heading=${false} />
    </${Page}>`;
  }

  const send = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    let location = null;
    if (shareLocation) {
      location = await where();
      if (!location) setNote(texts.locationFailed);
    }
    try {
      const alert = await raise({ message: message.trim(), urgency, location });
      drafts.clear("support");
      if (alert) navigate(`/alerts/${alert.id}`, { replace: true });
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setBusy(false);
    }
  };

  return html`<${Page} title=${texts.title} back="/">
    <${ErrorSummary} errors=${error} />
    <form onSubmit=${send} novalidate>
      <${Button} type="submit" kind="support" busy=${busy}>${busy ? texts.sending : texts.send}</${Button}>
      <p class="hint">${texts.sendHint}</p>
      ${note ? html`<p class="hint" role="status">${note}</p>` : null}
      <h2>${texts.moreTitle}</h2>
      <${Field} id="message" as="textarea" rows="3" maxlength="500" label=${texts.messageLabel} hint=${texts.messageHint}
        value=${message} onInput=${(e) => { setMessage(e.target.value); drafts.save("support", e.target.value); }} />
      <fieldset class="field">
        <legend>${texts.urgencyLegend}</legend>
        ${["very_urgent", "urgent", "struggling"].map(
          (value) => html`<div class="choice">
            <input type="radio" id=${`urgency-${value}`} name="urgency" value=${value} checked=${urgency === value}
              onChange=${() => setUrgency(value)} />
            <label for=${`urgency-${value}`}>${texts.urgency[value]}</label>
          </div>`,
        )}
      </fieldset>
      <div class="field choice">
        <input type="checkbox" id="share-location" checked=${shareLocation} onChange=${(e) => setShareLocation(e.target.checked)}
          aria-describedby="share-location-hint" />
        <label for="share-location">${texts.locationLabel}</label>
        <p class="hint" id="share-location-hint">${texts.locationHint}</p>
      </div>
      <${Button} type="submit" kind="support" busy=${busy}>${busy ? texts.sending : texts.send}</${Button}>
    </form>
    <${EmergencyRoutes} />
  </${Page}>`;
}

addEventListener("online", () => flushQueue());
