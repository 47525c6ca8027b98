// My networks: the ones I am in (my role, the area), the invitations waiting
// for me, my requests to join; one network's own rules and emergency numbers,
// and leaving it; asking to join another by its short name (self-referral).
//   #/networks         the list
//   #/networks/join    ask to join (one question per page, and a note)
//   #/networks/<id>    one network (links to its rules and its report, and
//                      the pulse question when there is one to answer)
//   #/networks/<id>/rules..., /report: co-production (screens/network_*.js)
import { html, useState, useEffect } from "../lib.js";
import { useStore } from "../store.js";
import { href, navigate } from "../router.js";
import { Page, Button, Loading, Confirm, Flash, Field, ErrorSummary, EmergencyRoutes, useFlash, goWithFlash } from "../ui.js";
import { networksTexts as texts } from "../texts/people.js";
import { when, problemText, emergency } from "../texts/common.js";
import { href as routeHref } from "../data/emergency.js";
import { networks, load as loadNetworks, byId } from "../data/networks.js";
import * as data from "../data/membership.js";
import * as drafts from "../data/drafts.js";
import { rules as rulesTexts, report as reportTexts } from "../texts/coproduction.js";
import { PulseCard } from "./network_pulse.js";

// The network's rules and its report, loaded on first use (the report brings
// Chart.js, which a member who never opens it need not download).
const SECTIONS = {
  rules: { title: rulesTexts.title, load: () => import("./network_rules.js") },
  propose: { title: rulesTexts.propose, load: () => import("./network_propose.js") },
  report: { title: reportTexts.title, load: () => import("./network_report.js") },
};
const loadedSections = new Map();

function Section({ name, networkId, path, query }) {
  const [, redraw] = useState(0);
  useEffect(() => {
    if (loadedSections.has(name)) return;
    loadedSections.set(name, { screen: null, error: null });
    SECTIONS[name]
      .load()
      .then((module) => (loadedSections.get(name).screen = module.default))
      .catch((error) => {
        loadedSections.set(name, { screen: null, error });
        setTimeout(() => loadedSections.delete(name), 0);
      })
      .finally(() => redraw((n) => n + 1));
  }, [name]);
  const { screen: Screen, error } = loadedSections.get(name) || {};
  if (Screen) return html`<${Screen} networkId=${networkId} path=${path} query=${query} />`;
  return html`<${Page} title=${SECTIONS[name].title} back=${`/networks/${networkId}`}>
    <${Loading} error=${error ? { offline: !navigator.onLine, status: 0 } : null} retry=${() => location.reload()} />
    <${EmergencyRoutes} />
  </${Page}>`;
}


const roleName = (role) => texts.roles[role] || role;

export default function Networks({ path, query }) {
  if (path[0] === "join") return html`<${Join} />`;
  if (path[0] && path[1] === "rules" && path[2] === "propose") {
    return html`<${Section} key="propose" name="propose" networkId=${path[0]} path=${path.slice(3)} query=${query} />`;
  }
  if (path[0] && path[1] === "rules") {
    return html`<${Section} key="rules" name="rules" networkId=${path[0]} path=${path.slice(2)} query=${query} />`;
  }
  if (path[0] && path[1] === "report") {
    return html`<${Section} key="report" name="report" networkId=${path[0]} path=${path.slice(2)} query=${query} />`;
  }
  if (path[0]) return html`<${Network} id=${path[0]} />`;
  return html`<${List} />`;
}

function List() {
  useStore();
  const flash = useFlash();
  const [error, setError] = useState("");
  const [declining, setDeclining] = useState(null);
  useEffect(() => {
    loadNetworks();
    data.load();
  }, []);
  const retry = () => Promise.all([loadNetworks(), data.load()]);

  const accept = async (invitation) => {
    setError("");
    try {
      await data.acceptInvitation(invitation.id);
      goWithFlash(`/networks/${invitation.network_id}`, texts.joinedFlash(invitation.network_name));
    } catch (failure) {
      setError(problemText(failure));
    }
  };
  const decline = async () => {
    try {
      await data.declineInvitation(declining.id);
      setDeclining(null);
    } catch (failure) {
      setDeclining(null);
      setError(problemText(failure));
    }
  };

  const list = networks.list;
  const invitations = data.membership.invitations || [];
  const waiting = data.pendingRequests();
  const declined = data.declinedRequests();
  return html`<${Page} title=${texts.title} back="/">
    <${Flash} text=${flash} />
    <${ErrorSummary} errors=${error} />
    ${list === null
      ? html`<${Loading} error=${networks.error} retry=${retry} />`
      : list.length === 0
        ? html`<p>${texts.none}</p>`
        : html`<ul class="people-list">
            ${list.map(
              (network) => html`<li class="people-item">
                <a class="people-link" href=${href(`/networks/${network.id}`)}>
                  <strong>${network.name}</strong>
                  ${network.my_role ? html`<span>${texts.yourRole(roleName(network.my_role))}</span>` : null}
                  ${network.area ? html`<span>${texts.area(network.area)}</span>` : null}
                </a>
              </li>`,
            )}
          </ul>`}
    ${data.membership.error && data.membership.invitations === null
      ? html`<${Loading} error=${data.membership.error} retry=${retry} />`
      : null}
    ${invitations.length
      ? html`<section aria-labelledby="invitations-title">
          <h2 id="invitations-title">${texts.invitationsTitle}</h2>
          <ul class="people-list">
            ${invitations.map(
              (invitation) => html`<li class="people-item people-box" data-invitation=${invitation.id}>
                <p>${texts.invitedBy(invitation.network_name, invitation.invited_by_name)}</p>
                ${invitation.role !== "member" ? html`<p>${texts.invitedAs(roleName(invitation.role))}</p>` : null}
                ${invitation.note ? html`<blockquote>${invitation.note}</blockquote>` : null}
                <div class="actions">
                  <${Button} onClick=${() => accept(invitation)}>${texts.accept}</${Button}>
                  <${Button} kind="secondary" onClick=${() => setDeclining(invitation)}>${texts.decline}</${Button}>
                </div>
              </li>`,
            )}
          </ul>
        </section>`
      : null}
    ${waiting.length
      ? html`<section aria-labelledby="requests-title">
          <h2 id="requests-title">${texts.requestsTitle}</h2>
          <ul class="people-list">
            ${waiting.map(
              (request) => html`<li class="people-item people-box">
                <p>${texts.requestWaiting(request.network_name)}</p>
                <p class="hint">${texts.askedOn(when.at(new Date(request.created_at)))}</p>
              </li>`,
            )}
          </ul>
        </section>`
      : null}
    ${declined.length
      ? html`<section aria-labelledby="answers-title">
          <h2 id="answers-title">${texts.answersTitle}</h2>
          <ul class="people-list">
            ${declined.map(
              (request) => html`<li class="people-item people-box" data-declined=${request.id}>
                <p>${texts.requestDeclined(request.network_name)}</p>
                ${request.decision_reason
                  ? html`<p>${texts.theirReason}</p><blockquote>${request.decision_reason}</blockquote>`
                  : null}
                ${request.decided_at ? html`<p class="hint">${texts.answeredOn(when.at(new Date(request.decided_at)))}</p>` : null}
              </li>`,
            )}
          </ul>
        </section>`
      : null}
    <p><a class="button button-secondary" href=${href("/networks/join")}>${texts.joinLink}</a></p>
    <${Confirm} open=${declining !== null} title=${texts.declineTitle}
      body=${declining ? texts.declineBody(declining.network_name) : ""}
      confirm=${texts.decline} onConfirm=${decline} onCancel=${() => setDeclining(null)} />
    <${EmergencyRoutes} />
  </${Page}>`;
}

function Network({ id }) {
  useStore();
  const flash = useFlash();
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState("");
  useEffect(() => {
    if (networks.list === null) loadNetworks();
  }, [id]);
  const network = byId(id);
  if (!network) {
    return html`<${Page} title=${texts.title} back="/networks">
      ${networks.list === null
        ? html`<${Loading} error=${networks.error} retry=${loadNetworks} />`
        : html`<p>${texts.notInIt}</p>`}
      <${EmergencyRoutes} />
    </${Page}>`;
  }
  const leave = async () => {
    try {
      await data.leave(network.id);
      setLeaving(false);
      goWithFlash("/networks", texts.leftFlash(network.name));
    } catch (failure) {
      setLeaving(false);
      setError(problemText(failure));
    }
  };
  const steps = network.escalation_steps || [];
  return html`<${Page} title=${network.name} back="/networks">
    <${Flash} text=${flash} />
    <${ErrorSummary} errors=${error} />
    <p>${network.my_role ? texts.yourRole(roleName(network.my_role)) : null}</p>
    ${network.area ? html`<p>${texts.area(network.area)}</p>` : null}
    ${network.description
      ? html`<h2>${texts.aboutTitle}</h2><p class="people-text">${network.description}</p>`
      : null}
    ${steps.length
      ? html`<h2>${texts.rulesTitle}</h2>
          <p>${texts.rulesIntro}</p>
          <ol class="people-steps">
            ${steps.map((step, index) => {
              const who = texts.audience[step.audience] || step.audience;
              const minutes = texts.minutes(step.wait_seconds);
              return html`<li>${index === 0 ? texts.step(who, minutes) : texts.thenStep(who, minutes)}</li>`;
            })}
          </ol>`
      : null}
    ${network.size_cap ? html`<p>${texts.sizeCap(network.size_cap)}</p>` : null}
    <nav class="coprod-links" aria-label=${rulesTexts.navLabel}>
      <a class="card" href=${href(`/networks/${network.id}/rules`)}>
        <strong>${rulesTexts.link}</strong><span>${rulesTexts.linkHint}</span>
      </a>
      <a class="card" href=${href(`/networks/${network.id}/report`)}>
        <strong>${reportTexts.link}</strong><span>${reportTexts.linkHint}</span>
      </a>
    </nav>
    <${PulseCard} networkId=${network.id} role=${network.my_role} />
    <section class="emergency" aria-labelledby="network-routes">
      <h2 id="network-routes">${texts.routesTitle}</h2>
      <${NetworkRoutes} routes=${network.emergency_routes} />
    </section>
    <div class="people-leave">
      <${Button} kind="danger" onClick=${() => setLeaving(true)}>${texts.leave}</${Button}>
    </div>
    <${Confirm} open=${leaving} danger=${true} title=${texts.leaveTitle(network.name)} body=${texts.leaveBody}
      confirm=${texts.leave} onConfirm=${leave} onCancel=${() => setLeaving(false)} />
  </${Page}>`;
}

// The network's own routes, exactly as the network wrote them.
function NetworkRoutes({ routes }) {
  return html`<ul class="routes">
    ${(routes || []).map(
      (route) => html`<li>
        <a class="route" href=${routeHref(route)}>
          ${route.how === "text" ? emergency.text(route.label, route.number) : emergency.call(route.label, route.number)}
        </a>
      </li>`,
    )}
  </ul>`;
}

function Join() {
  const [slug, setSlug] = useState("");
  const [note, setNote] = useState(drafts.load("join-note"));
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const send = async (event) => {
    event.preventDefault();
    const name = slug.trim().toLowerCase();
    if (!name) return setErrors([{ field: "slug", text: texts.slugMissing }]);
    setBusy(true);
    try {
      const request = await data.requestToJoin({ slug: name, note: note.trim() });
      drafts.clear("join-note");
      goWithFlash("/networks", texts.sentFlash(request.network_name));
    } catch (failure) {
      if (failure.status === 404) setErrors([{ field: "slug", text: texts.slugNotFound }]);
      else if (failure.fields && failure.fields.network) setErrors([{ field: "slug", text: failure.fields.network[0] }]);
      else if (failure.fields && failure.fields.note) setErrors([{ field: "note", text: failure.fields.note[0] }]);
      else setErrors([{ text: problemText(failure) }]);
    } finally {
      setBusy(false);
    }
  };
  const errorFor = (field) => (errors.find((error) => error.field === field) || {}).text || "";
  return html`<${Page} title=${texts.joinTitle} back="/networks">
    <${ErrorSummary} errors=${errors} />
    <p>${texts.joinIntro}</p>
    <form onSubmit=${send} novalidate>
      <${Field} id="slug" label=${texts.slugLabel} hint=${texts.slugHint} error=${errorFor("slug")} type="text"
        autocapitalize="none" autocomplete="off" spellcheck="false" value=${slug} onInput=${(e) => setSlug(e.target.value)} />
      <${Field} id="note" as="textarea" rows="4" maxlength="2000" label=${texts.noteLabel} hint=${texts.noteHint}
        error=${errorFor("note")} value=${note}
        onInput=${(e) => { setNote(e.target.value); drafts.save("join-note", e.target.value); }} />
      <${Button} type="submit" busy=${busy}>${texts.send}</${Button}>
    </form>
  </${Page}>`;
}
