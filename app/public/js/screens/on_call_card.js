// The peer's on-call state on the home screen. (Issue 14: on call now and
// until when, "I can't right now" and quiet hours live in screens/on_call.js.)
import { html } from "../lib.js";
import { href } from "../router.js";
import { home } from "../texts/alerts.js";

export default function OnCallCard() {
  return html`<p><a class="tile" href=${href("/on-call")}>${home.onCall}</a></p>`;
}
