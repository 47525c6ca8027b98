// The emergency routes, one tap from every screen ("Help now"), readable with
// no network and no sign-in.
import { html } from "../lib.js";
import { Page, EmergencyRoutes } from "../ui.js";
import { emergency } from "../texts/common.js";

export default function Help() {
  return html`<${Page} title=${emergency.title} back="/" help=${false}>
    <${EmergencyRoutes} heading=${false} intro=${true} />
  </${Page}>`;
}
