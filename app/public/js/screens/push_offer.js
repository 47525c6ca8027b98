// "Notifications on this phone": why first, then the button that asks the
// browser for permission (never on load). data/push.js does the work; the
// words come from the screen that shows it (the account's, the on-call one's).
import { html, useEffect, useId, useState } from "../lib.js";
import { useStore } from "../store.js";
import { Button } from "../ui.js";
import { push, pushState, turnOnPush } from "../data/push.js";

export default function PushOffer({ texts }) {
  useStore();
  const id = useId();
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
  const button = busy ? texts.pushWorking : state === "failed" && texts.pushAgain ? texts.pushAgain : texts.pushButton;
  return html`<section class="push-offer" aria-labelledby=${id}>
    <h2 id=${id}>${texts.pushTitle}</h2>
    ${state === null ? html`<p class="loading" role="status">${texts.pushChecking}</p>` : null}
    ${offer || state === "on" ? html`<p>${texts.pushWhy}</p>` : null}
    ${(offer || state === "on") && texts.pushPrivate ? html`<p class="hint">${texts.pushPrivate}</p>` : null}
    <div role="status">${said ? html`<p class=${state === "on" ? "flash" : "notice notice-calm"}>${said}</p>` : null}</div>
    ${offer ? html`<${Button} busy=${busy} onClick=${turnOn}>${button}</${Button}>` : null}
  </section>`;
}
