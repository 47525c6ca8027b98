// One conversation: its history (paged back), what I am sending ("Sending…",
// or "Not sent" with "Try again", the words kept), new messages as they come,
// "Seen" on my last message once the others read it, who is typing, and for a
// direct conversation, blocking the other person.
import { html, useEffect, useRef, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href } from "../router.js";
import { Page, Loading, Button, Confirm, ErrorSummary, Field, EmergencyRoutes } from "../ui.js";
import { conversation as texts, titles, kinds, list as listTexts } from "../texts/messages.js";
import { when, problemText } from "../texts/common.js";
import { session } from "../data/session.js";
import * as drafts from "../data/drafts.js";
import * as data from "../data/conversations.js";

const MAX_CHARS = 4000; // the service's MESSAGE_MAX_CHARS (docs/messaging.md)

export function conversationTitle(conversation) {
  const names = data.others(conversation).map((person) => person.display_name);
  if (conversation.kind === "group") return titles.group(conversation.network.name);
  if (conversation.kind === "alert") return titles.alert(titles.and(names));
  return titles.direct(names[0] || titles.nobody);
}

const mine = (message) => message.author && session.person && message.author.id === session.person.id;

function authorName(message) {
  if (message.author_deleted) return texts.deletedAccount;
  if (mine(message)) return texts.you;
  return message.author ? message.author.display_name : texts.deletedAccount;
}

function MessageText({ message }) {
  if (message.author_deleted) return html`<p class="message-text message-gone">${texts.deletedAccountText}</p>`;
  if (message.deleted) return html`<p class="message-text message-gone">${texts.deletedMessage}</p>`;
  if (message.kind === "check_in" && !message.text) {
    return html`<p class="message-text">${texts.checkIn(authorName(message))}</p>`;
  }
  return html`<p class="message-text">${message.text}</p>`;
}

function Message({ conversation, message, seen }) {
  const own = mine(message);
  const label = message.kind === "check_in" ? texts.checkInLabel : message.kind === "follow_up" ? texts.followUpLabel : "";
  const reportable = !own && !message.deleted && !message.author_deleted;
  return html`<li class=${own ? "message message-mine" : "message"} data-order=${message.order}>
    <p class="message-meta">
      <span class="message-author">${authorName(message)}</span>
      ${label ? html` · <span>${label}</span>` : null}
      <span class="message-time"> · <time datetime=${message.created_at}>${when.time(new Date(message.created_at))}</time></span>
    </p>
    <${MessageText} message=${message} />
    ${seen ? html`<p class="message-status">${texts.seen}</p>` : null}
    ${reportable
      ? html`<a class="message-action" href=${href(`/conversations/${conversation.id}/report/${message.id}`)}
          aria-label=${texts.reportLabel(authorName(message))}>${texts.report}</a>`
      : null}
  </li>`;
}

function Pending({ id, item }) {
  return html`<li class="message message-mine message-pending">
    <p class="message-meta"><span class="message-author">${texts.you}</span></p>
    <p class="message-text">${item.text}</p>
    ${item.state === "sending"
      ? html`<p class="message-status">${texts.sending}</p>`
      : html`<div class="message-failed">
          <p class="message-status message-status-failed">${texts.notSent}: ${problemText(item.error)}</p>
          ${data.worthRetrying(item.error)
            ? html`<${Button} kind="secondary" onClick=${() => data.retry(id, item.key)}>${texts.tryAgain}</${Button}>`
            : html`<${Button} kind="secondary" onClick=${() => data.discard(id, item.key)}>${texts.remove}</${Button}>`}
        </div>`}
  </li>`;
}

// The words a person is writing, kept as a draft on every key.
function Composer({ id }) {
  const [text, setText] = useState(() => drafts.load(data.draftKey(id)));
  const [error, setError] = useState("");
  const submit = (event) => {
    if (event) event.preventDefault();
    if (!text.trim()) return setError(texts.writeFirst);
    if (text.length > MAX_CHARS) return setError(texts.tooLong(MAX_CHARS));
    setError("");
    data.send(id, text);
    setText("");
  };
  const input = (event) => {
    setText(event.target.value);
    drafts.save(data.draftKey(id), event.target.value);
    if (event.target.value) data.typingNow(id);
    else data.typingStopped(id);
  };
  const keydown = (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) submit(event);
  };
  return html`<form class="composer" onSubmit=${submit} novalidate>
    <${ErrorSummary} errors=${error ? [{ field: "message-text", text: error }] : []} />
    <${Field} id="message-text" as="textarea" rows="3" label=${texts.composeLabel} hint=${texts.composeHint}
      error=${error} value=${text} onInput=${input} onKeyDown=${keydown} onBlur=${() => data.typingStopped(id)} />
    <${Button} type="submit">${texts.send}</${Button}>
  </form>`;
}

function BlockPerson({ person }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState("");
  const go = async () => {
    try {
      await data.block(person.id);
      setConfirming(false);
    } catch (failure) {
      setConfirming(false);
      setError(problemText(failure));
    }
  };
  return html`<details class="more">
    <summary>${texts.more}</summary>
    <${ErrorSummary} errors=${error} />
    <p>${texts.blockBody(person.display_name)}</p>
    <${Button} kind="secondary" onClick=${() => setConfirming(true)}>${texts.block(person.display_name)}</${Button}>
    <${Confirm} open=${confirming} danger=${true} title=${texts.blockTitle(person.display_name)} body=${texts.blockBody(person.display_name)}
      confirm=${texts.blockConfirm} onConfirm=${go} onCancel=${() => setConfirming(false)} />
  </details>`;
}

function Blocked({ person }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const go = async () => {
    setBusy(true);
    try {
      await data.unblock(person.id);
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="notice notice-calm" role="status">
    <${ErrorSummary} errors=${error} />
    <p>${texts.youBlocked(person.display_name)}</p>
    <${Button} kind="secondary" busy=${busy} onClick=${go}>${texts.unblock(person.display_name)}</${Button}>
  </div>`;
}

// Keep the newest message in sight while the person is at the bottom.
function useFollowNewest(count) {
  const end = useRef(null);
  const first = useRef(true);
  useEffect(() => {
    if (!end.current || !count) return;
    // The new message has already pushed the marker down by its height.
    const nearBottom = end.current.getBoundingClientRect().bottom <= innerHeight + 300;
    // The first time after the page frame has scrolled to the top (ui.js Page).
    if (first.current) setTimeout(() => end.current && end.current.scrollIntoView({ block: "end" }), 0);
    else if (nearBottom) end.current.scrollIntoView({ block: "end" });
    first.current = false;
  }, [count]);
  return end;
}

export default function Conversation({ id }) {
  useStore();
  data.forThisPerson();
  const [older, setOlder] = useState({ busy: false, error: null });
  useEffect(() => {
    data.view(id);
    data.open(id);
    if (data.conversations.blocks === null) data.loadBlocks().catch(() => {});
    return () => {
      data.typingStopped(id);
      data.view(null);
    };
  }, [id]);
  const conversation = data.conversations.byId[id];
  const box = data.conversations.messages[id];
  const items = box ? box.items : [];
  const outbox = data.conversations.outbox[id] || [];
  const end = useFollowNewest(items.length + outbox.length);
  if (!conversation || !box || !box.loaded) {
    return html`<${Page} title=${conversation ? conversationTitle(conversation) : listTexts.title} back="/messages">
      <${Loading} error=${box && box.error} retry=${() => data.open(id)} />
    </${Page}>`;
  }
  const other = conversation.kind === "direct" ? data.others(conversation)[0] : null;
  const blocked = other && data.isBlocked(other.id);
  const closed = data.isClosedAlert(conversation) || outbox.some((item) => item.error && item.error.code === "conversation_closed");
  const refused = outbox.some((item) => item.error && item.error.code === "direct_messages_closed");
  const lastMine = [...items].reverse().find((message) => mine(message) && !message.deleted);
  const seen = lastMine && conversation.kind !== "group" && data.seenByOthers(conversation, lastMine) ? lastMine.id : null;
  const typing = data.typingNames(id);
  const loadEarlier = async () => {
    setOlder({ busy: true, error: null });
    try {
      await data.earlier(id);
      setOlder({ busy: false, error: null });
    } catch (error) {
      setOlder({ busy: false, error });
    }
  };
  return html`<${Page} title=${conversationTitle(conversation)} back="/messages">
    <p class="hint">${kinds[conversation.kind]} · ${conversation.network.name}</p>
    ${box.next
      ? html`<${Button} kind="secondary" busy=${older.busy} onClick=${loadEarlier}>${texts.earlier}</${Button}>
          ${older.error ? html`<p class="error">${problemText(older.error)}</p>` : null}`
      : null}
    ${items.length || outbox.length
      ? html`<div role="log" aria-label=${conversationTitle(conversation)}>
          <ol class="messages">
            ${items.map((message) => html`<${Message} key=${message.id} conversation=${conversation} message=${message} seen=${seen === message.id} />`)}
            ${outbox.map((item) => html`<${Pending} key=${item.key} id=${id} item=${item} />`)}
          </ol>
        </div>`
      : html`<p class="notice notice-calm">${texts.empty}</p>`}
    <p class="typing" role="status">${typing.length ? texts.typing(typing) : ""}</p>
    ${closed
      ? html`<p class="notice notice-calm" role="status">${texts.closed}</p>`
      : blocked
        ? html`<${Blocked} person=${other} />`
        : html`${refused ? html`<p class="notice" role="status">${texts.cannotSend}</p>` : null}
            <${Composer} key=${id} id=${id} />`}
    <div ref=${end}></div>
    ${other && !blocked ? html`<${BlockPerson} person=${other} />` : null}
    <${EmergencyRoutes} />
  </${Page}>`;
}
