// A facilitator reads a member's whole plan in an emergency (break-glass):
// #/desk/<network>/alerts/<alert>/plan, from an alert on the board.
// A written reason is required (20 characters or more, as the service
// checks), the page says first that the member will be told and that the
// read is logged, and the plan is then shown marked "Emergency access". The
// plan lives only in this screen's state: never kept, never offline.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href } from "../router.js";
import { Button, ErrorSummary, Field, Loading } from "../ui.js";
import { when, problemText } from "../texts/common.js";
import { PlanSections } from "../plan_sections.js";
import { plans, loadPeople } from "../data/plans.js";
import * as data from "../data/desk_alerts.js";
import { DeskPage } from "./desk_frame.js";
import { breakGlassTexts as texts } from "../texts/desk_alerts.js";

const MIN_REASON = 20;

export default function BreakGlass({ network, alertId }) {
  useStore();
  const [opened, setOpened] = useState(null);
  useEffect(() => {
    if (data.board.networkId !== network.id || data.board.open === null) data.load(network.id);
  }, [network.id]);
  const alert = data.findAlert(alertId);
  const board = href(`/desk/${network.id}/alerts`);
  const back = html`<p><a href=${board}>${texts.backToBoard}</a></p>`;
  if (opened) return html`<${Reading} network=${network} alert=${alert} opened=${opened} back=${back} />`;
  const page = (children) => html`<${DeskPage} title=${texts.title} network=${network} section="alerts">${children}</${DeskPage}>`;
  if (!alert) {
    const loaded = data.board.networkId === network.id && data.board.open !== null;
    return page(loaded ? html`<p class="notice">${texts.noAlert}</p>${back}` : html`<${Loading} error=${data.board.error} retry=${() => data.load(network.id)} />`);
  }
  if (!alert.plan_id) {
    return page(html`<p class="notice">${network.my_role === "facilitator" ? texts.noPlan : texts.notFacilitator}</p>${back}`);
  }
  return page(html`<${ReasonForm} alert=${alert} onOpened=${setOpened} />${back}`);
}

function ReasonForm({ alert, onOpened }) {
  const name = alert.member ? alert.member.display_name : "";
  const [reason, setReason] = useState("");
  const [fieldError, setFieldError] = useState("");
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setProblem("");
    if (reason.trim().length < MIN_REASON) {
      setFieldError(texts.reasonTooShort);
      return;
    }
    setFieldError("");
    setBusy(true);
    try {
      const opened = await data.breakGlass(alert.plan_id, reason.trim());
      loadPeople().catch(() => {});
      onOpened(opened);
    } catch (error) {
      if (error.fields && error.fields.reason) setFieldError(error.fields.reason.join(" "));
      else if (error.status === 403) setProblem(texts.notFacilitator);
      else setProblem(problemText(error));
      setBusy(false);
    }
  };
  const errors = [
    ...(fieldError ? [{ field: "break-glass-reason", text: fieldError }] : []),
    ...(problem ? [{ text: problem }] : []),
  ];
  return html`<form class="break-glass" onSubmit=${submit} noValidate>
    <${ErrorSummary} errors=${errors} />
    <div class="break-glass-warning">
      <p><strong>${texts.intro(name)}</strong></p>
      <ul>
        <li>${texts.only}</li>
        <li>${texts.told(name)}</li>
        <li>${texts.logged}</li>
        <li>${texts.window}</li>
      </ul>
    </div>
    <${Field}
      id="break-glass-reason"
      as="textarea"
      label=${texts.reasonLabel}
      hint=${texts.reasonHint(name)}
      error=${fieldError}
      value=${reason}
      maxlength="2000"
      rows="4"
      onInput=${(event) => setReason(event.target.value)}
    />
    <${Button} type="submit" kind="danger" busy=${busy}>${texts.go}</${Button}>
  </form>`;
}

function Reading({ network, alert, opened, back }) {
  const name = opened.reading.plan && opened.reading.plan.owner ? opened.reading.plan.owner.display_name : alert ? alert.member.display_name : "";
  const until = when.time(new Date(opened.expires_at));
  const sections = opened.reading.sections || {};
  return html`<${DeskPage} title=${`${texts.marked}: ${texts.planTitle(name)}`} network=${network} section="alerts">
    <div class="break-glass-marked" role="status">
      <p class="break-glass-mark">${texts.marked}</p>
      <p>${texts.markedBody(name, until)}</p>
    </div>
    <div class="break-glass-plan">
      ${Object.keys(sections).length
        ? html`<${PlanSections} sections=${sections} headingLevel=${2} people=${plans.people} />`
        : html`<p>${texts.empty}</p>`}
    </div>
    ${back}
  </${DeskPage}>`;
}
