// How we're doing (issue 16, co-assessment): the network's report for one
// month or quarter. Every chart has its figures beside it as a table (charts
// are never the only way), counts under the threshold read "fewer than 5",
// and the CSV has the same figures. Navigators and facilitators also see
// each peer's load and what members wrote (the service sends those only to
// them). Facilitators set the pulse question here.
//   #/networks/<id>/report?period=2026-11
import { html, useEffect, useRef } from "../lib.js";
import { useStore } from "../store.js";
import { navigate } from "../router.js";
import { Page, Button, Loading, EmergencyRoutes, Flash, useFlash } from "../ui.js";
import { report as texts, duration } from "../texts/coproduction.js";
import { networks, load as loadNetworks, byId } from "../data/networks.js";
import * as data from "../data/report.js";
import { PulseManage } from "./network_pulse.js";
import { Chart, BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend } from "../../vendor/chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const MANAGERS = ["navigator", "facilitator"];

function cellText(cell, below) {
  if (!cell) return "";
  if (cell.suppressed) return texts.fewer(below);
  return cell.value === null || cell.value === undefined ? "" : String(cell.value);
}
const cellValue = (cell) => (cell && !cell.suppressed && typeof cell.value === "number" ? cell.value : null);
const minutes = (seconds) => (seconds === null || seconds === undefined ? null : Math.round(seconds / 6) / 10);

function colours() {
  const css = getComputedStyle(document.documentElement);
  const read = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  return {
    ink: read("--ink", "#1b1b1b"),
    line: read("--line", "#6b7278"),
    series: [read("--chart-1", "#1d4f6e"), read("--chart-2", "#0b6b4f"), read("--chart-3", "#7a4a00")],
  };
}

// A bar chart from the same numbers as the table next to it; a suppressed
// count is left out (null), never drawn as a guess.
function BarChart(props) {
  const drawable = props.series.some((s) => s.data.some((n) => typeof n === "number"));
  if (!drawable) return html`<p class="hint" data-chart=${props.name} data-drawn="false">${texts.tooFew}</p>`;
  return html`<${Bars} ...${props} />`;
}

function Bars({ labels, series, label, horizontal = false, name }) {
  const canvas = useRef(null);
  const box = useRef(null);
  const chart = useRef(null);
  const key = JSON.stringify([labels, series]);
  useEffect(() => {
    const { ink, line, series: palette } = colours();
    chart.current = new Chart(canvas.current, {
      type: "bar",
      data: {
        labels,
        datasets: series.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: palette[i % palette.length] })),
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: series.length > 1, labels: { color: ink } } },
        scales: {
          x: { beginAtZero: true, ticks: { color: ink, precision: 0 }, grid: { color: line } },
          y: { beginAtZero: true, ticks: { color: ink, precision: 0 }, grid: { color: line } },
        },
      },
    });
    box.current.dataset.drawn = "true";
    return () => chart.current.destroy();
  }, []);
  useEffect(() => {
    if (!chart.current) return;
    chart.current.data.labels = labels;
    series.forEach((s, i) => {
      chart.current.data.datasets[i].data = s.data;
    });
    chart.current.update();
  }, [key]);
  return html`<div class="coprod-chart" ref=${box} data-chart=${name}>
    <canvas ref=${canvas} role="img" aria-label=${label}></canvas>
  </div>`;
}

function CountTable({ caption, rows, below, shares = null }) {
  return html`<table class="coprod-table">
    <caption>${caption}</caption>
    <thead><tr>
      <th scope="col">${texts.figure}</th>
      <th scope="col">${texts.number}</th>
      ${shares ? html`<th scope="col">${texts.shareCol}</th>` : null}
    </tr></thead>
    <tbody>
      ${rows.map(
        (row) => html`<tr key=${row.name} data-figure=${row.name}>
          <th scope="row">${row.label}</th>
          <td>${cellText(row.cell, below)}</td>
          ${shares ? html`<td>${typeof shares[row.name] === "number" ? texts.share(shares[row.name]) : "–"}</td>` : null}
        </tr>`,
      )}
    </tbody>
  </table>`;
}

export default function NetworkReport({ networkId, query }) {
  useStore();
  const flash = useFlash();
  const period = (query && query.get("period")) || "";
  useEffect(() => {
    if (networks.list === null) loadNetworks();
    data.load(networkId, period);
  }, [networkId, period]);
  const state = data.reportFor(networkId, period);
  const network = byId(networkId);
  const role = network ? network.my_role : null;
  const back = `/networks/${networkId}`;
  const report = state.report;
  if (!report) {
    return html`<${Page} title=${texts.title} back=${back}>
      <${Loading} error=${state.error} retry=${() => data.load(networkId, period)} />
      <${EmergencyRoutes} />
    </${Page}>`;
  }
  const below = report.suppress_below || 5;
  const shown = report.period ? report.period.key : period;
  return html`<${Page} title=${texts.title} back=${back}>
    <${Flash} text=${flash} />
    <p>${texts.intro}</p>
    ${network ? html`<p class="hint">${network.name}</p>` : null}
    <${PeriodPicker} networkId=${networkId} periods=${report.periods} current=${shown} />
    <p class="coprod-period" aria-live="polite" data-period=${shown}>
      <strong>${texts.period(report.period ? report.period.label : `${report.start} – ${report.end}`)}</strong>
      ${report.period && report.period.in_progress ? html`<span class="coprod-so-far"> ${texts.soFar}</span>` : null}
    </p>
    ${state.error ? html`<${Loading} error=${state.error} retry=${() => data.load(networkId, period)} />` : null}

    <section aria-labelledby="alerts-title">
      <h2 id="alerts-title">${texts.alertsTitle}</h2>
      <${CountTable} caption=${texts.alertsTitle} below=${below} rows=${[
        { name: "alerts_raised", label: texts.raised, cell: report.alerts_raised },
        { name: "cancelled", label: texts.cancelled, cell: report.cancelled },
        { name: "follow_ups_done", label: texts.followUps, cell: report.follow_ups_done },
      ]} />
    </section>

    ${report.taken_by ? html`<${Taken} report=${report} below=${below} />` : null}
    <${Times} report=${report} />
    ${report.outcomes ? html`<${Outcomes} report=${report} below=${below} />` : null}

    <section aria-labelledby="rota-title">
      <h2 id="rota-title">${texts.rotaTitle}</h2>
      ${typeof report.gap_hours === "number" ? html`<p>${texts.gapHours(report.gap_hours)}</p>` : null}
      ${texts.evenness(report.load_evenness_gini) ? html`<p>${texts.evenness(report.load_evenness_gini)}</p>` : null}
      ${Array.isArray(report.peers) && MANAGERS.includes(role) ? html`<${Peers} peers=${report.peers} />` : null}
    </section>

    ${report.pulse !== undefined ? html`<${PulseSummary} pulse=${report.pulse} below=${below} />` : null}

    <p>
      <a class="button button-secondary" href=${data.csvHref(networkId, shown)} download>${texts.csv}</a>
    </p>
    <p class="hint">${texts.csvHint}</p>

    ${role === "facilitator" ? html`<${PulseManage} networkId=${networkId} />` : null}
    <${EmergencyRoutes} />
  </${Page}>`;
}

function PeriodPicker({ networkId, periods, current }) {
  if (!Array.isArray(periods) || !periods.length) return null;
  const show = (event) => {
    event.preventDefault();
    const key = event.currentTarget.elements.period.value;
    navigate(`/networks/${networkId}/report?period=${encodeURIComponent(key)}`);
  };
  return html`<form class="coprod-picker" onSubmit=${show}>
    <div class="field">
      <label for="period">${texts.periodLabel}</label>
      <select id="period" name="period">
        ${periods.map((p) => html`<option key=${p.key} value=${p.key} selected=${p.key === current}>${p.label}</option>`)}
      </select>
    </div>
    <${Button} type="submit" kind="secondary">${texts.show}</${Button}>
  </form>`;
}

function Taken({ report, below }) {
  const names = ["peer", "navigator", "staff", "not_taken"];
  const rows = names.map((name) => ({ name, label: texts.takenBy[name], cell: report.taken_by[name] }));
  return html`<section aria-labelledby="taken-title">
    <h2 id="taken-title">${texts.takenTitle}</h2>
    <div class="coprod-figure">
      <${CountTable} caption=${texts.takenTitle} rows=${rows} below=${below} shares=${report.shares || {}} />
      <${BarChart} name="taken" label=${texts.takenChart} horizontal=${true}
        labels=${rows.map((r) => r.label)} series=${[{ label: texts.number, data: rows.map((r) => cellValue(r.cell)) }]} />
    </div>
  </section>`;
}

function Times({ report }) {
  const names = ["to_first_offer", "to_taken", "to_first_contact"].filter((name) => report[name]);
  if (!names.length) return null;
  const say = (seconds) => (seconds === null || seconds === undefined ? texts.notEnough : duration(Math.round(seconds)));
  return html`<section aria-labelledby="times-title">
    <h2 id="times-title">${texts.timesTitle}</h2>
    <p>${texts.timesIntro}</p>
    <div class="coprod-figure">
      <table class="coprod-table">
        <caption>${texts.timesTitle}</caption>
        <thead><tr><th scope="col">${texts.figure}</th><th scope="col">${texts.p50}</th><th scope="col">${texts.p90}</th></tr></thead>
        <tbody>
          ${names.map(
            (name) => html`<tr key=${name} data-figure=${name}>
              <th scope="row">${texts.times[name]}</th>
              <td>${say(report[name].p50_seconds)}</td>
              <td>${say(report[name].p90_seconds)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <${BarChart} name="times" label=${texts.timesChart} labels=${names.map((name) => texts.times[name])}
        series=${[
          { label: `${texts.p50} (${texts.minutesAxis})`, data: names.map((name) => minutes(report[name].p50_seconds)) },
          { label: `${texts.p90} (${texts.minutesAxis})`, data: names.map((name) => minutes(report[name].p90_seconds)) },
        ]} />
    </div>
  </section>`;
}

function Outcomes({ report, below }) {
  const names = ["avoided", "needed", "none_recorded"];
  const rows = names.map((name) => ({ name, label: texts.outcomes[name], cell: report.outcomes[name] }));
  return html`<section aria-labelledby="outcomes-title">
    <h2 id="outcomes-title">${texts.outcomesTitle}</h2>
    <div class="coprod-figure">
      <${CountTable} caption=${texts.outcomesTitle} rows=${rows} below=${below} />
      <${BarChart} name="outcomes" label=${texts.outcomesChart} horizontal=${true}
        labels=${rows.map((r) => r.label)} series=${[{ label: texts.number, data: rows.map((r) => cellValue(r.cell)) }]} />
    </div>
  </section>`;
}

function Peers({ peers }) {
  return html`<p>${texts.peersIntro}</p>
    <div class="coprod-scroll">
      <table class="coprod-table" data-peers="true">
        <caption>${texts.peersTitle}</caption>
        <thead><tr>
          <th scope="col">${texts.peer}</th><th scope="col">${texts.offers}</th>
          <th scope="col">${texts.takes}</th><th scope="col">${texts.hours}</th>
        </tr></thead>
        <tbody>
          ${peers.map(
            (p) => html`<tr key=${p.person_id}>
              <th scope="row">${p.display_name}</th><td>${p.offers}</td><td>${p.takes}</td>
              <td>${Math.round(p.on_call_hours * 10) / 10}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

function PulseSummary({ pulse, below }) {
  return html`<section aria-labelledby="pulse-title">
    <h2 id="pulse-title">${texts.pulseTitle}</h2>
    ${!pulse || !pulse.question_text
      ? html`<p>${texts.pulseNone}</p>`
      : html`<p class="coprod-question">${pulse.question_text}</p>
          <p data-figure="pulse_answered">${texts.pulseAnswered(cellText(pulse.answered, below))}</p>
          ${typeof pulse.average === "number" ? html`<p>${texts.pulseAverage(pulse.average)}</p>` : null}
          ${Array.isArray(pulse.scale) && pulse.scale.length
            ? html`<div class="coprod-figure">
                <table class="coprod-table">
                  <caption>${texts.pulseTitle}</caption>
                  <thead><tr><th scope="col">${texts.pulseScale}</th><th scope="col">${texts.pulseCount}</th></tr></thead>
                  <tbody>
                    ${pulse.scale.map(
                      (row) => html`<tr key=${row.value} data-figure=${`pulse_${row.value}`}>
                        <th scope="row">${row.value}</th><td>${cellText(row.count, below)}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>
                <${BarChart} name="pulse" label=${texts.pulseChart} labels=${pulse.scale.map((row) => String(row.value))}
                  series=${[{ label: texts.pulseCount, data: pulse.scale.map((row) => cellValue(row.count)) }]} />
              </div>`
            : null}
          ${pulse.written ? html`<p>${texts.pulseWritten(cellText(pulse.written, below))}</p>` : null}
          ${Array.isArray(pulse.words)
            ? html`<h3>${texts.pulseWords}</h3>
                <ul class="coprod-words">${pulse.words.map((words, index) => html`<li key=${index}><blockquote>${words}</blockquote></li>`)}</ul>`
            : html`<p class="hint">${texts.pulseWordsHidden}</p>`}`}
  </section>`;
}
