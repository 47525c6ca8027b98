// The desk: what navigators and facilitators do at a computer (issue 15).
// Desktop first, still usable on a tablet; the same app, the same API, the
// same rules: a person sees a network's desk only where they navigate or
// facilitate it (the API answers 403/404 anyway; this only saves a trip).
//   #/desk                        the networks I navigate or facilitate
//   #/desk/<network>/members      membership: the queue, invitations, removals, transfers, history, readiness
//   #/desk/<network>/rota         the rota by week and month, presets, gaps, swaps, the report
//   #/desk/<network>/map          the network map with its health
//   #/desk/<network>/directory    the community asset directory, HSDS import and export
//   #/desk/<network>/alerts       the alert board
//   #/desk/<network>/paging       peers whose pages are failing or who may not get them
// Each section is its own module, loaded on first use, taking
// {network, path, query}: `network` is the entry of data/networks.js (with
// my_role), `path` what follows the section in the route.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href } from "../router.js";
import { Loading } from "../ui.js";
import { networks, load as loadNetworks, byId } from "../data/networks.js";
import { DeskPage, deskNetworks, SECTIONS } from "./desk_frame.js";
import { deskTexts as texts } from "../texts/desk.js";

const MODULES = {
  members: () => import("./desk_members.js"),
  rota: () => import("./desk_rota.js"),
  map: () => import("./desk_map.js"),
  directory: () => import("./desk_directory.js"),
  alerts: () => import("./desk_alerts.js"),
  paging: () => import("./desk_paging.js"),
};

const loaded = new Map();

function useSection(name) {
  const [, redraw] = useState(0);
  const loader = MODULES[name];
  useEffect(() => {
    if (!loader || loaded.has(name)) return;
    loaded.set(name, { screen: null, error: null });
    loader()
      .then((module) => (loaded.get(name).screen = module.default))
      .catch((error) => {
        loaded.set(name, { screen: null, error });
        setTimeout(() => loaded.delete(name), 0);
      })
      .finally(() => redraw((n) => n + 1));
  }, [name]);
  return loaded.get(name) || { screen: null, error: null };
}

export default function Desk({ path, query }) {
  useStore();
  useEffect(() => {
    if (networks.list === null) loadNetworks();
  }, []);
  const [networkId, section = "members", ...rest] = path;
  const { screen: Section, error } = useSection(networkId ? section : "");
  if (networks.list === null) {
    return html`<${DeskPage} title=${texts.title}><${Loading} error=${networks.error} retry=${loadNetworks} /></${DeskPage}>`;
  }
  if (!networkId) return html`<${Home} />`;
  const network = byId(networkId);
  if (!network || !deskNetworks().includes(network)) {
    return html`<${DeskPage} title=${texts.title}><p class="notice">${texts.notYours}</p>
      <p><a href=${href("/desk")}>${texts.allNetworks}</a></p></${DeskPage}>`;
  }
  if (!MODULES[section]) {
    return html`<${DeskPage} title=${texts.title} network=${network}><p class="notice">${texts.noSuchSection}</p></${DeskPage}>`;
  }
  if (error) {
    return html`<${DeskPage} title=${texts.sections[section]} network=${network} section=${section}>
      <${Loading} error=${{ offline: !navigator.onLine, status: 0 }} retry=${() => location.reload()} /></${DeskPage}>`;
  }
  if (!Section) {
    return html`<${DeskPage} title=${texts.sections[section]} network=${network} section=${section}><${Loading} /></${DeskPage}>`;
  }
  return html`<${Section} network=${network} path=${rest} query=${query} />`;
}

function Home() {
  const mine = deskNetworks();
  return html`<${DeskPage} title=${texts.title}>
    ${mine.length === 0
      ? html`<p class="notice">${texts.none}</p>`
      : html`<ul class="desk-networks">
          ${mine.map(
            (network) => html`<li class="desk-network">
              <h2>${network.name}</h2>
              <p>${texts.yourRole(network.my_role)}</p>
              <ul class="desk-links">
                ${SECTIONS.filter((s) => s.roles.includes(network.my_role)).map(
                  (s) => html`<li><a href=${href(`/desk/${network.id}/${s.name}`)}>${texts.sections[s.name]}</a></li>`,
                )}
              </ul>
            </li>`,
          )}
        </ul>`}
  </${DeskPage}>`;
}
