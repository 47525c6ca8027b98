// Shared pieces every screen uses: the page frame (with the emergency routes
// one tap away and an honest connection banner), error summaries, fields,
// buttons, a confirm dialog. Plain HTML elements first: a <button> is a
// button, a link is an <a>, so keyboards and screen readers work as built.
import { html, useEffect, useRef, useState, useId } from "./lib.js";
import { common, emergency as emergencyTexts, problemText } from "./texts/common.js";
import { routes, href as routeHref } from "./data/emergency.js";
import { status } from "./realtime.js";
import { href, navigate } from "./router.js";

export function ConnectionBanner() {
  if (!navigator.onLine) {
    return html`<p class="banner banner-warn" role="status">${common.offlineTitle}. ${common.offlineBody}</p>`;
  }
  if (status.state === "reconnecting") {
    return html`<p class="banner banner-warn" role="status">${common.reconnecting}</p>`;
  }
  return null;
}

// The frame of every screen. `back`: a route to go back to. `help`: show
// the "Help now" link to the emergency routes (every member screen does).
export function Page({ title, back = null, help = true, children, wide = false }) {
  const heading = useRef(null);
  useEffect(() => {
    document.title = title ? `${title} – ${common.appName}` : common.appName;
    // Move focus to the new screen's heading, so a screen reader hears it.
    if (heading.current) heading.current.focus({ preventScroll: true });
    scrollTo(0, 0);
  }, [title]);
  return html`
    <header class="top">
      ${back !== null
        ? html`<a class="top-back" href=${href(back)}>${common.back}</a>`
        : html`<a class="top-name" href=${href("/")}>${common.appName}</a>`}
      ${help ? html`<a class="top-help" href=${href("/help")}>${common.helpNow}</a>` : null}
    </header>
    <${ConnectionBanner} />
    <main class=${wide ? "page page-wide" : "page"} id="main">
      <h1 tabindex="-1" ref=${heading}>${title}</h1>
      ${children}
    </main>`;
}

export function EmergencyRoutes({ extra = null, heading = true, intro = false }) {
  const id = useId();
  return html`
    <section class="emergency" aria-labelledby=${heading ? id : undefined} aria-label=${heading ? undefined : emergencyTexts.title}>
      ${heading ? html`<h2 id=${id}>${emergencyTexts.title}</h2>` : null}
      ${intro ? html`<p>${emergencyTexts.intro}</p>` : null}
      <ul class="routes">
        ${routes(extra).map(
          (route) => html`<li>
            <a class="route" href=${routeHref(route)}>
              ${route.how === "text" ? emergencyTexts.text(route.label, route.number) : emergencyTexts.call(route.label, route.number)}
            </a>
          </li>`,
        )}
      </ul>
    </section>`;
}

// GOV.UK's error summary: a list of what to fix, each linking to its field.
// errors: [{field: "phone", text: "..."}] or a plain string.
export function ErrorSummary({ errors }) {
  const box = useRef(null);
  const list = typeof errors === "string" ? (errors ? [{ text: errors }] : []) : errors || [];
  useEffect(() => {
    if (list.length && box.current) box.current.focus();
  }, [JSON.stringify(list)]);
  if (!list.length) return null;
  return html`
    <div class="error-summary" role="alert" tabindex="-1" ref=${box}>
      <h2>${common.errorTitle}</h2>
      <ul>
        ${list.map((error) => html`<li>${error.field ? html`<a href=${"#" + error.field} onClick=${(event) => focusField(event, error.field)}>${error.text}</a>` : error.text}</li>`)}
      </ul>
    </div>`;
}

function focusField(event, id) {
  event.preventDefault();
  const field = document.getElementById(id);
  if (field) field.focus();
}

// A labelled field. `as`: "input" or "textarea"; the rest go to the element.
export function Field({ id, label, hint = "", error = "", as = "input", ...rest }) {
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const control =
    as === "textarea"
      ? html`<textarea id=${id} name=${id} aria-describedby=${described} aria-invalid=${error ? "true" : undefined} ...${rest}></textarea>`
      : html`<input id=${id} name=${id} aria-describedby=${described} aria-invalid=${error ? "true" : undefined} ...${rest} />`;
  return html`
    <div class=${error ? "field field-error" : "field"}>
      <label for=${id}>${label}</label>
      ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : null}
      ${error ? html`<p class="error" id=${`${id}-error`}>${error}</p>` : null}
      ${control}
    </div>`;
}

// A button that shows it is working and cannot be pressed twice meanwhile.
export function Button({ onClick, kind = "primary", children, busy = false, type = "button", ...rest }) {
  return html`<button type=${type} class=${`button button-${kind}`} onClick=${onClick} disabled=${busy} aria-busy=${busy ? "true" : undefined} ...${rest}>${children}</button>`;
}

// What a screen shows while loading, or when loading failed (never a spinner
// that hides a failure: the words say what happened, with a way to try again).
export function Loading({ error = null, retry = null }) {
  if (error) {
    return html`<div class="notice" role="alert">
      <p>${problemText(error)}</p>
      ${retry ? html`<${Button} kind="secondary" onClick=${retry}>${common.retry}</${Button}>` : null}
    </div>`;
  }
  return html`<p class="loading" role="status">${common.loading}</p>`;
}

// A confirm step for anything destructive: says what will happen, can be
// cancelled, keyboard friendly (the native <dialog> traps focus and Escape closes).
export function Confirm({ open, title, body, confirm, onConfirm, onCancel, danger = false }) {
  const dialog = useRef(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  const go = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
    }
  };
  return html`
    <dialog class="dialog" ref=${dialog} onCancel=${(event) => { event.preventDefault(); onCancel(); }} aria-labelledby="dialog-title">
      <h2 id="dialog-title">${title}</h2>
      <p>${body}</p>
      <div class="actions">
        <${Button} kind=${danger ? "danger" : "primary"} busy=${busy} onClick=${go}>${confirm}</${Button}>
        <${Button} kind="secondary" onClick=${onCancel}>${common.cancel}</${Button}>
      </div>
    </dialog>`;
}

export function Flash({ text }) {
  return text ? html`<p class="flash" role="status">${text}</p>` : null;
}

// What the last action did ("Saved", "You left Croydon SUN"), said once on
// the screen it leads to: goWithFlash() on the way out, useFlash() there.
let pendingFlash = "";

export function useFlash() {
  const [text] = useState(pendingFlash);
  useEffect(() => {
    pendingFlash = "";
  }, []);
  return text;
}

export function goWithFlash(path, text) {
  pendingFlash = text;
  navigate(path);
}
