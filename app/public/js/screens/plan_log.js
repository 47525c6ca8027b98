// Who read my plan, when and why, in plain words (GET .../access-log/,
// newest first). My own reads are there too, hidden unless I ask.
import { html, useEffect, useState } from "../lib.js";
import { Page, Loading, Button } from "../ui.js";
import { log as texts, sectionNames } from "../texts/plan.js";
import { when } from "../texts/common.js";
import * as data from "../data/plans.js";

function sentence(record) {
  const say = texts.read[record.reason];
  return say ? say(record.reader, record) : texts.someone(record.reader);
}

// The same reader reading the same parts for the same reason, one after the
// other (the service routing one alert reads the contacts at every step), is
// one entry: "3 times".
function grouped(records) {
  const groups = [];
  for (const record of records) {
    const key = [record.reader, record.reason, record.reason_ref, record.channel, record.reader_agent, record.sections.join()].join("|");
    const last = groups[groups.length - 1];
    if (last && last.key === key) {
      last.count += 1;
      last.oldest = record.created_at;
    } else groups.push({ key, record, count: 1, oldest: record.created_at });
  }
  return groups;
}

export default function AccessLog({ id, base }) {
  const [records, setRecords] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [showMine, setShowMine] = useState(false);
  const load = async (more = false) => {
    setError(null);
    setBusy(true);
    try {
      const page = await data.accessLog(id, more ? next : null);
      setRecords(more ? [...records, ...page.results] : page.results);
      setNext(page.next);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    load();
  }, [id]);
  if (!records) return html`<${Page} title=${texts.title} back=${base}><${Loading} error=${error} retry=${() => load()} /></${Page}>`;
  const shown = grouped(records.filter((record) => showMine || record.reason !== "owner"));
  return html`<${Page} title=${texts.title} back=${base}>
    <p>${texts.intro}</p>
    <div class="choice">
      <input type="checkbox" id="log-mine" checked=${showMine} onChange=${(event) => setShowMine(event.target.checked)} />
      <label for="log-mine">${texts.showMine}</label>
    </div>
    ${shown.length
      ? html`<ul class="plan-log">${shown.map(
          ({ key, record, count, oldest }) => html`<li class="card plan-log-entry" key=${key + record.id} data-reason=${record.reason}>
            <strong>${count > 1 ? texts.between(when.at(new Date(oldest)), when.at(new Date(record.created_at))) : when.at(new Date(record.created_at))}</strong>
            <span>${sentence(record)}${count > 1 ? ` ${texts.times(count)}` : ""}</span>
            ${record.channel === "export" ? html`<span>${texts.printed}</span>` : null}
            ${record.sections.length ? html`<span class="hint">${texts.parts(record.sections.map((name) => sectionNames[name] || name))}</span>` : null}
          </li>`,
        )}</ul>`
      : html`<p>${texts.none}</p>`}
    ${error ? html`<${Loading} error=${error} retry=${() => load(true)} />` : null}
    ${next ? html`<${Button} kind="secondary" busy=${busy} onClick=${() => load(true)}>${texts.more}</${Button}>` : null}
  </${Page}>`;
}
