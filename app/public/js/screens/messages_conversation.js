// One conversation: its history (paged back), what I am sending ("Sending…",
// or "Not sent" with "Try again", the words kept), new messages as they come,
// "Seen" on my last message once the others read it, who is typing, deleting
// my own message (for everyone), and under "More options" muting and, for a
// direct conversation, blocking the other person. One Confirm for the screen
// (ui.js gives every dialog the same heading id).
import { html, useEffect, useRef, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href } from "../router.js";
import { Page, Loading, Button, Confirm, ErrorSummary, Field, Flash, EmergencyRoutes } from "../ui.js";
import { conversation as texts, titles, kinds, list as listTexts } from "../texts/messages.js";
import { when, problemText } from "../texts/common.js";
import { session } from "../data/session.js";
import * as drafts from "../data/drafts.js";
import * as data from "../data/conversations.js";

const MAX_CHARS = 4000; // the service's MESSAGE_MAX_CHARS (docs/messaging.md)

export function conversationTitle(conversation) {
  const names = data.others(conversation).map((person) => person.display_name);
  if (conversation.kind === "group") return titles.group(conversation.network.name);
  if (conversation.kind === "proposal") return titles.proposal(conversation.network.name);
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

function Message({ conversation, message, seen, onDelete }) {
  const own = mine(message);
  const label = message.kind === "check_in" ? texts.checkInLabel : message.kind === "follow_up" ? texts.followUpLabel : "";
  const reportable = !own && !message.deleted && !message.author_deleted;
  const deletable = own && !message.deleted;
  const time = when.time(new Date(message.created_at));
  return html`<li class=${own ? "message message-mine" : "message"} data-order=${message.order}>
    <p class="message-meta">
      <span class="message-author">${authorName(message)}</span>
      ${label ? html` · <span>${label}</span>` : null}
      <span class="message-time"> · <time datetime=${message.created_at}>${time}</time></span>
    </p>
    <${MessageText} message=${message} />
    ${seen ? html`<p class="message-status">${texts.seen}</p>` : null}
    ${reportable
      ? html`<a class="message-action" href=${href(`/conversations/${conversation.id}/report/${message.id}`)}
          aria-label=${texts.reportLabel(authorName(message))}>${texts.report}</a>`
      : null}
    ${deletable
      ? html`<button type="button" class="link message-action" aria-label=${texts.deleteLabel(time)}
          onClick=${() => onDelete(message)}>${texts.delete}</button>`
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

// Muting says what it does before and after; blocking asks first (`ask`
// opens the screen's Confirm).
function MoreOptions({ conversation, other, ask }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [flash, setFlash] = useState("");
  const toggleMute = async () => {
    setBusy(true);
    setError("");
    setFlash("");
    try {
      const answer = await data.mute(conversation.id, !conversation.muted);
      setFlash(answer.muted ? texts.mutedNow : texts.unmutedNow);
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  const askBlock = () =>
    ask({
      danger: true,
      title: texts.blockTitle(other.display_name),
      body: texts.blockBody(other.display_name),
      confirm: texts.blockConfirm,
      onConfirm: async () => {
        try {
          await data.block(other.id);
        } catch (failure) {
          setError(problemText(failure));
        }
      },
    });
  return html`<details class="more">
    <summary>${texts.more}</summary>
    <${ErrorSummary} errors=${error} />
    <h2>${texts.notifications}</h2>
    ${data.canMute(conversation)
      ? html`<p>${conversation.muted ? texts.mutedBody : texts.muteBody}</p>
          <${Button} kind="secondary" busy=${busy} onClick=${toggleMute}>${conversation.muted ? texts.unmute : texts.mute}</${Button}>
          <${Flash} text=${flash} />`
      : html`<p>${texts.alertNoMute}</p>`}
    ${other
      ? html`<h2>${texts.blocking}</h2>
          <p>${texts.blockBody(other.display_name)}</p>
          <${Button} kind="secondary" onClick=${askBlock}>${texts.block(other.display_name)}</${Button}>`
      : null}
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
  const [asking, setAsking] = useState(null);
  const [deleted, setDeleted] = useState({ note: "", error: "" });
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
  const seen = lastMine && !["group", "proposal"].includes(conversation.kind) && data.seenByOthers(conversation, lastMine) ? lastMine.id : null;
  const typing = data.typingNames(id);
  const askDelete = (message) =>
    setAsking({
      danger: true,
      title: texts.deleteTitle,
      body: texts.deleteBody,
      confirm: texts.deleteConfirm,
      onConfirm: async () => {
        try {
          await data.deleteMessage(id, message.id);
          setDeleted({ note: texts.deletedNow, error: "" });
        } catch (failure) {
          setDeleted({ note: "", error: problemText(failure) });
        }
      },
    });
  const answer = async () => {
    try {
      await asking.onConfirm();
    } finally {
      setAsking(null);
    }
  };
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
    <p class="hint">${kinds[conversation.kind]} · ${conversation.network.name}${conversation.muted ? ` · ${texts.muted}` : ""}</p>
    ${conversation.rule_proposal_id
      ? html`<p><a href=${href(`/networks/${conversation.network.id}/rules/proposals/${conversation.rule_proposal_id}`)}>${texts.readProposal}</a></p>`
      : null}
    ${box.next
      ? html`<${Button} kind="secondary" busy=${older.busy} onClick=${loadEarlier}>${texts.earlier}</${Button}>
          ${older.error ? html`<p class="error">${problemText(older.error)}</p>` : null}`
      : null}
    ${items.length || outbox.length
      ? html`<div role="log" aria-label=${conversationTitle(conversation)}>
          <ol class="messages">
            ${items.map((message) => html`<${Message} key=${message.id} conversation=${conversation} message=${message}
              seen=${seen === message.id} onDelete=${askDelete} />`)}
            ${outbox.map((item) => html`<${Pending} key=${item.key} id=${id} item=${item} />`)}
          </ol>
        </div>`
      : html`<p class="notice notice-calm">${texts.empty}</p>`}
    <${ErrorSummary} errors=${deleted.error} />
    <${Flash} text=${deleted.note} />
    <p class="typing" role="status">${typing.length ? texts.typing(typing) : ""}</p>
    ${closed
      ? html`<p class="notice notice-calm" role="status">${texts.closed}</p>`
      : blocked
        ? html`<${Blocked} person=${other} />`
        : html`${refused ? html`<p class="notice" role="status">${texts.cannotSend}</p>` : null}
            <${Composer} key=${id} id=${id} />`}
    <div ref=${end}></div>
    <${MoreOptions} conversation=${conversation} other=${blocked ? null : other} ask=${setAsking} />
    <${Confirm} open=${asking !== null} ...${asking || { title: "", body: "", confirm: "", onConfirm: () => {} }}
      onConfirm=${answer} onCancel=${() => setAsking(null)} />
    <${EmergencyRoutes} />
  </${Page}>`;
}
