// How we reach me when someone needs support (issue 17): my paging steps in
// words, which ways of reaching me work, whether my pages may not reach me,
// and a test page I send myself and answer.
//   #/account/paging              all of it
//   #/account/paging?test=<id>    the same, that test page first (its push opens this)
//   #/account/paging/edit         change the steps: order, waits, add, remove; or the usual ones
// Live: data/paging.js loads again on `paging.changed`.
import { html, useEffect, useRef, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href, navigate } from "../router.js";
import { Page, Button, Loading, Flash, ErrorSummary, Confirm, useFlash, goWithFlash } from "../ui.js";
import { when, problemText } from "../texts/common.js";
import { pagingTexts as texts, flagTexts, waitText, waitChoice } from "../texts/paging.js";
import { accountTexts } from "../texts/people.js";
import { session } from "../data/session.js";
import { push } from "../data/push.js";
import * as data from "../data/paging.js";
import PushOffer from "./push_offer.js";

const HOME = "/account/paging";
// The waits a person chooses from (within the service's limit): at once, a
// few seconds for someone with the phone in hand, minutes for someone asleep.
const WAITS = [0, 10, 20, 30, 60, 90, 120, 300, 600];
// A test page's deliveries and answer come live (`paging.changed`); only its
// turn from "waiting" to "unacknowledged" is time passing, which no event
// says, so while it waits the screen asks again now and then.
const RECHECK_MS = 60 * 1000;

export default function AccountPaging({ path, query }) {
  if (path[0] === "edit") return html`<${EditSteps} />`;
  return html`<${Overview} testId=${query.get("test")} />`;
}

function useMine() {
  useStore();
  useEffect(() => {
    data.load();
  }, []);
  return data.mine();
}

const number = () => (session.person && session.person.phone_number) || "";
const describe = (step, index) =>
  texts.step(index === 0 ? texts.first : texts.then, texts.what[step.transport](number()), waitText(step.after_seconds));

function Overview({ testId: linked }) {
  const mine = useMine();
  // The one from the link, else a test page still waiting for its answer:
  // "It reached me" is then at the top, whichever way the person came, and
  // stays shown once answered, to say so.
  const last = mine && mine.last_test_page;
  const waitingId = last && last.state === "waiting" ? String(last.id) : null;
  const [held, setHeld] = useState(null);
  useEffect(() => {
    if (waitingId) setHeld(waitingId);
  }, [waitingId]);
  const testId = linked || waitingId || held;
  const flash = useFlash();
  // Notifications turned on here change what the service says works.
  useEffect(() => {
    if (push.state === "on") data.load();
  }, [push.state]);
  const page = (body) => html`<${Page} title=${texts.title} back="/account">
    <${Flash} text=${flash} />
    ${testId ? html`<${TestPage} id=${testId} key=${testId} />` : null}
    ${body}
  </${Page}>`;
  if (mine === null) return page(html`<${Loading} error=${data.paging.error} retry=${data.load} />`);
  return page(html`
    ${data.paging.error ? html`<${Loading} error=${data.paging.error} retry=${data.load} />` : null}
    <${Reachability} mine=${mine} />
    <section aria-labelledby="steps-title">
      <h2 id="steps-title">${texts.stepsTitle}</h2>
      <p>${texts.intro}</p>
      <ol class="paging-steps">
        ${mine.rules.map((step, index) => {
          const channel = mine.transports[step.transport] || {};
          return html`<li key=${step.transport} data-transport=${step.transport}>
            ${describe(step, index)}
            ${channel.available ? null : html`<span class="hint paging-not-working">${texts.notWorking(channel.detail || texts.notAvailable)}</span>`}
          </li>`;
        })}
      </ol>
      <p class="hint">${mine.is_default ? texts.defaults : texts.yours}</p>
      <p><a class="button button-secondary" href=${href(`${HOME}/edit`)}>${texts.change}</a></p>
      <p>${texts.quiet} <a href=${href("/on-call")}>${texts.quietLink}</a></p>
    </section>
    <${Channels} mine=${mine} />
    ${testId ? null : html`<${SendTest} mine=${mine} />`}
    ${mine.transports.push.available ? null : html`<${PushOffer} texts=${accountTexts} />`}
  `);
}

function Reachability({ mine }) {
  const flags = data.flags();
  return html`<section aria-labelledby="reach-title" class=${flags.length ? "paging-reach paging-flagged" : "paging-reach"}>
    <h2 id="reach-title">${texts.reachTitle}</h2>
    ${mine.reachability.reachable
      ? html`<p>${texts.reachable}</p>`
      : html`<ul class="paging-flags">
          ${flags.map((flag) => html`<li key=${flag.code} data-flag=${flag.code}>
            <strong>${(flagTexts[flag.code] || {}).mine || flag.message}</strong>
            ${flagTexts[flag.code] ? html`<span>${flagTexts[flag.code].todo}</span>` : null}
          </li>`)}
        </ul>`}
  </section>`;
}

function Channels({ mine }) {
  return html`<section aria-labelledby="channels-title">
    <h2 id="channels-title">${texts.channelsTitle}</h2>
    <ul class="paging-channels">
      ${["push", "sms", "voice"].map((transport) => {
        const channel = mine.transports[transport] || { available: false, detail: "" };
        return html`<li key=${transport} data-transport=${transport} data-available=${channel.available ? "yes" : "no"}>
          ${texts.channel(texts.channels[transport], channel.detail || (channel.available ? texts.works : texts.notAvailable))}
        </li>`;
      })}
    </ul>
  </section>`;
}

// The last test page in one line (one still waiting is shown whole, above),
// and the button that sends a new one.
function SendTest({ mine }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const last = mine.last_test_page;
  const send = async () => {
    setBusy(true);
    setError("");
    try {
      const sent = await data.sendTestPage();
      navigate(`${HOME}?test=${sent.id}`, { replace: true });
    } catch (failure) {
      setError(failure.status === 429 ? texts.tooMany : problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`<section aria-labelledby="test-title" class="paging-test">
    <h2 id="test-title">${texts.testTitle}</h2>
    <p>${texts.testIntro}</p>
    ${last ? html`<p class="paging-last" data-state=${last.state}>${texts.lastTest(when.at(new Date(last.created_at)))}
      ${" "}${last.state === "acknowledged"
        ? texts.lastAnswered(when.at(new Date(last.acknowledged_at)), last.acknowledged_via)
        : texts.lastNotAnswered}</p>` : null}
    <${ErrorSummary} errors=${error} />
    <${Button} busy=${busy} onClick=${send}>${busy ? texts.sending : texts.send}</${Button}>
  </section>`;
}

// One test page: what was sent and what became of it, live, and "It reached me".
function TestPage({ id }) {
  useStore();
  const heading = useRef(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const testPage = data.testPage(id);
  const failed = data.testPageError(id);
  const waiting = testPage && testPage.state === "waiting";
  useEffect(() => {
    data.loadTestPage(id);
    if (heading.current) heading.current.focus({ preventScroll: true });
  }, [id]);
  useEffect(() => {
    if (!waiting) return undefined;
    const timer = setInterval(() => data.loadTestPage(id), RECHECK_MS);
    return () => clearInterval(timer);
  }, [id, waiting]);
  const acknowledge = async () => {
    setBusy(true);
    setError("");
    try {
      await data.acknowledge(id);
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  let body;
  if (!testPage) {
    body = failed && failed.status === 404
      ? html`<p class="notice notice-calm">${texts.notFound}</p>`
      : html`<${Loading} error=${failed} retry=${() => data.loadTestPage(id)} />`;
  } else if (testPage.state === "acknowledged") {
    body = html`<p class="flash paging-reached">${texts.reachedDone}</p>
      <p>${texts.reachedAt(when.at(new Date(testPage.acknowledged_at)), testPage.acknowledged_via)}</p>`;
  } else if (testPage.state === "waiting") {
    body = html`<p>${texts.waiting}</p>
      <${ErrorSummary} errors=${error} />
      <${Button} kind="support" busy=${busy} onClick=${acknowledge}>${texts.reached}</${Button}>`;
  } else {
    body = html`<div class="notice"><p>${texts.unanswered}</p><p>${texts.unansweredDo}</p></div>`;
  }
  return html`<section class="paging-test-page" aria-labelledby="test-page-title" data-test-page=${id}
      data-state=${testPage ? testPage.state : "loading"}>
    <h2 id="test-page-title" tabindex="-1" ref=${heading}>${texts.didItReach}</h2>
    ${testPage ? html`<p class="hint">${texts.testSent(when.at(new Date(testPage.created_at)))}</p>` : null}
    <div role="status" aria-live="polite">${body}</div>
    ${testPage ? html`<${Deliveries} testPage=${testPage} />` : null}
    ${testPage && testPage.state !== "waiting"
      ? html`<p><a href=${href(HOME)} class="button button-secondary">${texts.sendAnother}</a></p>`
      : null}
  </section>`;
}

function Deliveries({ testPage }) {
  const said = (delivery) => {
    const words = texts.delivery[delivery.transport] || {};
    return words[delivery.status] || texts.deliveryFallback(texts.channels[delivery.transport] || delivery.transport, delivery.status);
  };
  return html`<div class="paging-progress">
    <h3>${texts.progressTitle}</h3>
    ${testPage.deliveries.length
      ? html`<ul class="paging-deliveries">
          ${testPage.deliveries.map((delivery, index) => html`<li key=${index} data-transport=${delivery.transport} data-status=${delivery.status}>
            <strong>${said(delivery)}</strong> <span class="hint">${when.time(new Date(delivery.at))}</span>
          </li>`)}
        </ul>`
      : html`<p class="hint">${texts.nothingYet}</p>`}
  </div>`;
}

// A refusal of PUT me/paging/rules/ is about the steps as a whole (field
// "rules", its reason naming the step: "Step 2 comes before the step above
// it."): said above the steps, the summary's link going to the first.
function refusal(failure) {
  const reasons = Object.values(failure.fields || {}).flat();
  return reasons.length ? reasons.map((text) => ({ field: "step-0-wait", text })) : [{ text: problemText(failure) }];
}

function EditSteps() {
  const mine = useMine();
  const [steps, setSteps] = useState(null);
  const [adding, setAdding] = useState("");
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);
  const page = (body) => html`<${Page} title=${texts.editTitle} back=${HOME}>${body}</${Page}>`;
  if (mine === null) return page(html`<${Loading} error=${data.paging.error} retry=${data.load} />`);
  const current = steps ?? mine.rules.map((step) => ({ ...step }));
  const limit = mine.limits.max_after_seconds;
  const unused = ["push", "sms", "voice"].filter(
    (transport) => mine.transports[transport] && mine.transports[transport].available && !current.some((s) => s.transport === transport),
  );
  const change = (next) => {
    setSteps(next);
    setErrors([]);
  };
  const move = (index, by) => {
    const next = [...current];
    [next[index], next[index + by]] = [next[index + by], next[index]];
    change(next);
  };
  const add = () => {
    const transport = adding || unused[0];
    if (!transport) return;
    const last = current.length ? current[current.length - 1].after_seconds : 0;
    change([...current, { transport, after_seconds: Math.min(limit, WAITS.find((w) => w > last) ?? last) }]);
    setAdding("");
  };
  const save = async (event) => {
    event.preventDefault();
    if (!current.length) return setErrors([{ field: "add-step", text: texts.noSteps }]);
    setBusy(true);
    try {
      await data.saveRules(current);
      goWithFlash(HOME, texts.saved);
    } catch (failure) {
      // Nothing is lost: the steps as they were chosen stay on the screen.
      setErrors(refusal(failure));
      setBusy(false);
    }
  };
  const reset = async () => {
    try {
      await data.useDefaults();
      setAsking(false);
      goWithFlash(HOME, texts.resetDone);
    } catch (failure) {
      setAsking(false);
      setErrors([{ text: problemText(failure) }]);
    }
  };
  const stepsError = errors.filter((e) => e.field === "step-0-wait").map((e) => e.text).join(" ");
  return page(html`
    <${ErrorSummary} errors=${errors} />
    <p>${texts.editIntro}</p>
    <form onSubmit=${save} novalidate>
      ${stepsError ? html`<p class="error" id="steps-error">${stepsError}</p>` : null}
      <ol class="paging-edit" aria-describedby=${stepsError ? "steps-error" : undefined}>
        ${current.map((step, index) => {
          const id = `step-${index}-wait`;
          const waits = [...new Set([...WAITS.filter((w) => w <= limit), step.after_seconds])].sort((a, b) => a - b);
          return html`<li key=${step.transport} data-transport=${step.transport}>
            <fieldset class=${stepsError ? "field field-error paging-step" : "field paging-step"}>
              <legend>${texts.stepLegend(index + 1, texts.what[step.transport](number()))}</legend>
              <label for=${id}>${texts.waitLabel}</label>
              <select id=${id} value=${step.after_seconds} aria-invalid=${stepsError ? "true" : undefined}
                aria-describedby=${[stepsError ? "steps-error" : "", "wait-hint"].filter(Boolean).join(" ")}
                onChange=${(e) => change(current.map((s, i) => (i === index ? { ...s, after_seconds: Number(e.target.value) } : s)))}>
                ${waits.map((w) => html`<option value=${w}>${waitChoice(w)}</option>`)}
              </select>
              <div class="actions paging-step-actions">
                ${index > 0 ? html`<${Button} kind="secondary" aria-label=${texts.moveUpWhat(index + 1)} onClick=${() => move(index, -1)}>${texts.moveUp}</${Button}>` : null}
                ${index < current.length - 1 ? html`<${Button} kind="secondary" aria-label=${texts.moveDownWhat(index + 1)} onClick=${() => move(index, 1)}>${texts.moveDown}</${Button}>` : null}
                <${Button} kind="secondary" aria-label=${texts.removeWhat(index + 1)} onClick=${() => change(current.filter((_, i) => i !== index))}>${texts.remove}</${Button}>
              </div>
            </fieldset>
          </li>`;
        })}
      </ol>
      <p class="hint" id="wait-hint">${texts.afterHint}</p>
      ${current.length < mine.limits.max_steps && unused.length
        ? html`<div class="field paging-add">
            <label for="add-step">${texts.addLabel}</label>
            <select id="add-step" value=${adding || unused[0]} onChange=${(e) => setAdding(e.target.value)}>
              ${unused.map((transport) => html`<option value=${transport}>${texts.what[transport](number())}</option>`)}
            </select>
            <${Button} kind="secondary" onClick=${add}>${texts.add}</${Button}>
          </div>`
        : html`<p class="hint" id="add-step" tabindex="-1">${!current.length ? texts.noSteps : current.length < mine.limits.max_steps ? texts.addNoneWorking : texts.addNone}</p>`}
      <${Button} type="submit" busy=${busy}>${texts.save}</${Button}>
    </form>
    <${Channels} mine=${mine} />
    ${mine.is_default ? null : html`<${Button} kind="secondary" onClick=${() => setAsking(true)}>${texts.reset}</${Button}>`}
    <p><a href=${href(HOME)}>${texts.cancel}</a></p>
    <${Confirm} open=${asking} title=${texts.resetTitle} body=${texts.resetBody} confirm=${texts.reset}
      onConfirm=${reset} onCancel=${() => setAsking(false)} />
  `);
}
