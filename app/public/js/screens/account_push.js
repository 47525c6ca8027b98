// "Notifications on this phone": why first, then the button that asks the
// browser (never on load). data/push.js does the work.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { Button } from "../ui.js";
import { accountTexts as texts } from "../texts/people.js";
import { push, pushState, turnOnPush } from "../data/push.js";

const SAID = {
  on: texts.pushOn,
  failed: texts.pushFailed,
  denied: texts.pushDenied,
  unsupported: texts.pushUnsupported,
  not_configured: texts.pushNotConfigured,
};

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
  return html`<section aria-labelledby="push-title">
    <h2 id="push-title">${texts.pushTitle}</h2>
    ${state === null ? html`<p class="loading" role="status">${texts.pushChecking}</p>` : null}
    ${offer || state === "on" ? html`<p>${texts.pushWhy}</p><p class="hint">${texts.pushPrivate}</p>` : null}
    <div role="status">${SAID[state] ? html`<p class=${state === "on" ? "flash" : "notice notice-calm"}>${SAID[state]}</p>` : null}</div>
    ${offer
      ? html`<${Button} busy=${busy} onClick=${turnOn}>${busy ? texts.pushWorking : state === "failed" ? texts.pushAgain : texts.pushButton}</${Button}>`
      : null}
  </section>`;
}
