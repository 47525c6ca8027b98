// The desk's community directory, for navigators and facilitators (issue 15).
//   #/desk/<network>/directory          the entries as a table (search, mark as
//                                        checked, stale ones flagged), members'
//                                        open reports with their resolution,
//                                        and sharing: download the directory as
//                                        an Open Referral HSDS file, load one
//   #/desk/<network>/directory/new      add an entry
//   #/desk/<network>/directory/<id>     edit an entry (opening times per weekday)
// The API checks a loaded file whole (network/hsds.py): it saves all of it or
// nothing, and the errors it lists are shown with where in the file they are.
import { html, useEffect, useState } from "../lib.js";
import { useStore } from "../store.js";
import { href } from "../router.js";
import { Loading, Flash, Field, Button, ErrorSummary, useFlash, goWithFlash } from "../ui.js";
import { problemText } from "../texts/common.js";
import { directoryTexts as texts } from "../texts/desk_directory.js";
import * as data from "../data/desk_directory.js";
import { DeskPage } from "./desk_frame.js";

const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
const listPath = (network) => `/desk/${network.id}/directory`;
const day = (iso) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });

export default function DeskDirectory({ network, path }) {
  if (path[0] === "new") return html`<${EntryForm} network=${network} assetId=${null} />`;
  if (path[0]) return html`<${EntryForm} network=${network} assetId=${path[0]} />`;
  return html`<${Overview} network=${network} />`;
}

// A UK number as people write it (020 8123 4567, 07700 900123); others as stored.
export function phoneInWords(e164) {
  if (!e164.startsWith("+44")) return e164;
  const national = `0${e164.slice(3)}`;
  if (/^02\d{9}$/.test(national)) return `${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`;
  if (/^0\d{10}$/.test(national)) return `${national.slice(0, 5)} ${national.slice(5)}`;
  return national;
}

export function hoursInWords(rows) {
  const sorted = [...(rows || [])].sort(
    (a, b) => WEEKDAYS.indexOf(a.weekday) - WEEKDAYS.indexOf(b.weekday) || a.opens_at.localeCompare(b.opens_at),
  );
  return sorted.map((r) => texts.hoursRow(texts.weekdays[r.weekday], r.opens_at, r.closes_at));
}

function Overview({ network }) {
  useStore();
  const state = data.forNetwork(network.id);
  const firstFlash = useFlash();
  const [said, setSaid] = useState("");
  const [errors, setErrors] = useState([]);
  const [query, setQuery] = useState(state.q);
  useEffect(() => {
    data.load(network.id, state.q);
    data.loadReports(network.id);
  }, [network.id]);
  const flash = said || firstFlash;
  const tell = (text) => {
    setErrors([]);
    setSaid(text);
  };
  const fail = (text) => {
    setSaid("");
    setErrors([{ text }]);
  };
  const search = (event) => {
    event.preventDefault();
    data.load(network.id, query.trim());
  };
  const clear = () => {
    setQuery("");
    data.load(network.id, "");
  };
  return html`<${DeskPage} title=${texts.title} network=${network} section="directory"
      actions=${html`<a class="button button-primary directory-add" href=${href(`${listPath(network)}/new`)}>${texts.addLink}</a>`}>
    <p>${texts.intro}</p>
    <${Flash} text=${flash} />
    <${ErrorSummary} errors=${errors} />
    <form class="directory-search" role="search" onSubmit=${search}>
      <${Field} id="directory-q" type="search" label=${texts.searchLabel} hint=${texts.searchHint} value=${query}
        onInput=${(e) => setQuery(e.target.value)} />
      <div class="actions">
        <${Button} type="submit">${texts.search}</${Button}>
        ${state.q ? html`<${Button} kind="secondary" onClick=${clear}>${texts.clearSearch}</${Button}>` : null}
      </div>
    </form>
    ${state.assets === null
      ? html`<${Loading} error=${state.error} retry=${() => data.load(network.id, state.q)} />`
      : html`${state.error ? html`<${Loading} error=${state.error} retry=${() => data.load(network.id, state.q)} />` : null}
          <${Entries} network=${network} assets=${state.assets} q=${state.q} onDone=${tell} onFail=${fail} />`}
    <${Reports} network=${network} state=${state} onDone=${tell} onFail=${fail} />
    <${Share} network=${network} />
  </${DeskPage}>`;
}

function Entries({ network, assets, q, onDone, onFail }) {
  const sorted = [...assets].sort(
    (a, b) => a.organization_name.localeCompare(b.organization_name) || a.service_name.localeCompare(b.service_name),
  );
  const count = q ? texts.countFor(sorted.length, q) : texts.count(sorted.length);
  return html`<section class="directory-entries">
    <p class="directory-count" aria-live="polite">${sorted.length ? count : q ? texts.noneFor(q) : texts.none}</p>
    ${sorted.length
      ? html`<div class="desk-scroll">
          <table class="desk-table directory-table">
            <caption class="visually-hidden">${texts.caption}</caption>
            <thead>
              <tr>
                <th scope="col">${texts.columns.organisation}</th>
                <th scope="col">${texts.columns.service}</th>
                <th scope="col">${texts.columns.phone}</th>
                <th scope="col">${texts.columns.hours}</th>
                <th scope="col">${texts.columns.categories}</th>
                <th scope="col">${texts.columns.checked}</th>
              </tr>
            </thead>
            <tbody>
              ${sorted.map((asset) => html`<${Row} key=${asset.id} network=${network} asset=${asset} onDone=${onDone} onFail=${onFail} />`)}
            </tbody>
          </table>
        </div>`
      : null}
  </section>`;
}

function Checked({ at }) {
  if (!at) return html`<p class="directory-stale">${texts.neverChecked}</p>`;
  const stale = Date.now() - new Date(at).getTime() > YEAR_MS;
  return html`<p>${day(at)}</p>${stale ? html`<p class="directory-stale">${texts.staleChecked}</p>` : null}`;
}

function Row({ network, asset, onDone, onFail }) {
  const [busy, setBusy] = useState(false);
  const hours = hoursInWords(asset.opening_times);
  const check = async () => {
    setBusy(true);
    try {
      await data.markChecked(asset.id);
      onDone(texts.checkedFlash(asset.service_name));
    } catch (error) {
      onFail(problemText(error));
    } finally {
      setBusy(false);
    }
  };
  return html`<tr data-asset=${asset.id}>
    <td>${asset.organization_name}</td>
    <th scope="row">
      ${asset.service_name}
      ${asset.is_closed ? html` <span class="directory-tag directory-closed">${texts.closed}</span>` : null}
      ${asset.is_formal_service ? null : html` <span class="directory-tag">${texts.informal}</span>`}
      <br /><a class="directory-edit" href=${href(`${listPath(network)}/${asset.id}`)} aria-label=${texts.editNamed(asset.service_name)}>${texts.edit}</a>
    </th>
    <td class="directory-phone">${asset.phone ? html`<a href=${`tel:${asset.phone}`}>${phoneInWords(asset.phone)}</a>` : texts.noPhone}</td>
    <td>${hours.length ? html`<ul class="directory-hours">${hours.map((h) => html`<li>${h}</li>`)}</ul>` : texts.noHours}</td>
    <td>${asset.categories.length ? asset.categories.join(", ") : texts.noCategories}</td>
    <td class="directory-checked">
      <${Checked} at=${asset.last_checked_at} />
      <${Button} kind="secondary" busy=${busy} onClick=${check} aria-label=${texts.markCheckedNamed(asset.service_name)}>${texts.markChecked}</${Button}>
    </td>
  </tr>`;
}

function Reports({ network, state, onDone, onFail }) {
  const reports = state.reports;
  return html`<section class="directory-reports" aria-labelledby="directory-reports-title">
    <h2 id="directory-reports-title">${texts.reportsTitle}</h2>
    ${reports === null
      ? html`<${Loading} error=${state.reportsError} retry=${() => data.loadReports(network.id)} />`
      : html`<p aria-live="polite">${reports.length ? texts.reportsCount(reports.length) : texts.reportsNone}</p>
          ${reports.length
            ? html`<ul class="desk-cards">
                ${reports.map((report) => html`<${Report} key=${report.id} network=${network} report=${report} onDone=${onDone} onFail=${onFail} />`)}
              </ul>`
            : null}`}
  </section>`;
}

function Report({ network, report, onDone, onFail }) {
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState("");
  const name = report.service_name;
  const resolve = async (outcome) => {
    setBusy(outcome);
    try {
      await data.resolveReport(network.id, report, outcome, note.trim());
      onDone(texts.resolvedFlash[outcome](name));
    } catch (error) {
      onFail(error.status === 409 ? texts.alreadyResolved : problemText(error));
      setBusy("");
    }
  };
  const field = `report-note-${report.id}`;
  return html`<li class="desk-card directory-report" data-report=${report.id}>
    <h3>${name}</h3>
    <p><strong>${texts.reportKind[report.kind] || report.kind}</strong> · ${texts.reportedOn(day(report.created_at))}</p>
    ${report.note ? html`<blockquote class="directory-note">${report.note}</blockquote>` : html`<p>${texts.noNote}</p>`}
    <${Field} id=${field} as="textarea" rows="2" maxlength="2000" label=${texts.resolveNote(name)} value=${note}
      onInput=${(e) => setNote(e.target.value)} />
    <div class="actions">
      ${["fixed", "marked_closed", "dismissed"].map(
        (outcome) => html`<${Button} kind=${outcome === "fixed" ? "primary" : "secondary"} busy=${busy === outcome}
          disabled=${Boolean(busy)} onClick=${() => resolve(outcome)}>${texts.outcomes[outcome]}</${Button}>`,
      )}
    </div>
  </li>`;
}

function Share({ network }) {
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null); // {counts} or {problems: [text]} or {error: text}
  const load = async (event) => {
    event.preventDefault();
    if (!file) return setResult({ error: texts.importChoose });
    setBusy(true);
    setResult(null);
    try {
      let document;
      try {
        document = JSON.parse(await file.text());
      } catch {
        setResult({ error: texts.notJson });
        return;
      }
      setResult({ counts: await data.importDocument(network.id, document) });
    } catch (error) {
      if (error.status === 400 && Object.keys(error.fields).length) {
        const problems = Object.entries(error.fields).flatMap(([path, details]) =>
          details.map((detail) => texts.importFailedAt(path, detail)),
        );
        setResult({ problems });
      } else {
        setResult({ error: error.status === 413 ? texts.tooLarge : problemText(error) });
      }
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="directory-share" aria-labelledby="directory-share-title">
    <h2 id="directory-share-title">${texts.shareTitle}</h2>
    <p>${texts.shareIntro}</p>
    <p><a class="button button-secondary directory-export" href=${data.exportUrl(network.id)} download>${texts.exportLink}</a></p>
    <form class="directory-import" onSubmit=${load}>
      <div class="field">
        <label for="directory-file">${texts.importLabel}</label>
        <p class="hint" id="directory-file-hint">${texts.importHint}</p>
        <input id="directory-file" type="file" accept=".json,application/json" aria-describedby="directory-file-hint"
          onChange=${(e) => setFile(e.target.files[0] || null)} />
      </div>
      <${Button} type="submit" busy=${busy}>${texts.importButton}</${Button}>
    </form>
    <div class="directory-import-result" aria-live="polite">
      ${result && result.counts
        ? html`<p class="flash">${texts.imported(result.counts)}</p>
            ${result.counts.not_kept_count
              ? html`<p>${texts.notKept(result.counts.not_kept_count)}</p>
                  <ul class="directory-paths">${result.counts.not_kept.slice(0, 20).map((path) => html`<li><code>${path}</code></li>`)}</ul>`
              : null}`
        : null}
    </div>
    ${result && result.problems
      ? html`<div class="error-summary directory-import-errors" role="alert">
          <h3>${texts.importFailed}</h3>
          <ul>${result.problems.slice(0, 50).map((text) => html`<li>${text}</li>`)}</ul>
        </div>`
      : null}
    ${result && result.error ? html`<p class="notice directory-import-errors" role="alert">${result.error}</p>` : null}
  </section>`;
}

// --- Add and edit ---------------------------------------------------------------------

const emptySlot = () => ({ opens_at: "", closes_at: "" });

function formOf(asset) {
  const hours = Object.fromEntries(WEEKDAYS.map((d) => [d, []]));
  for (const row of (asset && asset.opening_times) || []) hours[row.weekday].push({ opens_at: row.opens_at, closes_at: row.closes_at });
  for (const d of WEEKDAYS) if (!hours[d].length) hours[d].push(emptySlot());
  return {
    organization_name: asset ? asset.organization_name : "",
    service_name: asset ? asset.service_name : "",
    description: asset ? asset.description : "",
    location_name: asset ? asset.location_name : "",
    address: asset ? asset.address : "",
    postal_code: asset ? asset.postal_code : "",
    phone: asset ? asset.phone : "",
    url: asset ? asset.url : "",
    categories: asset ? asset.categories.join(", ") : "",
    informal: asset ? !asset.is_formal_service : false,
    is_closed: asset ? asset.is_closed : false,
    hours,
  };
}

// The body for the API, or {errors} to fix first.
function bodyOf(form) {
  const errors = [];
  if (!form.organization_name.trim()) errors.push({ field: "organization_name", text: texts.needsOrganisation });
  if (!form.service_name.trim()) errors.push({ field: "service_name", text: texts.needsService });
  const opening_times = [];
  for (const d of WEEKDAYS) {
    form.hours[d].forEach((slot, index) => {
      if (!slot.opens_at && !slot.closes_at) return;
      const where = `hours-${d}-${index}`;
      if (!slot.opens_at || !slot.closes_at) errors.push({ field: `${where}-opens`, text: texts.needsBothTimes(texts.weekdays[d]) });
      else if (slot.closes_at <= slot.opens_at) errors.push({ field: `${where}-closes`, text: texts.closesAfterOpens(texts.weekdays[d]) });
      else opening_times.push({ weekday: d, opens_at: slot.opens_at.slice(0, 5), closes_at: slot.closes_at.slice(0, 5) });
    });
  }
  if (errors.length) return { errors };
  const categories = form.categories.split(",").map((c) => c.trim()).filter(Boolean);
  return {
    body: {
      organization_name: form.organization_name.trim(),
      service_name: form.service_name.trim(),
      description: form.description.trim(),
      location_name: form.location_name.trim(),
      address: form.address.trim(),
      postal_code: form.postal_code.trim(),
      phone: form.phone.trim(),
      url: form.url.trim(),
      categories: [...new Set(categories)],
      is_formal_service: !form.informal,
      is_closed: form.is_closed,
      opening_times,
    },
  };
}

const FIELD_IDS = ["organization_name", "service_name", "description", "location_name", "address", "postal_code", "phone", "url", "categories"];

function EntryForm({ network, assetId }) {
  useStore();
  const known = assetId ? data.findAsset(network.id, assetId) : null;
  const [asset, setAsset] = useState(known);
  const [loadError, setLoadError] = useState(null);
  const [form, setForm] = useState(assetId ? (known ? formOf(known) : null) : formOf(null));
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const fetchIt = () => {
    setLoadError(null);
    data.fetchAsset(assetId).then(
      (found) => {
        setAsset(found);
        setForm(formOf(found));
      },
      (error) => setLoadError(error),
    );
  };
  useEffect(() => {
    if (assetId && !known) fetchIt();
  }, [assetId]);
  const title = assetId ? (asset ? texts.editTitle(asset.service_name) : texts.title) : texts.addTitle;
  const page = (body) => html`<${DeskPage} title=${title} network=${network} section="directory">
    <p><a href=${href(listPath(network))}>${texts.backToList}</a></p>
    ${body}
  </${DeskPage}>`;
  if (!form) {
    if (loadError && loadError.status === 404) return page(html`<p class="notice">${texts.notFound}</p>`);
    return page(html`<${Loading} error=${loadError} retry=${fetchIt} />`);
  }
  const set = (name) => (event) => setForm({ ...form, [name]: event.target.type === "checkbox" ? event.target.checked : event.target.value });
  const setSlot = (d, index, name, value) =>
    setForm({ ...form, hours: { ...form.hours, [d]: form.hours[d].map((s, i) => (i === index ? { ...s, [name]: value } : s)) } });
  const addSlot = (d) => setForm({ ...form, hours: { ...form.hours, [d]: [...form.hours[d], emptySlot()] } });
  const errorFor = (field) => (errors.find((e) => e.field === field) || {}).text || "";

  const save = async (event) => {
    event.preventDefault();
    const { body, errors: found } = bodyOf(form);
    if (found) return setErrors(found);
    setErrors([]);
    setBusy(true);
    try {
      const saved = asset ? await data.update(asset.id, body) : await data.create(network.id, body);
      goWithFlash(listPath(network), asset ? texts.savedFlash(saved.service_name) : texts.addedFlash(saved.service_name));
    } catch (error) {
      const fromApi = Object.entries(error.fields || {}).map(([field, details]) => {
        const name = field.split(".")[0];
        return FIELD_IDS.includes(name) ? { field: name, text: details[0] } : { field: "hours-MO-0-opens", text: texts.hoursProblem };
      });
      setErrors(fromApi.length ? fromApi : [{ text: problemText(error) }]);
      setBusy(false);
    }
  };
  const text = (id, label, extra = {}) =>
    html`<${Field} id=${id} label=${label} value=${form[id]} error=${errorFor(id)} onInput=${set(id)} ...${extra} />`;
  return page(html`
    <${ErrorSummary} errors=${errors} />
    <form class="directory-form" onSubmit=${save} novalidate>
      ${text("organization_name", texts.organisationLabel, { maxlength: 200, autocomplete: "organization" })}
      ${text("service_name", texts.serviceLabel, { maxlength: 200 })}
      ${text("description", texts.descriptionLabel, { as: "textarea", rows: 3 })}
      ${text("location_name", texts.locationLabel, { maxlength: 200, hint: texts.locationHint })}
      ${text("address", texts.addressLabel, { maxlength: 300 })}
      ${text("postal_code", texts.postcodeLabel, { maxlength: 12, class: "directory-short" })}
      ${text("phone", texts.phoneLabel, { type: "tel", autocomplete: "off" })}
      ${text("url", texts.urlLabel, { type: "url", hint: texts.urlHint })}
      ${text("categories", texts.categoriesLabel, { hint: texts.categoriesHint })}
      <div class="field directory-check">
        <input id="informal" type="checkbox" checked=${form.informal} onChange=${set("informal")} />
        <label for="informal">${texts.informalLabel}</label>
      </div>
      <div class="field directory-check">
        <input id="is_closed" type="checkbox" checked=${form.is_closed} onChange=${set("is_closed")} />
        <label for="is_closed">${texts.closedLabel}</label>
      </div>
      <fieldset class="field directory-hours-form" aria-describedby="hours-hint">
        <legend>${texts.hoursLegend}</legend>
        <p class="hint" id="hours-hint">${texts.hoursHint}</p>
        ${WEEKDAYS.map((d) => html`<div class="directory-day" key=${d}>
          <p class="directory-day-name" id=${`day-${d}`}>${texts.weekdays[d]}</p>
          ${form.hours[d].map((slot, index) => {
            const where = `hours-${d}-${index}`;
            const problem = errorFor(`${where}-opens`) || errorFor(`${where}-closes`);
            return html`<div class=${problem ? "directory-slot field-error" : "directory-slot"}>
              ${problem ? html`<p class="error">${problem}</p>` : null}
              <label for=${`${where}-opens`}><span class="visually-hidden">${texts.weekdays[d]} </span>${texts.opensShort}</label>
              <input id=${`${where}-opens`} type="time" value=${slot.opens_at} aria-invalid=${problem ? "true" : undefined}
                onInput=${(e) => setSlot(d, index, "opens_at", e.target.value)} />
              <label for=${`${where}-closes`}><span class="visually-hidden">${texts.weekdays[d]} </span>${texts.closesShort}</label>
              <input id=${`${where}-closes`} type="time" value=${slot.closes_at} aria-invalid=${problem ? "true" : undefined}
                onInput=${(e) => setSlot(d, index, "closes_at", e.target.value)} />
            </div>`;
          })}
          <button type="button" class="button-link directory-add-time" onClick=${() => addSlot(d)}>${texts.addTime(texts.weekdays[d])}</button>
        </div>`)}
      </fieldset>
      <div class="actions">
        <${Button} type="submit" busy=${busy}>${asset ? texts.save : texts.add}</${Button}>
        <a class="button button-secondary" href=${href(listPath(network))}>${texts.cancel}</a>
      </div>
    </form>
  `);
}
