// The desk's membership section, for navigators and facilitators.
//   #/desk/<network>/members            the queue of requests to join (accept, or
//                                        decline with a reason the person sees),
//                                        the size and its soft cap, the members,
//                                        the invitations waiting
//   #/desk/<network>/members/invite     invite someone by phone number
//   #/desk/<network>/members/history    who did what, when and why, newest first
//   #/desk/<network>/members/<id>       one person (a membership id): readiness
//                                        for on call, removal, transfer
// Live: data/desk_members.js loads again on `membership.changed`.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href } from "../router.js";
import { Loading, Flash, Field, Button, Confirm, ErrorSummary, useFlash, goWithFlash } from "../ui.js";
import { when, problemText } from "../texts/common.js";
import { membersTexts as texts } from "../texts/desk_members.js";
import { session } from "../data/session.js";
import * as data from "../data/desk_members.js";
import { DeskPage, deskNetworks } from "./desk_frame.js";

const roleName = (role) => texts.roles[role] || role;
const day = (iso) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
const membersPath = (network) => `/desk/${network.id}/members`;

export default function DeskMembers({ network, path }) {
  if (path[0] === "invite") return html`<${Invite} network=${network} />`;
  if (path[0] === "history") return html`<${History} network=${network} />`;
  if (path[0]) return html`<${Person} network=${network} membershipId=${path[0]} />`;
  return html`<${Overview} network=${network} />`;
}

function useMembers(network) {
  useStore();
  useEffect(() => {
    data.load(network.id);
  }, [network.id]);
  return data.forNetwork(network.id);
}

function Overview({ network }) {
  const state = useMembers(network);
  const firstFlash = useFlash();
  const [said, setSaid] = useState("");
  const [errors, setErrors] = useState([]);
  const flash = said || firstFlash;
  const page = (body) => html`<${DeskPage} title=${texts.title} network=${network} section="members"
      actions=${html`<a class="button button-primary members-invite" href=${href(`${membersPath(network)}/invite`)}>${texts.inviteLink}</a>`}>
    <${Flash} text=${flash} />
    <${ErrorSummary} errors=${errors} />
    ${body}
  </${DeskPage}>`;
  if (state.members === null) return page(html`<${Loading} error=${state.error} retry=${() => data.load(network.id)} />`);
  const onAnswered = (text) => {
    setErrors([]);
    setSaid(text);
  };
  const onError = (list) => {
    setSaid("");
    setErrors(list);
  };
  return page(html`
    ${state.error ? html`<${Loading} error=${state.error} retry=${() => data.load(network.id)} />` : null}
    <${Queue} network=${network} requests=${state.requests} errors=${errors} onAnswered=${onAnswered} onError=${onError} />
    <${Size} network=${network} />
    <${MembersTable} network=${network} members=${state.members} />
    <${Invitations} network=${network} />
    <p><a href=${href(`${membersPath(network)}/history`)}>${texts.historyLink}</a></p>
  `);
}

function Queue({ network, requests, errors, onAnswered, onError }) {
  return html`<section class="members-queue" aria-labelledby="queue-title">
    <h2 id="queue-title">${texts.queueTitle}</h2>
    <p class="members-count" aria-live="polite">${requests.length ? texts.queueLive(requests.length) : texts.queueNone}</p>
    ${requests.length
      ? html`<ul class="desk-cards">
          ${requests.map(
            (request) => html`<${Request} key=${request.id} network=${network} request=${request}
              error=${(errors.find((e) => e.field === `reason-${request.id}`) || {}).text || ""}
              onAnswered=${onAnswered} onError=${onError} />`,
          )}
        </ul>`
      : null}
  </section>`;
}

function Request({ network, request, error, onAnswered, onError }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const field = `reason-${request.id}`;
  const name = request.display_name;
  const failed = (failure) =>
    onError([{ field, text: failure.status === 409 || failure.status === 404 ? texts.answerGone : problemText(failure) }]);

  const accept = async () => {
    setBusy(true);
    try {
      const joined = await data.accept(network.id, request.id, reason.trim());
      onAnswered(joined.over_size_cap ? `${texts.acceptedFlash(name)} ${texts.overCap}` : texts.acceptedFlash(name));
    } catch (failure) {
      failed(failure);
    } finally {
      setBusy(false);
    }
  };
  const askDecline = () => {
    if (!reason.trim()) return onError([{ field, text: texts.declineNeedsReason }]);
    onError([]);
    setConfirming(true);
  };
  const decline = async () => {
    try {
      await data.decline(network.id, request.id, reason.trim());
      setConfirming(false);
      onAnswered(texts.declinedFlash(name));
    } catch (failure) {
      setConfirming(false);
      failed(failure);
    }
  };
  return html`<li class="desk-card members-request" data-request=${request.id}>
    <h3>${name}</h3>
    <p class="hint">${texts.askedAt(when.at(new Date(request.created_at)))}</p>
    ${request.note
      ? html`<figure class="members-note"><figcaption>${texts.theirNote}</figcaption><blockquote>${request.note}</blockquote></figure>`
      : html`<p>${texts.noNote}</p>`}
    <${Field} id=${field} as="textarea" rows="2" maxlength="2000" label=${texts.reasonLabel(name)} hint=${texts.reasonHint}
      error=${error} value=${reason} onInput=${(e) => setReason(e.target.value)} />
    <div class="actions">
      <${Button} busy=${busy} onClick=${accept}>${texts.accept}</${Button}>
      <${Button} kind="secondary" onClick=${askDecline}>${texts.decline}</${Button}>
    </div>
    ${confirming ? html`<${Confirm} open=${true} title=${texts.declineTitle(name)} body=${texts.declineBody(reason.trim())}
      confirm=${texts.decline} onConfirm=${decline} onCancel=${() => setConfirming(false)} />` : null}
  </li>`;
}

function Size({ network }) {
  const size = data.size(network.id);
  const cap = network.size_cap;
  return html`<section aria-labelledby="size-title">
    <h2 id="size-title">${texts.sizeTitle}</h2>
    <p>${texts.size(size, cap)}</p>
    ${size > cap
      ? html`<p class="notice members-cap" data-cap="over">${texts.overCap}</p>`
      : size === cap
        ? html`<p class="notice members-cap" data-cap="at">${texts.atCap}</p>`
        : null}
  </section>`;
}

const ROLE_ORDER = ["navigator", "facilitator", "member"];
const byRoleThenName = (a, b) =>
  ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.display_name.localeCompare(b.display_name, "en-GB");

function MembersTable({ network, members }) {
  const me = session.person ? session.person.id : null;
  return html`<section aria-labelledby="members-title">
    <h2 id="members-title">${texts.membersTitle}</h2>
    <div class="desk-scroll">
      <table class="desk-table members-table">
        <caption class="visually-hidden">${texts.membersCaption}</caption>
        <thead>
          <tr>
            <th scope="col">${texts.colName}</th>
            <th scope="col">${texts.colRole}</th>
            <th scope="col">${texts.colReady}</th>
            <th scope="col">${texts.colSince}</th>
          </tr>
        </thead>
        <tbody>
          ${[...members].sort(byRoleThenName).map(
            (member) => html`<tr key=${member.id} data-membership=${member.id}>
              <th scope="row">
                <a href=${href(`${membersPath(network)}/${member.id}`)}>
                  ${member.person_id === me ? texts.you(member.display_name) : member.display_name}
                </a>
              </th>
              <td>${roleName(member.role)}</td>
              <td>${member.ready_for_on_call ? texts.ready : texts.notReady}</td>
              <td>${day(member.joined_at)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

function Invitations({ network }) {
  const waiting = data.pendingInvitations(network.id);
  return html`<section aria-labelledby="invitations-title">
    <h2 id="invitations-title">${texts.invitationsTitle}</h2>
    ${waiting.length
      ? html`<div class="desk-scroll">
          <table class="desk-table">
            <caption class="visually-hidden">${texts.invitationsCaption}</caption>
            <thead>
              <tr>
                <th scope="col">${texts.colNumber}</th>
                <th scope="col">${texts.colRole}</th>
                <th scope="col">${texts.colInvitedBy}</th>
                <th scope="col">${texts.colSent}</th>
              </tr>
            </thead>
            <tbody>
              ${waiting.map(
                (invitation) => html`<tr key=${invitation.id} data-invitation=${invitation.id}>
                  <th scope="row">${invitation.phone_number}</th>
                  <td>${roleName(invitation.role)}</td>
                  <td>${invitation.invited_by_name || texts.someone}</td>
                  <td>${when.at(new Date(invitation.created_at))}</td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`
      : html`<p>${texts.invitationsNone}</p>`}
  </section>`;
}

function SelectField({ id, label, error = "", value, onChange, children }) {
  return html`<div class=${error ? "field field-error" : "field"}>
    <label for=${id}>${label}</label>
    ${error ? html`<p class="error" id=${`${id}-error`}>${error}</p>` : null}
    <select id=${id} name=${id} value=${value} onChange=${onChange}
      aria-describedby=${error ? `${id}-error` : undefined} aria-invalid=${error ? "true" : undefined}>${children}</select>
  </div>`;
}

const errorFor = (errors, field) => (errors.find((error) => error.field === field) || {}).text || "";

// Field errors from the service by the field they are about; the rest above.
function problemList(failure, fields) {
  const list = [];
  for (const [name, id] of Object.entries(fields)) {
    for (const text of (failure.fields || {})[name] || []) list.push({ field: id, text });
  }
  return list.length ? list : [{ text: problemText(failure) }];
}

function Invite({ network }) {
  useStore();
  const [phone, setPhone] = useState("");
  const [role, setRole] = useState("member");
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const roles = network.my_role === "facilitator" ? ["member", "navigator", "facilitator"] : ["member", "navigator"];
  const send = async (event) => {
    event.preventDefault();
    if (!phone.trim()) return setErrors([{ field: "invite-phone", text: texts.phoneMissing }]);
    setBusy(true);
    try {
      const invitation = await data.invite(network.id, { phoneNumber: phone.trim(), role, note: note.trim() });
      goWithFlash(membersPath(network), texts.invitedFlash(invitation.phone_number));
    } catch (failure) {
      // A number already in the network or already invited is a 409 about the number.
      if (failure.status === 409) setErrors([{ field: "invite-phone", text: problemText(failure) }]);
      else setErrors(problemList(failure, { phone_number: "invite-phone", role: "invite-role", note: "invite-note" }));
    } finally {
      setBusy(false);
    }
  };
  return html`<${DeskPage} title=${texts.inviteTitle} network=${network} section="members">
    <p><a href=${href(membersPath(network))}>${texts.backToMembers}</a></p>
    <${ErrorSummary} errors=${errors} />
    <p>${texts.inviteIntro}</p>
    <form class="members-form" onSubmit=${send} novalidate>
      <${Field} id="invite-phone" type="tel" autocomplete="off" label=${texts.phoneLabel} hint=${texts.phoneHint}
        error=${errorFor(errors, "invite-phone")} value=${phone} onInput=${(e) => setPhone(e.target.value)} />
      <${SelectField} id="invite-role" label=${texts.roleLabel} error=${errorFor(errors, "invite-role")} value=${role}
        onChange=${(e) => setRole(e.target.value)}>
        ${roles.map((r) => html`<option value=${r}>${roleName(r)}</option>`)}
      </${SelectField}>
      <${Field} id="invite-note" as="textarea" rows="3" maxlength="2000" label=${texts.noteLabel} hint=${texts.noteHint}
        error=${errorFor(errors, "invite-note")} value=${note} onInput=${(e) => setNote(e.target.value)} />
      <${Button} type="submit" busy=${busy}>${texts.send}</${Button}>
    </form>
  </${DeskPage}>`;
}

function History({ network }) {
  useStore();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    data.loadHistory(network.id);
  }, [network.id]);
  const history = data.forNetwork(network.id).history;
  const more = async () => {
    setBusy(true);
    await data.loadHistory(network.id, { more: true });
    setBusy(false);
  };
  let body;
  if (!history || history.items === null) {
    body = html`<${Loading} error=${history && history.error} retry=${() => data.loadHistory(network.id)} />`;
  } else if (history.items.length === 0) {
    body = html`<p>${texts.historyNone}</p>`;
  } else {
    body = html`<div class="desk-scroll">
        <table class="desk-table members-history">
          <caption class="visually-hidden">${texts.historyCaption}</caption>
          <thead>
            <tr>
              <th scope="col">${texts.colWhen}</th>
              <th scope="col">${texts.colWhat}</th>
              <th scope="col">${texts.colBy}</th>
              <th scope="col">${texts.colWhy}</th>
            </tr>
          </thead>
          <tbody>
            ${history.items.map((change) => html`<${Change} key=${change.id} change=${change} />`)}
          </tbody>
        </table>
      </div>
      ${history.error ? html`<${Loading} error=${history.error} retry=${more} />` : null}
      ${history.next ? html`<${Button} kind="secondary" busy=${busy} onClick=${more}>${texts.older}</${Button}>` : null}`;
  }
  return html`<${DeskPage} title=${texts.historyTitle} network=${network} section="members">
    <p><a href=${href(membersPath(network))}>${texts.backToMembers}</a></p>
    <p>${texts.historyIntro}</p>
    ${body}
  </${DeskPage}>`;
}

function Change({ change }) {
  const who = change.person_name || change.invited_phone_number || texts.someone;
  const say = texts.kinds[change.kind];
  return html`<tr data-change=${change.kind}>
    <td>${when.at(new Date(change.at))}</td>
    <td>${say ? say(who) : texts.kindFallback(who, change.kind)}</td>
    <td>${change.actor_name || ""}</td>
    <td class="members-reason">${change.reason}</td>
  </tr>`;
}

function Person({ network, membershipId }) {
  const state = useMembers(network);
  const flash = useFlash();
  const member = data.memberById(network.id, membershipId);
  const page = (title, body) => html`<${DeskPage} title=${title} network=${network} section="members">
    <p><a href=${href(membersPath(network))}>${texts.backToMembers}</a></p>
    <${Flash} text=${flash} />
    ${body}
  </${DeskPage}>`;
  if (state.members === null) {
    return page(texts.title, html`<${Loading} error=${state.error} retry=${() => data.load(network.id)} />`);
  }
  if (!member) return page(texts.title, html`<p class="notice notice-calm">${texts.gone}</p>`);
  return page(member.display_name, html`
    <p>${texts.personRole(roleName(member.role))}</p>
    <p>${texts.personSince(day(member.joined_at))}</p>
    <${Readiness} network=${network} member=${member} />
    <p class="notice notice-calm">${texts.staysTheirs}</p>
    <${Remove} network=${network} member=${member} />
    <${Transfer} network=${network} member=${member} />
  `);
}

function Readiness({ network, member }) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState("");
  const [said, setSaid] = useState("");
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const name = member.display_name;
  const mark = async (ready) => {
    setError("");
    setBusy(true);
    try {
      await data.setReadiness(network.id, member.id, ready, reason.trim());
      setReason("");
      setSaid(ready ? texts.markedReadyFlash(name) : texts.markedNotReadyFlash(name));
    } catch (failure) {
      setSaid("");
      setError(problemText(failure));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  const facilitator = network.my_role === "facilitator";
  return html`<section class="members-readiness" aria-labelledby="readiness-title">
    <h2 id="readiness-title">${texts.readinessTitle}</h2>
    <p data-ready=${member.ready_for_on_call ? "yes" : "no"}>${member.ready_for_on_call ? texts.isReady(name) : texts.isNotReady(name)}</p>
    <${Flash} text=${said} />
    <${ErrorSummary} errors=${error} />
    ${facilitator
      ? html`<div class="members-form">
          <${Field} id="readiness-reason" as="textarea" rows="2" maxlength="2000" label=${texts.readinessReasonLabel}
            value=${reason} onInput=${(e) => setReason(e.target.value)} />
          ${member.ready_for_on_call
            ? html`<${Button} kind="secondary" onClick=${() => setConfirming(true)}>${texts.markNotReady}</${Button}>`
            : html`<${Button} busy=${busy} onClick=${() => mark(true)}>${texts.markReady}</${Button}>`}
          ${confirming ? html`<${Confirm} open=${true} danger=${true} title=${texts.notReadyTitle(name)} body=${texts.notReadyBody}
            confirm=${texts.markNotReady} onConfirm=${() => mark(false)} onCancel=${() => setConfirming(false)} />` : null}
        </div>`
      : html`<p class="hint">${texts.readinessOnlyFacilitator}</p>`}
  </section>`;
}

function Remove({ network, member }) {
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState([]);
  const [confirming, setConfirming] = useState(false);
  const name = member.display_name;
  const ask = (event) => {
    event.preventDefault();
    if (!reason.trim()) return setErrors([{ field: "remove-reason", text: texts.removeReasonMissing }]);
    setErrors([]);
    setConfirming(true);
  };
  const remove = async () => {
    try {
      await data.remove(network.id, member.id, reason.trim());
      setConfirming(false);
      goWithFlash(membersPath(network), texts.removedFlash(name));
    } catch (failure) {
      setConfirming(false);
      setErrors(problemList(failure, { reason: "remove-reason" }));
    }
  };
  return html`<section aria-labelledby="remove-title">
    <h2 id="remove-title">${texts.removeTitle}</h2>
    <${ErrorSummary} errors=${errors} />
    <form class="members-form" onSubmit=${ask} novalidate>
      <${Field} id="remove-reason" as="textarea" rows="2" maxlength="2000" label=${texts.removeReasonLabel}
        hint=${texts.removeReasonHint} error=${errorFor(errors, "remove-reason")} value=${reason}
        onInput=${(e) => setReason(e.target.value)} />
      <${Button} type="submit" kind="danger">${texts.remove}</${Button}>
    </form>
    ${confirming ? html`<${Confirm} open=${true} danger=${true} title=${texts.removeConfirmTitle(name, network.name)}
      body=${texts.removeConfirmBody(name)} confirm=${texts.remove} onConfirm=${remove} onCancel=${() => setConfirming(false)} />` : null}
  </section>`;
}

function Transfer({ network, member }) {
  const [to, setTo] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState([]);
  const [confirming, setConfirming] = useState(false);
  const others = deskNetworks().filter((n) => n.id !== network.id);
  const name = member.display_name;
  const target = others.find((n) => n.id === Number(to)) || null;
  const ask = (event) => {
    event.preventDefault();
    const list = [];
    if (!target) list.push({ field: "transfer-to", text: texts.transferToMissing });
    if (!reason.trim()) list.push({ field: "transfer-reason", text: texts.transferReasonMissing });
    setErrors(list);
    if (!list.length) setConfirming(true);
  };
  const transfer = async () => {
    try {
      await data.transfer(network.id, member.id, target.id, reason.trim());
      setConfirming(false);
      goWithFlash(membersPath(network), texts.transferredFlash(name, target.name));
    } catch (failure) {
      setConfirming(false);
      setErrors(problemList(failure, { to_network: "transfer-to", reason: "transfer-reason" }));
    }
  };
  return html`<section aria-labelledby="transfer-title">
    <h2 id="transfer-title">${texts.transferTitle}</h2>
    ${others.length === 0
      ? html`<p>${texts.transferNone}</p>`
      : html`<${ErrorSummary} errors=${errors} />
          <form class="members-form" onSubmit=${ask} novalidate>
            <${SelectField} id="transfer-to" label=${texts.transferToLabel} error=${errorFor(errors, "transfer-to")}
              value=${to} onChange=${(e) => setTo(e.target.value)}>
              <option value="">${texts.transferChoose}</option>
              ${others.map((n) => html`<option value=${n.id}>${n.name}</option>`)}
            </${SelectField}>
            <${Field} id="transfer-reason" as="textarea" rows="2" maxlength="2000" label=${texts.transferReasonLabel}
              error=${errorFor(errors, "transfer-reason")} value=${reason} onInput=${(e) => setReason(e.target.value)} />
            <${Button} type="submit" kind="secondary">${texts.transfer}</${Button}>
          </form>
          ${confirming ? html`<${Confirm} open=${true} title=${target ? texts.transferConfirmTitle(name, target.name) : ""}
            body=${texts.transferConfirmBody(name, network.name)} confirm=${texts.transfer} onConfirm=${transfer}
            onCancel=${() => setConfirming(false)} />` : null}`}
  </section>`;
}
