// My plan's shares (crisisplans/api/shares.py): parts of my signed-off plan
// shown to someone without an account, with a code or a QR code, for a
// limited time. Only the owner sees them. Kept in memory only, never offline
// (a share's code is a key to my plan), and every screen fetches them afresh.
import { get, post, patch, newKey } from "../api.js";
import { changed } from "../store.js";
import { on } from "../realtime.js";

export const shares = {
  byPlan: {}, // plan id -> [share], newest first (live and ended)
  byId: {}, // share id -> share
};

function keep(share) {
  shares.byId[share.id] = share;
  const list = shares.byPlan[share.plan];
  if (list) shares.byPlan[share.plan] = list.some((item) => item.id === share.id) ? list.map((item) => (item.id === share.id ? share : item)) : [share, ...list];
  changed();
  return share;
}

export async function loadFor(planId) {
  const list = await get(`plans/${planId}/shares/`);
  shares.byPlan[planId] = list;
  for (const share of list) shares.byId[share.id] = share;
  changed();
  return list;
}

export const live = (planId) => (shares.byPlan[planId] || []).filter((share) => share.state === "live");

export async function load(id) {
  return keep(await get(`plan-shares/${id}/`));
}

// One key per attempt, so a resend after a dropped signal makes one share.
export async function create(planId, { hours, sections, label, showName }, key = newKey()) {
  const share = await post(`plans/${planId}/shares/`, { hours, sections, label, show_name: showName }, { key });
  return keep(share);
}

export async function setSections(id, sections) {
  return keep(await patch(`plan-shares/${id}/`, { sections }));
}

export async function revoke(id) {
  return keep(await post(`plan-shares/${id}/revoke/`, {}));
}

// The QR code as an image: the SVG the service made, shown through <img>
// (the app's CSP allows data: images) so it is never put into the page's DOM.
export const qrSource = (share) => (share.qr_svg ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(share.qr_svg)}` : "");

// Someone opened a share: fetch its new count (the event says only which).
on("plan.share_opened", (event) => {
  const id = event.data && event.data.share_id;
  if (id && shares.byId[id]) load(id).catch(() => {});
});
