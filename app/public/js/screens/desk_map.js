// The desk's network map (#/desk/<network>/map): KeyRing's "personal and
// community map", drawn with Cytoscape.js. Members, the ties they chose to
// share with this navigator or facilitator, and the places and services they
// lean on, with the network's health beside it in words and highlighted on
// the drawing. The drawing is built only from the service's answer
// (data/desk_map.js): nothing a viewer may not see can reach the page.
// A canvas is invisible to screen readers, so the same nodes and edges are
// listed in words below it, each with a button that selects it on the map.
import cytoscape from "../../vendor/cytoscape.js";
import { html, useEffect, useRef, useState } from "../lib.js";
import { useStore } from "../store.js";
import { Button, Loading } from "../ui.js";
import { when, problemText } from "../texts/common.js";
import { deskMapTexts as texts } from "../texts/desk_map.js";
import { DeskPage } from "./desk_frame.js";
import * as data from "../data/desk_map.js";

// Cytoscape adds an inline <style> for its container unless an element with
// this id is already in the page. The app's policy allows no inline style, so
// the element is a placeholder and the rule lives in css/desk_map.css.
const CYTOSCAPE_STYLESHEET = "__________cytoscape_stylesheet";

function placeholderForCytoscapeStyles() {
  if (document.getElementById(CYTOSCAPE_STYLESHEET)) return;
  const marker = document.createElement("meta");
  marker.id = CYTOSCAPE_STYLESHEET;
  marker.name = "cytoscape-styles";
  marker.content = "css/desk_map.css";
  document.head.appendChild(marker);
}

const HEALTH_CLASS = { isolated: "health-isolated", several: "health-several", gaps: "health-gaps", overCap: "health-over-cap", stale: "health-stale" };

// The drawing's colours come from css/desk_map.css (light and dark), so the
// key beside the map and the map always agree.
function colours() {
  const css = getComputedStyle(document.documentElement);
  const read = (name) => css.getPropertyValue(name).trim();
  return {
    ink: read("--ink"),
    paper: read("--paper"),
    line: read("--line"),
    focus: read("--focus"),
    network: read("--map-network"),
    member: read("--map-member"),
    outside: read("--map-outside"),
    service: read("--map-service"),
    asset: read("--map-asset"),
    place: read("--map-place"),
    tie: read("--map-tie"),
    uses: read("--map-uses"),
    stressful: read("--map-stressful"),
    flag: read("--map-flag"),
  };
}

function stylesheet(c) {
  return [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-size": 13,
        "font-family": "system-ui, sans-serif",
        color: c.ink,
        "text-valign": "bottom",
        "text-margin-y": 5,
        "text-wrap": "wrap",
        "text-max-width": 130,
        "text-background-color": c.paper,
        "text-background-opacity": 0.85,
        "text-background-padding": 2,
        width: 28,
        height: 28,
        "border-width": 2,
        "border-color": c.ink,
      },
    },
    { selector: "node.network", style: { shape: "round-rectangle", width: 60, height: 40, "background-color": c.network, "font-weight": "bold", "font-size": 15 } },
    { selector: "node.member", style: { shape: "ellipse", "background-color": c.member } },
    { selector: "node.outside", style: { shape: "ellipse", "background-color": c.outside, "border-style": "dashed" } },
    { selector: "node.service", style: { shape: "diamond", width: 32, height: 32, "background-color": c.service } },
    { selector: "node.asset", style: { shape: "round-rectangle", width: 28, height: 28, "background-color": c.asset } },
    { selector: "node.place", style: { shape: "hexagon", width: 32, height: 32, "background-color": c.place } },
    { selector: "node.health-isolated", style: { "border-width": 7, "border-color": c.flag, "border-style": "solid" } },
    { selector: "node.health-several", style: { "border-width": 8, "border-color": c.flag, "border-style": "double" } },
    { selector: "node.health-stale, node.health-gaps, node.health-over-cap", style: { "border-width": 6, "border-color": c.flag } },
    { selector: "edge", style: { width: 2, "line-color": c.line, "curve-style": "bezier" } },
    { selector: "edge.membership", style: { width: 1.5, "line-color": c.line } },
    { selector: "edge.listed_in", style: { width: 1.5, "line-style": "dotted", "line-color": c.line } },
    { selector: "edge.tie", style: { "line-color": c.tie } },
    { selector: "edge.uses", style: { "line-color": c.uses, "target-arrow-shape": "triangle", "target-arrow-color": c.uses } },
    { selector: "edge[strength = 3]", style: { width: 6 } },
    { selector: "edge[strength = 2]", style: { width: 3.5 } },
    { selector: "edge[strength = 1]", style: { width: 1.5 } },
    { selector: "edge[strength = -1]", style: { width: 3, "line-style": "dashed", "line-color": c.stressful, "target-arrow-color": c.stressful } },
    { selector: ".dimmed", style: { opacity: 0.2 } },
    { selector: "node:selected", style: { "underlay-color": c.focus, "underlay-opacity": 1, "underlay-padding": 8, "underlay-shape": "ellipse" } },
  ];
}

// Cytoscape's elements: the service's nodes and edges as they came, each
// with the classes it is drawn by. Edges have no id in the answer; the
// drawing numbers them.
function elementsOf(graph, flags) {
  const classesOf = (id) =>
    Object.entries(flags)
      .filter(([, ids]) => ids.includes(id))
      .map(([key]) => HEALTH_CLASS[key]);
  return [
    ...graph.nodes.map((node) => ({
      group: "nodes",
      data: { ...node },
      classes: [data.drawnKind(node), ...classesOf(node.id)],
    })),
    ...graph.edges.map((edge, index) => ({
      group: "edges",
      data: { id: `edge:${index}`, ...edge },
      classes: [edge.kind],
    })),
  ];
}

// Rings first (the network in the middle, members around it, what they lean
// on outside), then a force-directed pass from there: the same map each time.
function lay(cy) {
  const ring = { network: 3, member: 2 };
  cy.layout({
    name: "concentric",
    animate: false,
    fit: false,
    minNodeSpacing: 40,
    concentric: (node) => ring[data.drawnKind(node.data())] || 1,
    levelWidth: () => 1,
  }).run();
  cy.layout({
    name: "cose",
    animate: false,
    randomize: false,
    fit: true,
    padding: 40,
    nodeDimensionsIncludeLabels: true,
    idealEdgeLength: () => 70,
    nodeRepulsion: () => 6000,
  }).run();
}

function Graph({ graph, flags, highlight, selected, onSelect, label }) {
  const container = useRef(null);
  const cyRef = useRef(null);
  const select = useRef(onSelect);
  select.current = onSelect;

  useEffect(() => {
    placeholderForCytoscapeStyles();
    const cy = cytoscape({
      container: container.current,
      elements: elementsOf(graph, flags),
      style: stylesheet(colours()),
      layout: { name: "preset" },
      minZoom: 0.25,
      maxZoom: 4,
      boxSelectionEnabled: false,
      selectionType: "single",
    });
    lay(cy);
    cy.on("tap", "node", (event) => select.current(event.target.id()));
    cy.on("tap", (event) => {
      if (event.target === cy) select.current(null);
    });
    cyRef.current = cy;
    // For the browser tests: what is drawn, which is only what the service sent.
    const element = container.current;
    element._cy = cy;
    return () => {
      delete element._cy;
      cyRef.current = null;
      cy.destroy();
    };
  }, [graph, flags]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.elements().removeClass("dimmed");
      if (highlight !== "all") {
        const keep = new Set(flags[highlight] || []);
        cy.nodes().filter((node) => !keep.has(node.id())).addClass("dimmed");
        cy.edges().filter((edge) => !keep.has(edge.data("source")) && !keep.has(edge.data("target"))).addClass("dimmed");
      }
    });
  }, [highlight, graph, flags]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.nodes(":selected").unselect();
    if (selected) {
      const node = cy.getElementById(selected);
      if (node.nonempty()) {
        node.select();
        if (!inView(cy, node)) cy.center(node);
      }
    }
  }, [selected, graph, flags]);

  const zoom = (factor) => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  };
  const fit = () => cyRef.current && cyRef.current.fit(undefined, 40);

  return html`<div class="desk-map-graph">
    <div class="desk-map-tools">
      <${Button} kind="secondary" onClick=${() => zoom(1.25)}>${texts.zoomIn}</${Button}>
      <${Button} kind="secondary" onClick=${() => zoom(0.8)}>${texts.zoomOut}</${Button}>
      <${Button} kind="secondary" onClick=${fit}>${texts.fit}</${Button}>
    </div>
    <div class="desk-map-canvas" ref=${container} role="img" aria-label=${label}></div>
  </div>`;
}

function inView(cy, node) {
  const box = node.renderedBoundingBox();
  return box.x1 >= 0 && box.y1 >= 0 && box.x2 <= cy.width() && box.y2 <= cy.height();
}

function Legend() {
  return html`<section class="desk-map-legend" aria-labelledby="desk-map-legend">
    <h2 id="desk-map-legend">${texts.legendHeading}</h2>
    <ul>
      ${data.DRAWN_KINDS.map((kind) => html`<li><span class=${`swatch swatch-${kind}`} aria-hidden="true"></span>${texts.kinds[kind]}</li>`)}
      ${["membership", "tie", "uses", "listed_in", "stressful"].map(
        (kind) => html`<li><span class=${`swatch-line line-${kind}`} aria-hidden="true"></span>${texts.edges[kind]}</li>`,
      )}
      ${["isolated", "several", "stale", "network"].map(
        (flag) => html`<li><span class=${`swatch swatch-flag flag-${flag}`} aria-hidden="true"></span>${texts.flags[flag]}</li>`,
      )}
    </ul>
  </section>`;
}

// One indicator in words: the names it flags (each selects it on the map), or that it flags nobody.
function Indicator({ name, words, items, flagged = items.length > 0 }) {
  return html`<li class=${flagged ? "flagged" : ""} data-indicator=${name}>
    ${typeof words === "string"
      ? words
      : items.length
        ? html`${words.lead}: ${items.map((item, index) => html`<span class="desk-map-named">${item}${index < items.length - 1 ? "," : "."}</span>${index < items.length - 1 ? " " : ""}`)}`
        : words.none}
  </li>`;
}

function Health({ health, flags, highlight, onHighlight, onSelect }) {
  const person = (p) => html`<${NodeButton} id=${`person:${p.person_id}`} label=${p.display_name} onSelect=${onSelect} />`;
  const asset = (a) => html`<${NodeButton} id=${`asset:${a.id}`} label=${a.service_name} onSelect=${onSelect} />`;
  return html`<section class="desk-map-health" aria-labelledby="desk-map-health">
    <h2 id="desk-map-health">${texts.healthHeading}</h2>
    <ul class="desk-map-indicators">
      <${Indicator} name="isolated" words=${texts.isolated} items=${health.isolated_members.map(person)} />
      <${Indicator} name="several" words=${texts.several} items=${health.in_several_networks.map(person)} />
      <${Indicator} name="gaps" words=${texts.gaps(health.on_call_gap_hours_next_4_weeks)} items=${[]}
        flagged=${health.on_call_gap_hours_next_4_weeks > 0} />
      <${Indicator} name="overCap" words=${texts.size(health.size, health.size_cap, health.over_size_cap)} items=${[]}
        flagged=${health.over_size_cap} />
      <${Indicator} name="stale" words=${texts.stale} items=${health.stale_assets.map(asset)} />
    </ul>
    <p class="hint">${texts.healthNote}</p>
    <div class="field">
      <label for="desk-map-highlight">${texts.highlightLabel}</label>
      <select id="desk-map-highlight" value=${highlight} onChange=${(event) => onHighlight(event.target.value)}>
        ${["all", ...data.INDICATORS].map((key) => html`<option value=${key}>${texts.highlight[key]}</option>`)}
      </select>
      <p class="hint" role="status">${highlight !== "all" && !(flags[highlight] || []).length ? texts.nothingToHighlight : ""}</p>
    </div>
  </section>`;
}

function NodeButton({ id, label, onSelect }) {
  return html`<button type="button" class="link-button" data-node=${id} aria-label=${texts.showIt(label)} onClick=${() => onSelect(id)}>${label}</button>`;
}

function lineOf(edge, nodes) {
  const name = (id) => (nodes.get(id) || { label: id }).label;
  return texts.edge(edge, name(edge.source), name(edge.target));
}

function Details({ graph, health, flags, selected, onSelect }) {
  const node = selected ? graph.nodes.find((n) => n.id === selected) : null;
  let body;
  if (!node) body = html`<p>${texts.nothingSelected}</p>`;
  else {
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    const lines = data.edgesOf(graph, node.id).map(({ edge }) => lineOf(edge, nodes));
    const own = data.INDICATORS.filter((key) => (flags[key] || []).includes(node.id));
    const stale = health.stale_assets.find((a) => `asset:${a.id}` === node.id);
    body = html`
      <h3>${node.label}</h3>
      <p>${texts.kindOf(data.drawnKind(node), data.roleOf(graph, node.id))}</p>
      ${own.map((key) => html`<p class="desk-map-flag">${texts.flagText[key]}</p>`)}
      ${stale ? html`<p>${texts.lastChecked(stale.last_checked_at ? when.at(new Date(stale.last_checked_at)) : "")}</p>` : null}
      <h4>${texts.connections}</h4>
      ${lines.length ? html`<ul>${lines.map((line) => html`<li>${line}</li>`)}</ul>` : html`<p>${texts.noConnections}</p>`}
      <${Button} kind="secondary" onClick=${() => onSelect(null)}>${texts.clear}</${Button}>`;
  }
  return html`<section class="desk-map-details" aria-labelledby="desk-map-details" aria-live="polite">
    <h2 id="desk-map-details">${texts.detailsHeading}</h2>
    ${body}
  </section>`;
}

function InWords({ graph, flags, onSelect }) {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  return html`<section class="desk-map-words" aria-labelledby="desk-map-words">
    <h2 id="desk-map-words">${texts.listHeading}</h2>
    <p>${texts.listIntro}</p>
    <div class="desk-scroll">
      <table class="desk-table">
        <thead>
          <tr><th scope="col">${texts.nodeColumn}</th><th scope="col">${texts.kindColumn}</th><th scope="col">${texts.linksColumn}</th></tr>
        </thead>
        <tbody>
          ${graph.nodes.map((node) => {
            const own = data.INDICATORS.filter((key) => (flags[key] || []).includes(node.id));
            const lines = data.edgesOf(graph, node.id).map(({ edge }) => lineOf(edge, nodes));
            return html`<tr key=${node.id} data-node=${node.id}>
              <th scope="row"><${NodeButton} id=${node.id} label=${node.label} onSelect=${onSelect} /></th>
              <td>${texts.kindOf(data.drawnKind(node), data.roleOf(graph, node.id))}${own.map((key) => html`<br /><span class="desk-map-flag">${texts.flagText[key]}</span>`)}</td>
              <td>${lines.length ? html`<ul class="desk-map-lines">${lines.map((line) => html`<li>${line}</li>`)}</ul>` : texts.noConnections}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
  </section>`;
}

function summary(graph, flags) {
  const members = graph.nodes.filter((n) => data.drawnKind(n) === "member").length;
  const others = graph.nodes.filter((n) => !["network", "member"].includes(data.drawnKind(n))).length;
  const ties = graph.edges.filter((e) => e.kind === "tie" || e.kind === "uses").length;
  const flagged = new Set(Object.values(flags).flat()).size;
  return texts.canvasLabel({ members, others, ties, flagged });
}

export default function DeskMap({ network }) {
  useStore();
  const entry = data.mapOf(network.id);
  const [highlight, setHighlight] = useState("all");
  const [selected, setSelected] = useState(null);
  useEffect(() => {
    data.load(network.id);
    setSelected(null);
  }, [network.id]);
  // Stable while the answer is the same, so the drawing is not rebuilt on every redraw.
  const flagsRef = useRef({ health: null, flags: null });
  if (flagsRef.current.health !== entry.health) flagsRef.current = { health: entry.health, flags: data.flagged(entry.health, network.id) };
  const flags = flagsRef.current.flags;

  const retry = () => data.load(network.id);
  const actions = entry.graph
    ? html`<div class="desk-map-actions">
        ${entry.loadedAt ? html`<span class="hint">${texts.loadedAt(when.time(new Date(entry.loadedAt)))}</span>` : null}
        <${Button} kind="secondary" onClick=${retry}>${texts.refresh}</${Button}>
      </div>`
    : null;
  let body;
  if (!entry.graph || !entry.health) body = html`<${Loading} error=${entry.error} retry=${retry} />`;
  else if (entry.graph.nodes.length === 0) body = html`<p class="notice notice-calm">${texts.empty}</p>`;
  else {
    const { graph, health } = entry;
    const shown = selected && graph.nodes.some((n) => n.id === selected) ? selected : null;
    body = html`
      ${entry.error ? html`<p class="notice" role="alert">${problemText(entry.error)}</p>` : null}
      <p>${texts.intro}</p>
      <div class="desk-map-layout">
        <section class="desk-map-main" aria-labelledby="desk-map-graph">
          <h2 id="desk-map-graph">${texts.graphHeading}</h2>
          <${Graph} graph=${graph} flags=${flags} highlight=${highlight} selected=${shown} onSelect=${setSelected}
            label=${summary(graph, flags)} />
          <${Legend} />
        </section>
        <div class="desk-map-side">
          <${Health} health=${health} flags=${flags} highlight=${highlight} onHighlight=${setHighlight} onSelect=${setSelected} />
          <${Details} graph=${graph} health=${health} flags=${flags} selected=${shown} onSelect=${setSelected} />
        </div>
      </div>
      <${InWords} graph=${graph} flags=${flags} onSelect=${setSelected} />`;
  }
  return html`<${DeskPage} title=${texts.title} network=${network} section="map" actions=${actions}>${body}</${DeskPage}>`;
}
