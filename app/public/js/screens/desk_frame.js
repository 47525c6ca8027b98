// The frame of every desk screen: the app's name, "Help now", the network
// (with a switcher to the same section of my other desk networks) and the
// sections as a row of tabs (links, aria-current on this one). Wider than the
// phone screens: tables and the map need the room (css/desk.css).
import { html, useEffect, useRef } from "../lib.js";
import { href, navigate } from "../router.js";
import { ConnectionBanner } from "../ui.js";
import { common } from "../texts/common.js";
import { networks } from "../data/networks.js";
import { deskTexts as texts } from "../texts/desk.js";

// Which sections each role sees (the API decides anyway).
export const SECTIONS = [
  { name: "members", roles: ["navigator", "facilitator"] },
  { name: "rota", roles: ["navigator", "facilitator"] },
  { name: "map", roles: ["navigator", "facilitator"] },
  { name: "directory", roles: ["navigator", "facilitator"] },
  { name: "alerts", roles: ["navigator", "facilitator"] },
  { name: "paging", roles: ["navigator", "facilitator"] },
];

export const deskNetworks = () =>
  (networks.list || []).filter((network) => ["navigator", "facilitator"].includes(network.my_role));

export function DeskPage({ title, network = null, section = null, actions = null, children }) {
  const heading = useRef(null);
  useEffect(() => {
    const where = network ? ` – ${network.name}` : "";
    document.title = `${title}${where} – ${common.appName}`;
    if (heading.current) heading.current.focus({ preventScroll: true });
  }, [title, network && network.id]);
  const others = network ? deskNetworks().filter((n) => n.id !== network.id) : [];
  return html`
    <header class="top desk-top">
      <a class="top-name" href=${href("/")}>${common.appName}</a>
      <a class="desk-home" href=${href("/desk")}>${texts.title}</a>
      ${network ? html`<span class="desk-where">${network.name} · ${texts.role[network.my_role] || network.my_role}</span>` : null}
      ${others.length
        ? html`<label class="desk-switch">
            <span>${texts.switchTo}</span>
            <select onChange=${(event) => event.target.value && navigate(`/desk/${event.target.value}/${section || "members"}`)}>
              <option value="">${network.name}</option>
              ${others.map((n) => html`<option value=${n.id}>${n.name}</option>`)}
            </select>
          </label>`
        : null}
      <a class="top-help" href=${href("/help")}>${common.helpNow}</a>
    </header>
    ${network
      ? html`<nav class="desk-tabs" aria-label=${texts.sectionsLabel}>
          <ul>
            ${SECTIONS.filter((s) => s.roles.includes(network.my_role)).map(
              (s) => html`<li><a href=${href(`/desk/${network.id}/${s.name}`)} aria-current=${s.name === section ? "page" : undefined}>${texts.sections[s.name]}</a></li>`,
            )}
          </ul>
        </nav>`
      : null}
    <${ConnectionBanner} />
    <main class="page page-desk" id="main">
      <div class="desk-heading">
        <h1 tabindex="-1" ref=${heading}>${title}</h1>
        ${actions}
      </div>
      ${children}
    </main>`;
}
