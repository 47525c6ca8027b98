// Home: the one big button for support; what needs this person now (an offer
// to answer, an alert they hold, their own request); then where to go next.
import { html } from "../lib.js";
import { useStore } from "../store.js";
import { href } from "../router.js";
import { Page, EmergencyRoutes } from "../ui.js";
import { home, offer as offerTexts } from "../texts/alerts.js";
import { session } from "../data/session.js";
import { alerts, myOpenAlert, pendingOffers, heldByMe } from "../data/alerts.js";
import OnCallCard from "./on_call_card.js";
import PagingBanner from "./paging_banner.js";
import { unreadTotal } from "../data/conversations.js";
import { list as messageTexts } from "../texts/messages.js";
import { isStaffAnywhere } from "../data/networks.js";
import { deskTexts } from "../texts/desk.js";

export default function Home() {
  useStore();
  const mine = myOpenAlert();
  const offers = pendingOffers();
  const held = heldByMe();
  const name = session.person && session.person.display_name;
  const unread = unreadTotal();
  return html`<${Page} title=${home.title(name)}>
    ${offers.map(
      (alert) => html`<a class="card card-offer" href=${href(`/alerts/${alert.id}`)}>
        <strong>${home.offersTitle}</strong>
        <span>${offerTexts.who(alert.member ? alert.member.display_name : "", alert.network.name)}</span>
      </a>`,
    )}
    ${held.map(
      (alert) => html`<a class="card card-held" href=${href(`/alerts/${alert.id}`)}>
        <strong>${home.holding}</strong>
        <span>${alert.member ? alert.member.display_name : ""}</span>
      </a>`,
    )}
    ${alerts.queued
      ? html`<a class="card card-mine" href=${href("/support")}><strong>${home.queued}</strong></a>`
      : mine
        ? html`<a class="card card-mine" href=${href(`/alerts/${mine.id}`)}>
            <strong>${home.openAlert}</strong><span>${home.openAlertLink}</span>
          </a>`
        : html`<a class="support-button" href=${href("/support")}>
            <span>${home.supportButton}</span>
            <small>${home.supportHint}</small>
          </a>`}
    <${PagingBanner} />
    <${OnCallCard} />
    <nav aria-label=${home.menu}>
      <ul class="tiles">
        <li><a class="tile" href=${href("/plan")}>${home.plan}</a></li>
        <li>
          <a class="tile" href=${href("/messages")}>
            ${home.messages}${unread ? html` <span class="unread">${messageTexts.unread(unread)}</span>` : null}
          </a>
        </li>
        <li><a class="tile" href=${href("/map")}>${home.map}</a></li>
        <li><a class="tile" href=${href("/networks")}>${home.networks}</a></li>
        <li><a class="tile" href=${href("/account")}>${home.account}</a></li>
        ${isStaffAnywhere() ? html`<li><a class="tile" href=${href("/desk")}>${deskTexts.homeLink}</a></li>` : null}
      </ul>
    </nav>
    <${EmergencyRoutes} />
  </${Page}>`;
}
