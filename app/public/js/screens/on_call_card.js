// The peer's on-call state on the home screen: a card per network where a
// facilitator marked me ready (on call now and until when, "I can't right now",
// "I'm available now"), and the way to my shifts and settings. Someone who is
// not ready for on call anywhere sees nothing here.
import { html, useEffect } from "../lib.js";
import { useStore } from "../store.js";
import { href } from "../router.js";
import { Button } from "../ui.js";
import { card as texts } from "../texts/on_call.js";
import { common } from "../texts/common.js";
import { OnCallNow, useFreshOnCall } from "./on_call_now.js";
import * as data from "../data/rota.js";

export default function OnCallCard() {
  useStore();
  useEffect(() => {
    data.load();
  }, []);
  useFreshOnCall();
  const ready = data.readyIn();
  if (!data.rota.loaded || data.rota.personId === null) {
    return data.rota.error
      ? html`<div class="notice on-call-card" role="alert">
          <p>${texts.couldNotCheck}</p>
          <${Button} kind="secondary" onClick=${data.load}>${common.retry}</${Button}>
        </div>`
      : null;
  }
  if (!ready.length) return null;
  return html`<div class="on-call-card">
    ${ready.map((membership) => html`<${OnCallNow} key=${membership.network.id} membership=${membership} named=${ready.length > 1} />`)}
    ${data.rota.error ? html`<p class="notice" role="alert">${texts.couldNotCheck}</p>` : null}
    <p><a class="tile" href=${href("/on-call")}>${texts.more}</a></p>
  </div>`;
}
