// "Alerts on this phone" for a peer: why first, then the button that asks the
// browser for permission (never on load). data/push.js does the work.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { Button } from "../ui.js";
import { onCall as texts } from "../texts/on_call.js";
import { push, pushState, turnOnPush } from "../data/push.js";

export default function PushOffer() {
  useStore();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    pushState();
  }, []);
  const turnOn = async () => {
    setBusy(true);
    try {
      await turnOnPush();
    } finally {
      setBusy(false);
    }
  };
  const state = push.state;
  const offer = state === "off" || state === "failed";
  const said = texts.pushSaid[state];
  return html`<section class="on-call-push" aria-labelledby="on-call-push-title">
    <h2 id="on-call-push-title">${texts.pushTitle}</h2>
    ${state === null ? html`<p class="loading" role="status">${texts.pushChecking}</p>` : null}
    ${offer ? html`<p>${texts.pushWhy}</p>` : null}
    <div role="status">${said ? html`<p class=${state === "on" ? "flash" : "notice notice-calm"}>${said}</p>` : null}</div>
    ${offer ? html`<${Button} busy=${busy} onClick=${turnOn}>${busy ? texts.pushWorking : texts.pushButton}</${Button}>` : null}
  </section>`;
}
