// Calls to the ACS from the browser. Dashboard routes use the session cookie;
// the REST API is reached through /ui/api/, which runs it as the logged-in
// user. Every change carries the session's CSRF token. A 401 means the
// session is gone: the app shows the login page.

let csrf = { header: "x-csrf-token", token: "" };

export function useSession(session) {
  csrf = { header: session.csrfHeader, token: session.csrfToken };
}

export class HttpError extends Error {
  /** body: the JSON error body (e.g. a 400's field errors), or null. */
  constructor(status, code, message, body = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export const SESSION_ENDED_EVENT = "flexacs:session-ended";

/** JSON request to a dashboard URL; rejects with HttpError. `expect401`: the caller handles 401 itself (login). */
export async function request(url, { method = "GET", body, expect401 = false } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") headers[csrf.header] = csrf.token;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin", cache: "no-store" });
  const text = res.status === 204 ? "" : await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.status === 401 && !expect401) window.dispatchEvent(new CustomEvent(SESSION_ENDED_EVENT));
  if (res.status >= 400) throw new HttpError(res.status, json?.error ?? "", json?.message ?? res.statusText, json);
  return { status: res.status, body: json };
}

/** The REST API (docs/API.md) as the logged-in user: api("/devices?limit=50"). Resolves with the JSON body. */
export async function api(path, options) {
  return (await request(`/ui/api${path}`, options)).body;
}

/** Same, keeping the HTTP status (202 "queued" and 200 "done" differ for tasks). */
export const apiWithStatus = (path, options) => request(`/ui/api${path}`, options);
