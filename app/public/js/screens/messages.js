// Messages: the list of my conversations (#/messages), starting one
// (#/messages/new), a network's group (#/messages/group/<network id>), my
// blocks (#/messages/blocked), one conversation (#/conversations/<id>, with
// /report/<message id>) and check-ins (#/check-ins...). The first part of the
// route picks which; each screen lives in its own messages_*.js module.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { route, href, navigate } from "../router.js";
import { Page, Loading, EmergencyRoutes } from "../ui.js";
import { list as texts } from "../texts/messages.js";
import { when } from "../texts/common.js";
import { networks } from "../data/networks.js";
import * as data from "../data/conversations.js";
import { alerts, isMine } from "../data/alerts.js";
import Conversation, { conversationTitle } from "./messages_conversation.js";
import { NewConversation, Blocks, Report } from "./messages_people.js";
import CheckIns from "./messages_check_ins.js";

export default function Messages({ path, query }) {
  const section = route.path[0];
  if (section === "conversations") {
    if (path[1] === "report" && path[2]) return html`<${Report} conversationId=${path[0]} messageId=${path[2]} />`;
    return html`<${Conversation} key=${path[0]} id=${path[0]} />`;
  }
  if (section === "check-ins") return html`<${CheckIns} path=${path} query=${query} />`;
  if (path[0] === "new") return html`<${NewConversation} />`;
  if (path[0] === "blocked") return html`<${Blocks} />`;
  if (path[0] === "group" && path[1]) return html`<${Group} networkId=${path[1]} />`;
  return html`<${List} />`;
}

function alertLabel(conversation) {
  const alert = alerts.byId[conversation.alert_id];
  if (!alert || data.isClosedAlert(conversation)) return null;
  return isMine(alert) ? texts.alertOpen : texts.alertOpenPeer;
}

function Row({ conversation }) {
  const label = alertLabel(conversation);
  const box = data.conversations.messages[conversation.id];
  const newest = box && box.items.length ? box.items[box.items.length - 1] : null;
  return html`<li>
    <a class=${label ? "card conversation-row conversation-row-alert" : "card conversation-row"} href=${href(`/conversations/${conversation.id}`)}>
      ${label ? html`<span class="conversation-tag">${label}</span>` : null}
      <strong>${conversationTitle(conversation)}</strong>
      <span class="hint">${conversation.network.name}</span>
      ${conversation.last_order === 0 ? html`<span class="hint">${texts.noMessages}</span>` : null}
      ${newest ? html`<span class="hint">${texts.lastAt(when.ago(new Date(newest.created_at)))}</span>` : null}
      ${conversation.unread ? html`<span class="unread">${texts.unread(conversation.unread)}</span>` : null}
    </a>
  </li>`;
}

function List() {
  useStore();
  data.forThisPerson();
  useEffect(() => {
    data.load();
  }, []);
  const list = data.conversations.list;
  const groups = networks.list || [];
  const listed = list ? data.ordered().filter((c) => c.kind !== "group") : [];
  const groupRows = list ? data.ordered().filter((c) => c.kind === "group") : [];
  return html`<${Page} title=${texts.title} back="/">
    <h2>${texts.yours}</h2>
    ${list === null
      ? html`<${Loading} error=${data.conversations.error} retry=${data.load} />`
      : listed.length
        ? html`<ul class="conversations">${listed.map((c) => html`<${Row} key=${c.id} conversation=${c} />`)}</ul>`
        : html`<p>${texts.none}</p>`}
    <p><a class="button button-primary" href=${href("/messages/new")}>${texts.start}</a></p>
    ${groups.length
      ? html`<h2>${texts.groups}</h2>
          <ul class="conversations">
            ${groups.map((network) => {
              const existing = groupRows.find((c) => c.network.id === network.id);
              return existing
                ? html`<${Row} key=${existing.id} conversation=${existing} />`
                : html`<li key=${network.id}><a class="card conversation-row" href=${href(`/messages/group/${network.id}`)}>
                    <strong>${texts.groupLink(network.name)}</strong></a></li>`;
            })}
          </ul>`
      : null}
    <nav class="links" aria-label=${texts.title}>
      <a class="link" href=${href("/check-ins")}>${texts.checkIns}</a>
      <a class="link" href=${href("/messages/blocked")}>${texts.blocked}</a>
    </nav>
    <${EmergencyRoutes} />
  </${Page}>`;
}

// The network's group: found (or made) by the service, then opened.
function Group({ networkId }) {
  const [error, setError] = useState(null);
  const go = () =>
    data.groupOf(Number(networkId)).then(
      (conversation) => navigate(`/conversations/${conversation.id}`, { replace: true }),
      setError,
    );
  useEffect(() => {
    go();
  }, [networkId]);
  return html`<${Page} title=${texts.opening} back="/messages"><${Loading} error=${error} retry=${go} /></${Page}>`;
}
