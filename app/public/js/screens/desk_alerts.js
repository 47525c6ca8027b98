// The desk's alert board (issue 15): #/desk/<network>/alerts
//   the open alerts of the network, live: where each stands in words, how
//   long since it was raised (ticking), whom it was offered to and their
//   answer, who holds it; an offer to me (the staff step) with "I've got
//   this", which takes it and opens the held alert (#/alerts/<id>);
//   the closed alerts with their debriefs' outcomes (never their words);
//   a banner for each of my desk networks whose staff step cannot reach a
//   professional (GET networks/<id>/alert-health/);
//   for a facilitator, "Read their plan in an emergency" on each alert:
//   #/desk/<network>/alerts/<alert>/plan (screens/desk_alerts_plan.js).
// It never shows the member's words or location: the board's API has none.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href, navigate } from "../router.js";
import { Button, Loading } from "../ui.js";
import { when, problemText } from "../texts/common.js";
import { session } from "../data/session.js";
import * as data from "../data/desk_alerts.js";
import { DeskPage, deskNetworks } from "./desk_frame.js";
import BreakGlass from "./desk_alerts_plan.js";
import { boardTexts as texts } from "../texts/desk_alerts.js";

export default function DeskAlerts({ network, path = [] }) {
  if (path.length === 2 && path[1] === "plan") return html`<${BreakGlass} network=${network} alertId=${path[0]} />`;
  return html`<${Board} network=${network} />`;
}

// Redraw every `ms`, for "raised 4 min ago".
function useTick(ms) {
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

const me = () => (session.person ? session.person.id : null);
const nameOf = (alert) => (alert.member ? alert.member.display_name : texts.someone);

function Board({ network }) {
  useStore();
  useTick(15000);
  useEffect(() => {
    data.load(network.id);
    data.loadHealth();
  }, [network.id]);
  const board = data.board;
  const ready = board.networkId === network.id && board.open !== null;
  return html`<${DeskPage} title=${texts.title} network=${network} section="alerts">
    <${HealthBanners} />
    ${ready
      ? html`
          <section class="board-section" aria-labelledby="board-open">
            <h2 id="board-open">${texts.openTitle}</h2>
            <p class="board-count" role="status">${board.open.length ? texts.count(board.open.length) : texts.noneOpen}</p>
            ${board.open.length
              ? html`<ul class="board-list">
                  ${board.open.map((alert) => html`<li key=${alert.id}><${OpenAlert} alert=${alert} network=${network} /></li>`)}
                </ul>`
              : null}
          </section>
          <${Closed} board=${board} network=${network} />`
      : html`<${Loading} error=${board.error} retry=${() => data.load(network.id)} />`}
  </${DeskPage}>`;
}

function HealthBanners() {
  const items = [];
  for (const network of deskNetworks()) {
    const health = data.board.health[network.id];
    for (const problem of (health && health.problems) || []) {
      const say = texts.health[problem];
      if (say) items.push({ key: `${network.id}-${problem}`, text: say(network.name, health.staff_step.on_duty_fallback) });
    }
  }
  if (!items.length) return null;
  return html`<div class="banner banner-warn board-health" role="status">
    <ul>${items.map((item) => html`<li key=${item.key}>${item.text}</li>`)}</ul>
  </div>`;
}

export function stageText(alert) {
  const stage = texts.stage;
  if (alert.state === "taken") {
    const holder = alert.taken_by ? alert.taken_by.display_name : texts.someone;
    return alert.first_contact_at ? stage.inTouch(holder) : stage.taken(holder);
  }
  const words = stage[alert.stage];
  if (typeof words === "function") return words(alert.offered_count);
  return words || alert.stage;
}

function offeredToMe(alert) {
  const offer = alert.my_offer;
  if (!offer || offer.state !== "pending") return false;
  return alert.state === "open" || (alert.state === "taken" && offer.kind === "handover");
}

function Raised({ alert }) {
  const raised = new Date(alert.raised_at);
  return html`<time datetime=${alert.raised_at}>${texts.raised(when.ago(raised), when.time(raised))}</time>`;
}

function OpenAlert({ alert, network }) {
  const holds = alert.taken_by && alert.taken_by.id === me();
  const warn = alert.stage === "staff_unreachable";
  return html`<article class=${warn ? "board-alert board-alert-warn" : "board-alert"} aria-labelledby=${`alert-${alert.id}`} data-alert=${alert.id}>
    <h3 id=${`alert-${alert.id}`}>${texts.alertOf(nameOf(alert))}</h3>
    <dl class="board-facts">
      <div><dt>${texts.stageLabel}</dt><dd class="board-stage">${stageText(alert)}</dd></div>
      <div><dt>${texts.raisedLabel}</dt><dd><${Raised} alert=${alert} /></dd></div>
      <div><dt>${texts.urgencyLabel}</dt><dd>${texts.urgency[alert.urgency] || alert.urgency}</dd></div>
      <div><dt>${texts.heldLabel}</dt><dd class="board-held">${alert.taken_by ? alert.taken_by.display_name : texts.heldByNobody}</dd></div>
    </dl>
    <${Offers} alert=${alert} />
    ${offeredToMe(alert) ? html`<${Take} alert=${alert} />` : null}
    ${holds || alert.plan_id
      ? html`<p class="actions board-actions">
          ${holds ? html`<a class="button button-primary" href=${href(`/alerts/${alert.id}`)}>${texts.openHeld}</a>` : null}
          ${alert.plan_id
            ? html`<a class="button button-secondary" href=${href(`/desk/${network.id}/alerts/${alert.id}/plan`)}>${texts.breakGlass}</a>`
            : null}
        </p>`
      : null}
  </article>`;
}

function Offers({ alert }) {
  if (!alert.offers.length) return html`<p>${texts.offersNone}</p>`;
  return html`<div class="desk-scroll">
    <table class="desk-table board-offers">
      <caption>${texts.offersCaption}</caption>
      <thead>
        <tr>
          <th scope="col">${texts.person}</th>
          <th scope="col">${texts.askedAs}</th>
          <th scope="col">${texts.step}</th>
          <th scope="col">${texts.answer}</th>
        </tr>
      </thead>
      <tbody>
        ${alert.offers.map(
          (offer) => html`<tr key=${offer.person.id} class=${offer.person.id === me() ? "board-me" : undefined}>
            <th scope="row">${offer.person.id === me() ? texts.you(offer.person.display_name) : offer.person.display_name}</th>
            <td>${texts.kind[offer.kind] || offer.kind}</td>
            <td>${offer.step + 1}</td>
            <td class=${`board-answer board-answer-${offer.state}`}>${texts.offerState[offer.state] || offer.state}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function Take({ alert }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const take = async () => {
    setBusy(true);
    setError("");
    try {
      await data.take(alert.id);
      navigate(`/alerts/${alert.id}`);
    } catch (problem) {
      setError(problem.status === 409 || problem.status === 404 ? texts.takenByOther : problemText(problem));
      setBusy(false);
    }
  };
  return html`<div class="board-offer">
    <p>${texts.offeredToYou}</p>
    ${error ? html`<p class="notice" role="alert">${error}</p>` : null}
    <${Button} busy=${busy} onClick=${take}>${busy ? texts.taking : texts.take}</${Button}>
  </div>`;
}

function Closed({ board, network }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const older = async () => {
    setBusy(true);
    try {
      await data.loadOlder();
      setError(null);
    } catch (problem) {
      setError(problem);
    }
    setBusy(false);
  };
  return html`<section class="board-section" aria-labelledby="board-closed">
    <h2 id="board-closed">${texts.closedTitle}</h2>
    ${board.closed.length
      ? html`<p class="hint">${texts.debriefWordsPrivate}</p>
          <ul class="board-list">
            ${board.closed.map((alert) => html`<li key=${alert.id}><${ClosedAlert} alert=${alert} network=${network} /></li>`)}
          </ul>`
      : html`<p>${texts.noneClosed}</p>`}
    ${error ? html`<p class="notice" role="alert">${problemText(error)}</p>` : null}
    ${board.closedNext ? html`<${Button} kind="secondary" busy=${busy} onClick=${older}>${texts.older}</${Button}>` : null}
  </section>`;
}

function ClosedAlert({ alert }) {
  const closed = alert.closed_at ? new Date(alert.closed_at) : null;
  return html`<article class="board-alert board-alert-closed" aria-labelledby=${`alert-${alert.id}`} data-alert=${alert.id}>
    <h3 id=${`alert-${alert.id}`}>${texts.alertOf(nameOf(alert))}</h3>
    <dl class="board-facts">
      <div><dt>${texts.stageLabel}</dt><dd class="board-stage">${stageText(alert)}</dd></div>
      <div><dt>${texts.raisedLabel}</dt><dd><${Raised} alert=${alert} /></dd></div>
      <div><dt>${texts.closedLabel}</dt><dd>${closed ? when.at(closed) : ""}</dd></div>
      <div><dt>${texts.heldLabel}</dt><dd>${alert.taken_by ? alert.taken_by.display_name : texts.heldByNobody}</dd></div>
    </dl>
    <h4>${texts.debriefsTitle}</h4>
    ${alert.debriefs.length
      ? html`<ul class="board-debriefs">
          ${alert.debriefs.map(
            (debrief, index) => html`<li key=${index}>
              <strong>${debrief.author ? texts.debriefBy(debrief.author.display_name, debrief.side) : texts.debriefGone}</strong>:
              ${" "}${texts.outcome[debrief.emergency_services] || debrief.emergency_services}
              ${debrief.follow_up_wanted ? html` ${texts.followUp}` : null}
            </li>`,
          )}
        </ul>`
      : html`<p>${texts.debriefsNone}</p>`}
  </article>`;
}
