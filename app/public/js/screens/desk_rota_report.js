// The balance report (a table, and a bar chart drawn from the same numbers:
// the table is the chart's text alternative), the gaps over the next four
// weeks, and the calendar feed links.
import { html, useEffect, useRef, useState } from "../lib.js";
import { Loading, Button } from "../ui.js";
import { problemText, when } from "../texts/common.js";
import { deskRota as texts } from "../texts/desk_rota.js";
import { deskRota as state, spanText } from "../data/desk_rota.js";
import * as feeds from "../data/rota.js";
import { Chart, BarController, BarElement, CategoryScale, LinearScale, Tooltip } from "../../vendor/chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const round = (n) => Math.round(n * 10) / 10;

function BalanceChart({ peers }) {
  const canvas = useRef(null);
  const chart = useRef(null);
  const labels = peers.map((p) => p.display_name);
  const hours = peers.map((p) => round(p.on_call_hours));
  useEffect(() => {
    const ink = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#1d4f6e";
    const text = getComputedStyle(document.documentElement).getPropertyValue("--ink").trim() || "#1b1b1b";
    chart.current = new Chart(canvas.current, {
      type: "bar",
      data: { labels, datasets: [{ label: texts.chartHours, data: hours, backgroundColor: ink }] },
      options: {
        indexAxis: "y",
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { beginAtZero: true, ticks: { color: text } }, y: { ticks: { color: text } } },
      },
    });
    return () => chart.current.destroy();
  }, []);
  useEffect(() => {
    if (!chart.current) return;
    chart.current.data.labels = labels;
    chart.current.data.datasets[0].data = hours;
    chart.current.update();
  }, [JSON.stringify([labels, hours])]);
  return html`<div class="rota-chart"><canvas ref=${canvas} role="img" aria-label=${texts.chartLabel}></canvas></div>`;
}

export function Report({ network }) {
  const report = state.report;
  if (report === null) return html`<${Loading} error=${state.reportError} />`;
  const tz = network.timezone;
  return html`
    <p>${texts.reportIntro}</p>
    ${report.peers.length
      ? html`<div class="rota-report">
          <div class="desk-scroll">
            <table class="desk-table rota-balance">
              <caption>${texts.reportCaption}</caption>
              <thead><tr>
                <th scope="col">${texts.peer}</th>
                <th scope="col">${texts.onCallHours}</th>
                <th scope="col">${texts.offered}</th>
                <th scope="col">${texts.taken}</th>
                <th scope="col">${texts.declined}</th>
                <th scope="col">${texts.unanswered}</th>
              </tr></thead>
              <tbody>
                ${report.peers.map(
                  (p) => html`<tr key=${p.person_id} data-person=${p.person_id}>
                    <th scope="row">${p.display_name}</th>
                    <td>${round(p.on_call_hours)}</td>
                    <td>${p.offered}</td>
                    <td>${p.accepted}</td>
                    <td>${p.declined}</td>
                    <td>${p.no_answer}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>
          <${BalanceChart} peers=${report.peers} />
        </div>`
      : html`<p>${texts.noReadyPeers}</p>`}
    <h3>${texts.gapsTitle}</h3>
    ${report.gaps.length
      ? html`<p>${texts.gapsTotal(report.gap_hours)}</p>
          <ul class="rota-gaps">
            ${report.gaps.map((gap) => {
              const [from, to] = spanText(new Date(gap.start), new Date(gap.end), tz).split(" to ");
              return html`<li>${texts.gapItem(from, to)}</li>`;
            })}
          </ul>`
      : html`<p>${texts.gapsNone}</p>`}`;
}

export function Feeds({ network, onSaid, confirm }) {
  const [scope, setScope] = useState("network_rota");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [copied, setCopied] = useState("");
  useEffect(() => {
    feeds.loadFeeds();
    return () => feeds.forgetNewFeed();
  }, []);
  const make = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      await feeds.makeFeed(network.id, scope);
      setCopied("");
    } catch (failure) {
      setError(problemText(failure));
    } finally {
      setBusy(false);
    }
  };
  const copy = async (url) => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(texts.feedCopied);
    } catch {
      setCopied(texts.feedCopyFailed);
    }
  };
  const revoke = (feed, label) =>
    confirm({
      title: texts.feedRevokeTitle,
      body: texts.feedRevokeBody,
      confirm: texts.feedRevoke,
      danger: true,
      run: async () => {
        try {
          await feeds.revokeFeed(feed.id);
          onSaid(texts.feedRevoked);
        } catch (failure) {
          setError(problemText(failure));
        }
      },
      label,
    });
  const made = feeds.rota.newFeed && feeds.rota.newFeed.network_id === network.id ? feeds.rota.newFeed : null;
  const mine = (feeds.rota.feeds || []).filter((feed) => feed.network_id === network.id);
  return html`
    <p>${texts.feedsIntro}</p>
    ${error ? html`<p class="notice" role="alert">${error}</p>` : null}
    ${made
      ? html`<div class="rota-new-feed">
          <h3>${texts.feedMadeTitle}</h3>
          <p class="notice">${texts.feedMadeOnce}</p>
          <p><a class="button button-primary" href=${feeds.webcal(made.url)}>${texts.feedAdd}</a></p>
          <div class="field">
            <label for="feed-url">${texts.feedCopyLabel}</label>
            <input id="feed-url" type="text" readonly value=${made.url} onFocus=${(e) => e.currentTarget.select()} />
          </div>
          <div class="actions">
            <${Button} kind="secondary" onClick=${() => copy(made.url)}>${texts.feedCopy}</${Button}>
            <${Button} kind="secondary" onClick=${feeds.forgetNewFeed}>${texts.feedDone}</${Button}>
          </div>
          <div role="status">${copied ? html`<p class="hint">${copied}</p>` : null}</div>
        </div>`
      : html`<form onSubmit=${make}>
          <fieldset class="field">
            <legend>${texts.feedScope}</legend>
            ${Object.entries(texts.feedScopes).map(
              ([value, label]) => html`<div class="choice">
                <input type="radio" id=${`desk-feed-${value}`} name="desk-feed-scope" checked=${scope === value} onChange=${() => setScope(value)} />
                <label for=${`desk-feed-${value}`}>${label}</label>
              </div>`,
            )}
          </fieldset>
          <${Button} type="submit" busy=${busy}>${busy ? texts.feedMaking : texts.feedMake}</${Button}>
        </form>`}
    ${feeds.rota.feeds === null
      ? html`<${Loading} error=${feeds.rota.feedsError} retry=${feeds.loadFeeds} />`
      : mine.length === 0
        ? html`<p>${texts.feedsNone}</p>`
        : html`<ul class="rota-feeds">
            ${mine.map((feed) => {
              const date = when.at(new Date(feed.created_at));
              const scopeText = texts.feedScopes[feed.scope];
              return html`<li key=${feed.id}>
                <span>${texts.feedMade(scopeText, date)}</span>
                <${Button} kind="secondary" aria-label=${texts.feedRevokeNamed(scopeText, date)} onClick=${() => revoke(feed)}>${texts.feedRevoke}</${Button}>
              </li>`;
            })}
          </ul>`}`;
}
