// The crisis and support plan: "#/plan..." is my own plan, "#/plans/<id>..."
// one I write with its owner or may read. This module picks the screen for
// the rest of the path and draws the plan itself; the other screens are in
// plan_edit.js, plan_history.js, plan_sharing.js, plan_share.js and plan_log.js.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { route, href } from "../router.js";
import { Page, Loading, Button, EmergencyRoutes, ErrorSummary, Flash } from "../ui.js";
import { plan as texts, sectionNames, edit as editTexts } from "../texts/plan.js";
import { when, problemText } from "../texts/common.js";
import { PlanSections, hasContent } from "../plan_sections.js";
import * as data from "../data/plans.js";
import EditSection from "./plan_edit.js";
import { Revisions, RevisionView, Compare } from "./plan_history.js";
import { Sharing, SharingEdit, CoAuthors, Invite } from "./plan_sharing.js";
import AccessLog from "./plan_log.js";
import Comments from "./plan_comments.js";
import PlanShare from "./plan_share.js";

const SCREENS = {
  edit: EditSection,
  revisions: (props) => (props.rest[1] ? html`<${RevisionView} ...${props} />` : html`<${Revisions} ...${props} />`),
  compare: Compare,
  sharing: (props) => (props.rest[1] ? html`<${SharingEdit} ...${props} />` : html`<${Sharing} ...${props} />`),
  "co-authors": (props) => (props.rest[1] === "invite" ? html`<${Invite} ...${props} />` : html`<${CoAuthors} ...${props} />`),
  log: AccessLog,
  comments: Comments,
  show: PlanShare,
};

export default function PlanScreen({ path, query }) {
  useStore();
  const own = route.path[0] === "plan";
  const [error, setError] = useState(null);
  const loadList = () => data.loadList().then(() => setError(null), setError);
  useEffect(() => {
    if (own && !data.plans.list && path.length) loadList();
  }, [own, path.length]);
  if (own && !data.plans.list) {
    // The plan screen itself loads the list (or the offline copy).
    if (!path.length) return html`<${PlanHome} own=${true} query=${query} />`;
    return html`<${Page} title=${texts.title} back="/"><${Loading} error=${error} retry=${loadList} /></${Page}>`;
  }
  const mine = data.myPlan();
  const id = own ? (mine ? mine.id : null) : Number(path[0]);
  const rest = own ? path : path.slice(1);
  if (!rest.length || id === null) return html`<${PlanHome} own=${own} id=${id} query=${query} />`;
  const context = { id, own, base: own ? "/plan" : `/plans/${id}`, rest, query };
  const Screen = SCREENS[rest[0]];
  // A fresh screen for each path, so one part's form never carries into another's.
  return Screen ? html`<${Screen} key=${`${id}/${rest.join("/")}`} ...${context} />` : html`<${PlanHome} own=${own} id=${id} query=${query} />`;
}

function PlanHome({ own, id = null, query }) {
  useStore();
  const [error, setError] = useState(null);
  const [loaded, setLoaded] = useState(false);
  const load = async () => {
    setError(null);
    try {
      if (own) await data.loadMine();
      else {
        if (!data.plans.list) await data.loadList();
        await data.loadPeople().catch(() => {});
        await data.loadPlan(id);
      }
      setLoaded(true);
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => {
    load();
  }, [own, id]);
  const mine = own ? data.myPlan() : null;
  const planId = own ? (mine ? mine.id : null) : id;
  const entry = planId !== null ? data.plans.readings[planId] : null;
  if (own && loaded && !mine && !entry) return html`<${StartPlan} />`;
  if (!entry) {
    return html`<${Page} title=${texts.title} back="/">
      ${error && error.offline && own ? html`<p class="notice notice-calm">${texts.notSavedOffline}</p>` : html`<${Loading} error=${error} retry=${load} />`}
      <${EmergencyRoutes} />
    </${Page}>`;
  }
  return html`<${PlanReading} entry=${entry} own=${own} id=${planId} query=${query} reload=${load} />`;
}

function StartPlan() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const go = async () => {
    setBusy(true);
    setError("");
    try {
      const created = await data.start();
      await data.loadPlan(created.id, { own: true });
    } catch (failure) {
      setError(failure.status === 403 ? texts.noNetwork : problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`<${Page} title=${texts.noneTitle} back="/">
    <${ErrorSummary} errors=${error} />
    <p>${texts.noneBody}</p>
    <${Button} busy=${busy} onClick=${go}>${busy ? texts.starting : texts.start}</${Button}>
    <${OthersPlans} />
    <${EmergencyRoutes} />
  </${Page}>`;
}

function SignOffNow({ id, number, reload, done }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const go = async () => {
    setBusy(true);
    setError("");
    try {
      await data.signOff(id, number);
      done(texts.signedOffNow(number));
      await reload();
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  return html`<${ErrorSummary} errors=${error} />
    <${Button} busy=${busy} onClick=${go}>${texts.signOffNow(number)}</${Button}>`;
}

function PlanReading({ entry, own, id, query, reload }) {
  const { reading, latest, revisions, savedAt } = entry;
  const [signed, setSigned] = useState("");
  const base = own ? "/plan" : `/plans/${id}`;
  const writing = Boolean(revisions);
  const active = reading.plan.active_revision;
  const newest = latest.revision;
  const owner = reading.plan.owner ? reading.plan.owner.display_name : "";
  const title = own ? texts.title : texts.titleOf(owner);
  const withheld = new Set(latest.withheld || []);
  const saved = query.get("saved");
  const review = reading.plan.review_due_at ? new Date(reading.plan.review_due_at).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" }) : "";
  const change = (name) =>
    writing && !savedAt && !withheld.has(name)
      ? html`<a class="plan-change" href=${href(`${base}/edit/${name}`)}>${hasContent(latest.sections[name]) ? texts.change(sectionNames[name]) : texts.write(sectionNames[name])}</a>`
      : null;
  return html`<${Page} title=${title} back="/">
    ${savedAt ? html`<p class="notice notice-calm plan-saved" role="status">${texts.savedOffline(when.at(new Date(savedAt)))}</p>` : null}
    <${Flash} text=${signed} />
    ${saved && !signed ? html`<${Flash} text=${own ? editTexts.saved(saved) : editTexts.savedCoAuthor(saved)} />` : null}
    ${own ? html`<p>${texts.intro}</p>` : null}
    ${reading.plan.review_prompted_at && own ? html`<p class="notice notice-calm">${texts.reviewPrompt}</p>` : null}
    ${newest !== null
      ? html`<div class="status plan-status" role="status">
          <p class="plan-version">${texts.version(newest)}</p>
          ${newest === active
            ? html`<p>${texts.signedOff(review)}</p>`
            : html`<p>${own ? texts.waiting(newest, active) : texts.waitingOwner(newest)}</p>
                ${active && !savedAt ? html`<p><a href=${href(`${base}/compare?older=${active}&newer=${newest}`)}>${texts.seeChanges(active)}</a></p>` : null}
                ${own && !savedAt ? html`<${SignOffNow} id=${id} number=${newest} reload=${reload} done=${setSigned} />` : null}`}
        </div>`
      : null}
    <${PlanSections}
      sections=${latest.sections}
      people=${data.plans.people}
      emptyText=${() => texts.notWritten}
      order=${Object.keys(sectionNames).filter((name) => !withheld.has(name))}
      extra=${change}
    />
    ${withheld.size ? html`<p class="hint plan-withheld">${texts.withheldList(Object.keys(sectionNames).filter((name) => withheld.has(name)).map((name) => sectionNames[name]))}</p>` : null}
    ${savedAt ? null : html`<${PlanMenu} base=${base} own=${own} writing=${writing} id=${id} />`}
    ${own && !savedAt ? html`<${OthersPlans} />` : null}
    <${EmergencyRoutes} />
  </${Page}>`;
}

// The plans I help to write (GET plans/ lists them beside my own).
function OthersPlans() {
  const others = (data.plans.list || []).filter((plan) => !data.isMine(plan));
  if (!others.length) return null;
  return html`<section aria-labelledby="others-plans">
    <h2 id="others-plans">${texts.othersTitle}</h2>
    <ul class="tiles">
      ${others.map((plan) => html`<li><a class="tile" href=${href(`/plans/${plan.id}`)}>${texts.titleOf(plan.owner.display_name)}</a></li>`)}
    </ul>
  </section>`;
}

function PlanMenu({ base, own, writing, id }) {
  const menu = own ? texts.menu : texts.menuOther;
  return html`<nav aria-label=${menu} class="plan-menu">
    <h2>${menu}</h2>
    <ul class="tiles">
      ${writing ? html`<li><a class="tile" href=${href(`${base}/revisions`)}>${texts.revisions}</a></li>` : null}
      ${writing ? html`<li><a class="tile" href=${href(`${base}/comments`)}>${texts.comments}</a></li>` : null}
      ${own ? html`<li><a class="tile" href=${href(`${base}/sharing`)}>${texts.sharing}</a></li>` : null}
      ${own ? html`<li><a class="tile" href=${href(`${base}/show`)}>${texts.showSomeone}</a></li>` : null}
      ${own ? html`<li><a class="tile" href=${href(`${base}/co-authors`)}>${texts.coAuthors}</a></li>` : null}
      ${own ? html`<li><a class="tile" href=${href(`${base}/log`)}>${texts.log}</a></li>` : null}
      <li><a class="tile" href=${data.printHref(id)} target="_blank" rel="noopener">${texts.print}</a></li>
    </ul>
    <p class="hint">${texts.printHint}</p>
  </nav>`;
}
