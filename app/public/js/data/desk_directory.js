// The community directory at the desk, per network: the entries (all pages,
// or those matching a search), the members' open reports, and HSDS import.
// Export is a plain link to the download (exportUrl): a file, not a fetch.
import { get, getAll, post, patch, newKey } from "../api.js";
import { changed } from "../store.js";

const PAGE = 200;

// network id -> {assets, q, error, reports, reportsError}
const state = {};

const slot = (networkId) => (state[networkId] ||= { assets: null, q: "", error: null, reports: null, reportsError: null });

export const forNetwork = (networkId) => slot(Number(networkId));

export async function load(networkId, q = "") {
  const here = slot(Number(networkId));
  here.q = q;
  const search = q ? `&q=${encodeURIComponent(q)}` : "";
  try {
    const assets = await getAll(`networks/${networkId}/assets/?page_size=${PAGE}${search}`);
    if (here.q !== q) return; // a newer search answered first
    here.assets = assets;
    here.error = null;
  } catch (error) {
    here.error = error;
  }
  changed();
}

export async function loadReports(networkId) {
  const here = slot(Number(networkId));
  try {
    here.reports = await getAll(`networks/${networkId}/asset-reports/`);
    here.reportsError = null;
  } catch (error) {
    here.reportsError = error;
  }
  changed();
}

function keep(asset) {
  const here = slot(asset.network_id);
  if (here.assets) {
    const others = here.assets.filter((a) => a.id !== asset.id);
    here.assets = others.length === here.assets.length ? [asset, ...others] : here.assets.map((a) => (a.id === asset.id ? asset : a));
  }
  changed();
  return asset;
}

export const findAsset = (networkId, assetId) =>
  (slot(Number(networkId)).assets || []).find((asset) => asset.id === Number(assetId)) || null;

export const fetchAsset = (assetId) => get(`assets/${assetId}/`);

export const create = async (networkId, body) => keep(await post(`networks/${networkId}/assets/`, body, { key: newKey() }));

export const update = async (assetId, body) => keep(await patch(`assets/${assetId}/`, body));

export const markChecked = async (assetId) => keep(await post(`assets/${assetId}/checked/`));

export async function resolveReport(networkId, report, outcome, note) {
  const answer = await post(`asset-reports/${report.id}/resolve/`, { outcome, note });
  const here = slot(Number(networkId));
  here.reports = (here.reports || []).filter((r) => r.id !== report.id);
  await load(networkId, here.q); // "marked closed" and the check date changed the entry
  return answer;
}

export const exportUrl = (networkId) => `/api/v1/networks/${networkId}/directory/hsds/`;

// The parsed document: the service checks it all and saves all of it or nothing.
export async function importDocument(networkId, document) {
  const counts = await post(`networks/${networkId}/directory/hsds/`, document, { key: newKey() });
  await load(networkId, slot(Number(networkId)).q);
  return counts;
}
