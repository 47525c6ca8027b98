// The one way the app talks to the REST API (/api/v1/). Like Zulip's
// channel.ts: it adds the credentials (the HttpOnly device cookie goes by
// itself; unsafe methods add the CSRF header), retries only what is safe to
// retry, and turns every failure into an ApiError with one shape.
//
// Screens never call fetch: they call data modules, which call this.

const BASE = "/api/v1/";

export class ApiError extends Error {
  // status: the HTTP status, or 0 when the request never reached the service.
  // code: the problem's code ("invalid_code", "not_found"...) or "offline".
  // fields: {field: [message, ...]} for a 400 on a form.
  constructor({ status, code, detail, fields = {}, retryAfter = null }) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.fields = fields;
    this.retryAfter = retryAfter;
  }
  get offline() {
    return this.status === 0;
  }
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

const SAFE = new Set(["GET", "HEAD"]);
let onSignedOut = () => {};

// The session module is told when the service says the device is signed out.
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

export function newKey() {
  return crypto.randomUUID();
}

async function problemOf(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  // RFC 9457 problem details (foundation/problems.py): the code is the
  // fragment of "type", field errors are {field, code, detail}.
  const fields = {};
  for (const error of body.errors || []) {
    (fields[error.field] ||= []).push(error.detail);
  }
  const fragment = (body.type || "").split("#")[1];
  return new ApiError({
    status: response.status,
    code: fragment || `http_${response.status}`,
    detail: body.detail || "",
    fields,
    retryAfter: Number(response.headers.get("Retry-After")) || null,
  });
}

async function once(method, path, { body, key, signal }) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (!SAFE.has(method)) headers["X-CSRFToken"] = csrfToken();
  if (key) headers["Idempotency-Key"] = key;
  let response;
  try {
    response = await fetch(path.startsWith("/") ? path : BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError({ status: 0, code: "offline", detail: "" });
  }
  if (response.status === 204) return null;
  if (!response.ok) throw await problemOf(response);
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : response.text();
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A GET, or a write carrying an Idempotency-Key, may be sent again after a
// dropped connection or a 503: the service gives the first answer back.
export async function request(method, path, { body, key, signal, retries = 2 } = {}) {
  const retryable = SAFE.has(method) || Boolean(key);
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await once(method, path, { body, key, signal });
    } catch (error) {
      const transient = error instanceof ApiError && (error.offline || error.status === 503);
      if (error instanceof ApiError && error.status === 401 && !path.startsWith("auth/")) onSignedOut();
      if (!retryable || !transient || attempt >= retries) throw error;
      await wait(500 * 2 ** attempt);
    }
  }
}

export const get = (path, options) => request("GET", path, options);
export const post = (path, body, options = {}) => request("POST", path, { ...options, body });
export const patch = (path, body, options = {}) => request("PATCH", path, { ...options, body });
export const put = (path, body, options = {}) => request("PUT", path, { ...options, body });
export const del = (path, options) => request("DELETE", path, options);

// Every page of a cursor-paginated list ({results, next}).
export async function getAll(path) {
  const items = [];
  let next = path;
  while (next) {
    const page = await get(next);
    if (Array.isArray(page)) return page;
    items.push(...page.results);
    next = page.next ? new URL(page.next, location.origin).pathname + new URL(page.next, location.origin).search : null;
  }
  return items;
}
