// The network's own rules (issue 16): the house rules, the settings in plain
// words, the safety floor, what is open for a vote (vote here, once), what
// was decided, and the history of every version.
//   #/networks/<id>/rules                   the rules
//   #/networks/<id>/rules/proposals/<pid>   one proposal: before -> after,
//                                           why, the vote, its discussion;
//                                           facilitators ratify or send back
import { html, useState, useEffect } from "../lib.js";
import { useStore } from "../store.js";
import { href } from "../router.js";
import { Page, Button, Loading, Confirm, Flash, Field, ErrorSummary, EmergencyRoutes, useFlash, goWithFlash } from "../ui.js";
import { problemText } from "../texts/common.js";
import { rules as texts, proposal as ptexts, audiences, duration, dates } from "../texts/coproduction.js";
import { networks, load as loadNetworks, byId } from "../data/networks.js";
import * as data from "../data/rules.js";

// ---- What a setting says, in words (also used by the proposal form) ------

// What can be proposed: the service's list, or (before it says) the settings
// this app knows, with the floor's limits.
export function proposableOf(rules) {
  if (rules && Array.isArray(rules.proposable) && rules.proposable.length) return rules.proposable;
  const floor = (rules && rules.safety_floor) || {};
  return [
    { name: "escalation_steps", label: "Who is asked when an alert is raised, and for how long", kind: "escalation_steps", help: "", min: floor.min_wait_seconds ?? null, max: floor.max_wait_seconds ?? null, unit: "seconds" },
    { name: "size_cap", label: "How many people the network aims to stay under", kind: "integer", help: "", min: floor.min_size_cap ?? null, max: floor.max_size_cap ?? null, unit: "people" },
    { name: "vote_quorum_percent", label: "How many members must vote for a vote to count", kind: "integer", help: "", min: floor.min_quorum_percent ?? null, max: 100, unit: "%" },
    { name: "vote_majority_percent", label: "How many yes votes a change needs to pass", kind: "integer", help: "", min: floor.min_majority_percent ?? null, max: 99, unit: "%" },
  ];
}

export function metaOf(rules, name) {
  return proposableOf(rules).find((item) => item.name === name) || { name, label: name, kind: "" };
}

function stepLines(steps) {
  if (!Array.isArray(steps) || !steps.length) return [];
  const lines = [texts.stepFirst(audiences[steps[0].audience] || steps[0].audience)];
  for (let i = 1; i < steps.length; i += 1) {
    lines.push(texts.stepThen(duration(steps[i - 1].wait_seconds), audiences[steps[i].audience] || steps[i].audience));
  }
  lines.push(texts.stepLast);
  return lines;
}

const unitOf = (meta) => (meta.unit && meta.unit !== "%" ? ` ${meta.unit}` : meta.unit === "%" ? "%" : "");

// One setting's value as sentences (a list: the escalation steps take several).
export function describe(name, value, meta = { label: name }) {
  if (name === "escalation_steps") return stepLines(value);
  if (name === "default_quiet_hours") return [texts.quietHours(value || null)];
  if (value === null || value === undefined) {
    return meta.kind === "time_range" ? [texts.generic(meta.label, texts.none)] : [];
  }
  switch (name) {
    case "size_cap":
      return [texts.sizeCap(value)];
    case "vote_quorum_percent":
      return [texts.quorum(value)];
    case "vote_majority_percent":
      return [texts.majority(value)];
    case "first_contact_seconds":
      return [texts.firstContact(duration(value))];
    case "direct_messages":
      return [texts.directMessages(Boolean(value))];
    case "max_alerts_per_shift":
      return [texts.perShift(value)];
    case "plan_grace_hours":
      return [texts.planGrace(value)];
    case "message_retention_days":
      return [texts.retention(value)];
    default:
      break;
  }
  if (meta.kind === "boolean" || typeof value === "boolean") return [texts.generic(meta.label, value ? texts.on : texts.off)];
  if (meta.kind === "time_range" || (typeof value === "object" && "start" in value)) {
    return [texts.generic(meta.label, texts.range(value.start, value.end))];
  }
  if (typeof value === "object") return [];
  return [texts.generic(meta.label, `${value}${unitOf(meta)}`)];
}

// What a proposal changes, in a few words ("The size cap", "Our house rules").
export function whatItChanges(rules, proposal) {
  const labels = Object.keys(proposal.changes || {}).map((name) => metaOf(rules, name).label);
  if (proposal.house_rules !== null && proposal.house_rules !== undefined) labels.push(texts.houseTitle);
  return labels.join("; ") || ptexts.title;
}

export const isFacilitator = (networkId) => (byId(networkId) || {}).my_role === "facilitator";

// ---- Screens ------------------------------------------------------------

export default function NetworkRules({ networkId, path }) {
  if (path[0] === "proposals" && path[1]) return html`<${Proposal} key=${path[1]} networkId=${networkId} proposalId=${path[1]} />`;
  return html`<${Rules} networkId=${networkId} />`;
}

function useRules(networkId) {
  useStore();
  useEffect(() => {
    if (networks.list === null) loadNetworks();
    data.load(networkId);
  }, [networkId]);
  return data.forNetwork(networkId);
}

function Rules({ networkId }) {
  const state = useRules(networkId);
  const flash = useFlash();
  const network = byId(networkId);
  const { rules, proposals } = state;
  const back = `/networks/${networkId}`;
  if (!rules || !proposals) {
    return html`<${Page} title=${texts.title} back=${back}>
      <${Loading} error=${state.error} retry=${() => data.load(networkId)} />
      <${EmergencyRoutes} />
    </${Page}>`;
  }
  const open = proposals.filter((p) => p.state === "open");
  const waiting = proposals.filter((p) => p.state === "passed" || p.state === "ratified");
  const decided = proposals.filter((p) => ["failed_no_quorum", "rejected", "sent_back"].includes(p.state));
  const settingNames = Object.keys(rules.settings || {}).filter((name) => name !== "emergency_routes");
  return html`<${Page} title=${texts.title} back=${back}>
    <${Flash} text=${flash} />
    <p>${texts.intro}</p>
    ${network ? html`<p class="hint">${network.name}</p>` : null}
    <p data-rules-version=${rules.version}>${texts.version(rules.version)}</p>

    <section aria-labelledby="house-title">
      <h2 id="house-title">${texts.houseTitle}</h2>
      ${rules.house_rules ? html`<p class="coprod-text">${rules.house_rules}</p>` : html`<p>${texts.houseNone}</p>`}
    </section>

    <section aria-labelledby="settings-title">
      <h2 id="settings-title">${texts.settingsTitle}</h2>
      <ul class="coprod-settings">
        ${settingNames.flatMap((name) =>
          describe(name, rules.settings[name], metaOf(rules, name)).map((line, index) => html`<li key=${`${name}-${index}`} data-setting=${name}>${line}</li>`),
        )}
      </ul>
    </section>

    <section aria-labelledby="open-title">
      <h2 id="open-title">${texts.openTitle}</h2>
      ${open.length
        ? html`<ul class="coprod-list">${open.map((p) => html`<li key=${p.id}><${ProposalCard} networkId=${networkId} rules=${rules} proposal=${p} vote=${true} /></li>`)}</ul>`
        : html`<p>${texts.openNone}</p>`}
      <p><a class="button button-primary" href=${href(`/networks/${networkId}/rules/propose`)}>${texts.propose}</a></p>
    </section>

    ${waiting.length
      ? html`<section aria-labelledby="waiting-title">
          <h2 id="waiting-title">${texts.waitingTitle}</h2>
          <ul class="coprod-list">${waiting.map((p) => html`<li key=${p.id}><${ProposalCard} networkId=${networkId} rules=${rules} proposal=${p} /></li>`)}</ul>
        </section>`
      : null}

    <section aria-labelledby="history-title">
      <h2 id="history-title">${texts.historyTitle}</h2>
      ${(rules.history || []).length
        ? html`<ol class="coprod-list coprod-history">
            ${rules.history.map((p) => html`<li key=${p.id} data-version=${p.version}><${HistoryItem} networkId=${networkId} rules=${rules} proposal=${p} /></li>`)}
          </ol>`
        : html`<p>${texts.historyNone}</p>`}
    </section>

    ${decided.length
      ? html`<section aria-labelledby="decided-title">
          <h2 id="decided-title">${texts.closedTitle}</h2>
          <ul class="coprod-list">${decided.map((p) => html`<li key=${p.id}><${ProposalCard} networkId=${networkId} rules=${rules} proposal=${p} /></li>`)}</ul>
        </section>`
      : null}

    <${Floor} floor=${rules.safety_floor} />
    <${EmergencyRoutes} />
  </${Page}>`;
}

function Floor({ floor }) {
  const lines = Object.entries(floor || {})
    .map(([name, value]) => (texts.floor[name] ? texts.floor[name](value) : null))
    .filter(Boolean);
  if (!lines.length) return null;
  return html`<section aria-labelledby="floor-title">
    <h2 id="floor-title">${texts.floorTitle}</h2>
    <p>${texts.floorIntro}</p>
    <ul class="coprod-settings">${lines.map((line) => html`<li>${line}</li>`)}</ul>
  </section>`;
}

function Counts({ proposal }) {
  const votes = proposal.votes || {};
  return html`<p class="coprod-counts">
    ${ptexts.counts(votes.yes || 0, votes.no || 0, votes.abstain || 0)}
    ${votes.eligible !== null && votes.eligible !== undefined ? html` ${ptexts.eligible(votes.eligible)}` : null}
  </p>`;
}

function StateLine({ proposal }) {
  const s = ptexts.states;
  let text;
  if (proposal.state === "open") text = data.isOpen(proposal) ? s.open(proposal.voting_closes_at) : s.closing;
  else if (proposal.state === "applied") text = s.applied(dates.day(proposal.applied_at || proposal.decided_at));
  else text = s[proposal.state] || proposal.state;
  return html`<p class="coprod-state" data-state=${proposal.state}><strong>${text}</strong></p>`;
}

function ProposalCard({ networkId, rules, proposal, vote = false }) {
  const what = whatItChanges(rules, proposal);
  return html`<article class="coprod-card" data-proposal=${proposal.id} aria-labelledby=${`proposal-${proposal.id}-title`}>
    <h3 id=${`proposal-${proposal.id}-title`}>${what}</h3>
    <${StateLine} proposal=${proposal} />
    <${Counts} proposal=${proposal} />
    ${proposal.state === "sent_back" && proposal.decision_reason
      ? html`<p>${ptexts.theirReason}</p><blockquote>${proposal.decision_reason}</blockquote>`
      : null}
    ${vote ? html`<${VoteBox} networkId=${networkId} proposal=${proposal} what=${what} />` : null}
    <p><a href=${href(`/networks/${networkId}/rules/proposals/${proposal.id}`)}>${vote ? texts.seeProposal(what) : texts.readProposal(what)}</a></p>
  </article>`;
}

function HistoryItem({ networkId, rules, proposal }) {
  const votes = proposal.votes || {};
  const what = whatItChanges(rules, proposal);
  const applied = dates.day(proposal.applied_at || proposal.decided_at);
  return html`<h3>${texts.historyItem(proposal.version, applied)}</h3>
    <p><a href=${href(`/networks/${networkId}/rules/proposals/${proposal.id}`)}>${what}</a></p>
    <p>${ptexts.proposedBy(proposal.proposer ? proposal.proposer.display_name : ptexts.someone, dates.day(proposal.created_at))}</p>
    <p>${ptexts.counts(votes.yes || 0, votes.no || 0, votes.abstain || 0)}</p>
    ${proposal.decided_at
      ? html`<p>${ptexts.decidedBy(proposal.decided_by ? proposal.decided_by.display_name : "", dates.day(proposal.decided_at))}</p>`
      : null}`;
}

// Vote once, one tap: what they chose is said back at once (aria-live).
function VoteBox({ networkId, proposal, what, level = 4 }) {
  const [busy, setBusy] = useState("");
  const [error, setError] = useState("");
  const [chose, setChose] = useState("");
  const mine = proposal.my_vote || chose;
  const cast = async (choice) => {
    setBusy(choice);
    setError("");
    try {
      await data.vote(networkId, proposal.id, choice);
      setChose(choice);
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setBusy("");
    }
  };
  if (!data.isOpen(proposal) && !mine) return null;
  const titleId = `vote-${proposal.id}`;
  const heading = level === 3 ? html`<h3 id=${titleId}>${ptexts.voteTitle}</h3>` : html`<h4 id=${titleId}>${ptexts.voteTitle}</h4>`;
  return html`<div class="coprod-vote" role="group" aria-label=${`${ptexts.voteTitle}: ${what}`}>
    ${heading}
    <div aria-live="polite">
      ${mine ? html`<p class="coprod-voted" data-my-vote=${mine}><strong>${ptexts.voted[mine]}</strong>${chose ? ` ${ptexts.votedThanks}` : ""}</p>` : null}
    </div>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${!mine
      ? html`<p>${ptexts.voteOnce}</p>
          <div class="actions">
            ${["yes", "no", "abstain"].map(
              (choice) => html`<${Button} key=${choice} kind=${choice === "yes" ? "primary" : "secondary"} busy=${Boolean(busy)}
                data-choice=${choice} onClick=${() => cast(choice)}>${ptexts.voteButton[choice]}</${Button}>`,
            )}
          </div>`
      : null}
  </div>`;
}

// ---- One proposal ---------------------------------------------------------

function Change({ rules, proposal }) {
  const applied = proposal.state === "applied";
  const rows = Object.entries(proposal.changes || {}).map(([name, value]) => {
    const meta = metaOf(rules, name);
    const before = applied ? (proposal.previous || {})[name] : (rules.settings || {})[name];
    return { name, label: meta.label, before: before === undefined ? [] : describe(name, before, meta), after: describe(name, value, meta) };
  });
  return html`<section aria-labelledby="what-title">
    <h2 id="what-title">${ptexts.whatTitle}</h2>
    ${rows.map(
      (row) => html`<div class="coprod-change" data-change=${row.name} key=${row.name}>
        <h3>${row.label}</h3>
        <div class="coprod-before-after">
          ${row.before.length
            ? html`<div class="coprod-before"><h4>${applied ? ptexts.beforeApplied : ptexts.before}</h4><ul>${row.before.map((line) => html`<li>${line}</li>`)}</ul></div>`
            : null}
          <div class="coprod-after"><h4>${applied ? ptexts.afterApplied : ptexts.after}</h4><ul>${row.after.map((line) => html`<li>${line}</li>`)}</ul></div>
        </div>
      </div>`,
    )}
    ${proposal.house_rules !== null && proposal.house_rules !== undefined
      ? html`<div class="coprod-change" data-change="house_rules">
          <h3>${ptexts.houseRules}</h3>
          ${!applied && rules.house_rules
            ? html`<div class="coprod-before"><h4>${ptexts.before}</h4><p class="coprod-text">${rules.house_rules}</p></div>`
            : null}
          <div class="coprod-after"><h4>${applied ? ptexts.afterApplied : ptexts.after}</h4><p class="coprod-text">${proposal.house_rules || texts.houseNone}</p></div>
        </div>`
      : null}
  </section>`;
}

function Proposal({ networkId, proposalId }) {
  const state = useRules(networkId);
  const flash = useFlash();
  const back = `/networks/${networkId}/rules`;
  const proposal = data.proposalById(networkId, proposalId);
  if (!proposal || !state.rules) {
    return html`<${Page} title=${ptexts.title} back=${back}>
      ${state.rules && state.proposals ? html`<p>${ptexts.notFound}</p>` : html`<${Loading} error=${state.error} retry=${() => data.load(networkId)} />`}
      <${EmergencyRoutes} />
    </${Page}>`;
  }
  const rules = state.rules;
  const what = whatItChanges(rules, proposal);
  return html`<${Page} title=${what} back=${back}>
    <${Flash} text=${flash} />
    <p class="hint">${ptexts.title}</p>
    <${StateLine} proposal=${proposal} />
    <p>${ptexts.proposedBy(proposal.proposer ? proposal.proposer.display_name : ptexts.someone, dates.day(proposal.created_at))}</p>
    <${Change} rules=${rules} proposal=${proposal} />
    <section aria-labelledby="why-title">
      <h2 id="why-title">${ptexts.reasonTitle}</h2>
      <p class="coprod-text">${proposal.reason}</p>
    </section>
    ${proposal.discussion_id
      ? html`<p><a class="button button-secondary" href=${href(`/conversations/${proposal.discussion_id}`)}>${ptexts.discussion}</a></p>`
      : null}
    <section aria-labelledby="count-title">
      <h2 id="count-title">${ptexts.countsTitle}</h2>
      <${Counts} proposal=${proposal} />
      <p>${ptexts.rule(proposal.quorum_percent, proposal.majority_percent)}</p>
      <${VoteBox} networkId=${networkId} proposal=${proposal} what=${what} level=${3} />
    </section>
    ${proposal.decided_at
      ? html`<section aria-labelledby="decided-title">
          <h2 id="decided-title">${ptexts.stateShort[proposal.state] || proposal.state}</h2>
          <p>${ptexts.decidedBy(proposal.decided_by ? proposal.decided_by.display_name : "", dates.day(proposal.decided_at))}</p>
          ${proposal.decision_reason ? html`<p>${ptexts.theirReason}</p><blockquote>${proposal.decision_reason}</blockquote>` : null}
          ${proposal.version ? html`<p>${ptexts.version(proposal.version)}</p>` : null}
        </section>`
      : null}
    ${proposal.state === "passed" && isFacilitator(networkId)
      ? html`<${Decide} networkId=${networkId} proposal=${proposal} />`
      : null}
    <${EmergencyRoutes} />
  </${Page}>`;
}

// Facilitators: ratify (it takes effect at once) or send back with a reason.
function Decide({ networkId, proposal }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const back = `/networks/${networkId}/rules`;
  const ratify = async () => {
    try {
      await data.ratify(networkId, proposal.id);
      setConfirming(false);
      goWithFlash(back, ptexts.ratified);
    } catch (failure) {
      setConfirming(false);
      setErrors([{ text: problemText(failure) }]);
    }
  };
  const sendBack = async (event) => {
    event.preventDefault();
    if (!reason.trim()) return setErrors([{ field: "send-back-reason", text: ptexts.sendBackMissing }]);
    setBusy(true);
    setErrors([]);
    try {
      await data.sendBack(networkId, proposal.id, reason.trim());
      goWithFlash(back, ptexts.sentBack);
    } catch (failure) {
      const field = failure.fields && failure.fields.reason;
      setErrors([field ? { field: "send-back-reason", text: field[0] } : { text: problemText(failure) }]);
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (errors.find((e) => e.field === "send-back-reason") || {}).text || "";
  return html`<section class="coprod-decide" aria-labelledby="decide-title">
    <h2 id="decide-title">${texts.facilitatorTitle}</h2>
    <p>${ptexts.facilitatorIntro}</p>
    <${ErrorSummary} errors=${errors} />
    <${Button} onClick=${() => setConfirming(true)}>${ptexts.ratify}</${Button}>
    <form onSubmit=${sendBack} novalidate>
      <${Field} id="send-back-reason" as="textarea" rows="3" maxlength="2000" label=${ptexts.sendBackLabel} hint=${ptexts.sendBackHint}
        error=${fieldError} value=${reason} onInput=${(e) => setReason(e.target.value)} />
      <${Button} type="submit" kind="secondary" busy=${busy}>${ptexts.sendBack}</${Button}>
    </form>
    <${Confirm} open=${confirming} title=${ptexts.ratifyTitle} body=${ptexts.ratifyBody}
      confirm=${ptexts.ratify} onConfirm=${ratify} onCancel=${() => setConfirming(false)} />
  </section>`;
}
