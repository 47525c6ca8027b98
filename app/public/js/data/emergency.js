// The emergency routes: the UK defaults are written into the app itself, so
// they show with no network at all (APP.md: never depend on a request to
// show them); a network's own routes, once loaded (and kept offline), come
// first. Each becomes a real tel: or sms: link.
import { networks } from "./networks.js";

export const DEFAULT_ROUTES = [
  { label: "Emergency services", number: "999", how: "call" },
  { label: "NHS 111, mental health option", number: "111", how: "call" },
  { label: "Samaritans", number: "116 123", how: "call" },
  { label: "Shout", number: "85258", how: "text" },
];

export function routes(extra = null) {
  const all = [...(extra || []), ...(networks.list || []).flatMap((network) => network.emergency_routes || []), ...DEFAULT_ROUTES];
  const seen = new Set();
  return all.filter((route) => {
    const key = route.number.replace(/\s/g, "") + route.how;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function href(route) {
  const digits = route.number.replace(/[^\d+]/g, "");
  return `${route.how === "text" ? "sms" : "tel"}:${digits}`;
}
