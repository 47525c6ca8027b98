// "Am I on call now, and until when", for one network, with "I can't right
// now" and "I'm available now" one tap (and one choice of how long) away.
// Shown on the home card (on_call_card.js) and on #/on-call (on_call.js).
import { html, useEffect, useState, useId } from "../lib.js";
import { Button, ErrorSummary } from "../ui.js";
import { problemText } from "../texts/common.js";
import { card as texts, untilText, clock } from "../texts/on_call.js";
import * as data from "../data/rota.js";
import PagingBanner from "./paging_banner.js";

const HOUR = 3600 * 1000;
const RECHECK = 5 * 60 * 1000;

function nextMorning(now = new Date()) {
  const morning = new Date(now);
  morning.setHours(8, 0, 0, 0);
  if (morning.getTime() - now.getTime() < HOUR) morning.setDate(morning.getDate() + 1);
  return morning;
}

function choices(now = new Date()) {
  const morning = nextMorning(now);
  return [
    { label: texts.forHours(1), until: new Date(now.getTime() + HOUR) },
    { label: texts.forHours(3), until: new Date(now.getTime() + 3 * HOUR) },
    { label: texts.untilMorning(morning, now), until: morning },
  ];
}

// Ask the service again when what it said runs out (the shift ends, "I can't"
// ends), every few minutes anyway, and when the phone wakes.
export function useFreshOnCall() {
  useEffect(() => {
    const ends = data
      .readyIn()
      .flatMap((m) => [m.on_call_until, m.unavailable_until])
      .filter(Boolean)
      .map((value) => new Date(value).getTime() - Date.now())
      .filter((wait) => wait > 0);
    const wait = Math.min(RECHECK, ...ends) + 1000;
    const timer = setTimeout(data.load, wait);
    const wake = () => {
      if (document.visibilityState === "visible") data.load();
    };
    document.addEventListener("visibilitychange", wake);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", wake);
    };
  }, [data.rota.checkedAt]);
}

function whyNot(membership) {
  const why = membership.off_call_because;
  if (why === "unavailable" && membership.unavailable_until) {
    return texts.why.unavailable(untilText(new Date(membership.unavailable_until)));
  }
  if (why === "quiet_hours") return texts.why.quiet_hours(clock(membership.quiet_hours_end));
  return typeof texts.why[why] === "string" ? texts.why[why] : "";
}

// full: also "Back to my rota shifts only" after "I can't right now" (#/on-call).
export function OnCallNow({ membership, named = false, full = false }) {
  const id = useId();
  const [asking, setAsking] = useState(null); // "unavailable" | "available"
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState("");
  const [error, setError] = useState("");
  const network = membership.network;
  const on = membership.on_call_now;

  const set = async (state, until = null) => {
    setBusy(true);
    setError("");
    setSaid("");
    try {
      await data.setAvailability(network.id, state, until);
      setAsking(null);
      setSaid({ rota_only: texts.rotaOnlyDone, unavailable: texts.cantDone, available: texts.availableDone }[state]);
    } catch (failure) {
      setError((failure.fields.state || failure.fields.until || [])[0] || problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  const ask = (what) => {
    setSaid("");
    setAsking(asking === what ? null : what);
  };
  // On #/on-call, once above the first network (reachability is the person's, not a network's).
  const banner = full && data.readyIn()[0] === membership ? html`<${PagingBanner} />` : null;
  return html`${banner}<section class="on-call" aria-labelledby=${id} data-network=${network.id} data-on-call=${on ? "yes" : "no"}>
    <h2 id=${id} class="on-call-title">${named ? texts.titleIn(network.name) : texts.title}</h2>
    <p class=${on ? "on-call-now on-call-yes" : "on-call-now"}>
      ${on ? texts.onCallUntil(untilText(new Date(membership.on_call_until))) : texts.notOnCall}
    </p>
    <p class="on-call-why">${on ? texts.because[membership.on_call_because] || "" : whyNot(membership)}</p>
    <${ErrorSummary} errors=${error} />
    <div role="status">${said ? html`<p class="flash">${said}</p>` : null}</div>
    <div class="actions">
      ${on
        ? html`<${Button} kind="secondary" busy=${busy} aria-expanded=${asking === "unavailable" ? "true" : "false"}
            aria-controls=${`${id}-how-long`} onClick=${() => ask("unavailable")}>${texts.cant}</${Button}>`
        : html`<${Button} kind="primary" busy=${busy} aria-expanded=${asking === "available" ? "true" : "false"}
            aria-controls=${`${id}-how-long`} onClick=${() => ask("available")}>${texts.available}</${Button}>`}
      ${on && membership.on_call_because === "available"
        ? html`<${Button} kind="secondary" busy=${busy} onClick=${() => set("rota_only")}>${texts.stopAvailable}</${Button}>`
        : null}
      ${full && membership.off_call_because === "unavailable"
        ? html`<${Button} kind="secondary" busy=${busy} onClick=${() => set("rota_only")}>${texts.rotaOnly}</${Button}>`
        : null}
    </div>
    ${asking
      ? html`<fieldset class="on-call-choices" id=${`${id}-how-long`}>
          <legend>${asking === "unavailable" ? texts.cantLegend : texts.availableLegend}</legend>
          ${choices().map(
            (choice) => html`<${Button} kind="secondary" busy=${busy} onClick=${() => set(asking, choice.until)}>${choice.label}</${Button}>`,
          )}
        </fieldset>`
      : null}
  </section>`;
}
