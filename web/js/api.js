// The API client: the viewer API and the admin API, with the ID token, JSON in and out, and errors that
// say what happened (never an empty success). A 401 tries one silent refresh, then ends the session.

import { config } from "./config.js";
import { currentSession, refresh, signOut } from "./auth.js";
import { keptOffline, online, recall, remember } from "./offline.js";

export class ApiError extends Error {
  constructor(status, message, body = null) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function call(base, method, path, { query, body, auth = true, retried = false, raw = false } = {}) {
  const url = new URL(base + path);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, String(value));
  }
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let viewer = null;
  if (auth) {
    const session = currentSession();
    if (!session) throw new ApiError(401, "Your session has expired. Please sign in again.");
    headers.Authorization = session.idToken;
    viewer = session.sub;
  }
  const keep = method === "GET" && base === config.apiEndpoint && keptOffline(path);
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    const kept = keep ? await recall(url, viewer) : null;
    if (kept) return { data: kept.data, headers: kept.headers, offline: true };
    throw new ApiError(0, "Cannot reach UK TV Guide's servers. Check your connection and try again.");
  }
  online();
  if (response.status === 401 && auth && !retried) {
    if (await refresh()) return call(base, method, path, { query, body, auth, retried: true, raw });
    await signOut({ revoke: false });
    throw new ApiError(401, "Your session has expired. Please sign in again.");
  }
  let data = null;
  const text = await response.text();
  if (raw && response.ok) return { data: text, headers: response.headers };
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      throw new ApiError(response.status, `The server answered ${response.status} with something that is not JSON.`);
    }
  }
  if (!response.ok) {
    const message = (data && (data.message || data.error)) || `The server answered ${response.status}.`;
    throw new ApiError(response.status, message, data);
  }
  if (keep) await remember(url, viewer, data, response.headers);
  return { data, headers: response.headers };
}

export const api = {
  sources: () => call(config.apiEndpoint, "GET", "/sources", { auth: false }).then((r) => r.data),
  genres: () => call(config.apiEndpoint, "GET", "/genres", { auth: false }).then((r) => r.data),
  preferences: () => call(config.apiEndpoint, "GET", "/preferences").then((r) => r.data),
  savePreferences: (preferences) =>
    call(config.apiEndpoint, "PUT", "/preferences", { body: preferences }).then((r) => r.data),
  watchlist: (streamable) =>
    call(config.apiEndpoint, "GET", "/watchlist", {
      query: { streamable: streamable ? "true" : undefined },
    }).then((r) => r.data),
  watch: (titleId) => call(config.apiEndpoint, "PUT", `/watchlist/${encodeURIComponent(titleId)}`).then((r) => r.data),
  unwatch: (titleId) =>
    call(config.apiEndpoint, "DELETE", `/watchlist/${encodeURIComponent(titleId)}`).then((r) => r.data),
  alerts: () => call(config.apiEndpoint, "GET", "/notifications").then((r) => r.data),
  markAlertsRead: (ids) =>
    call(config.apiEndpoint, "POST", "/notifications/read", { body: ids ? { ids } : {} }).then((r) => r.data),
  alertSettings: () => call(config.apiEndpoint, "GET", "/notifications/settings").then((r) => r.data),
  saveAlertSettings: (settings) =>
    call(config.apiEndpoint, "PUT", "/notifications/settings", { body: settings }).then((r) => r.data),
  push: () => call(config.apiEndpoint, "GET", "/push").then((r) => r.data),
  addPushDevice: (subscription) =>
    call(config.apiEndpoint, "PUT", "/push/devices", { body: subscription }).then((r) => r.data),
  removePushDevice: (id) =>
    call(config.apiEndpoint, "DELETE", `/push/devices/${encodeURIComponent(id)}`).then((r) => r.data),
  calendarLink: () => call(config.apiEndpoint, "GET", "/calendar").then((r) => r.data),
  createCalendarLink: () => call(config.apiEndpoint, "POST", "/calendar").then((r) => r.data),
  revokeCalendarLink: () => call(config.apiEndpoint, "DELETE", "/calendar").then((r) => r.data),
  household: () => call(config.apiEndpoint, "GET", "/household").then((r) => r.data),
  createHousehold: (body) => call(config.apiEndpoint, "POST", "/household", { body }).then((r) => r.data),
  updateMembership: (body) => call(config.apiEndpoint, "PATCH", "/household/me", { body }).then((r) => r.data),
  setMemberRight: (id, canChange) =>
    call(config.apiEndpoint, "PATCH", `/household/members/${encodeURIComponent(id)}`, {
      body: { can_change_services: canChange },
    }).then((r) => r.data),
  removeMember: (id) =>
    call(config.apiEndpoint, "DELETE", `/household/members/${encodeURIComponent(id)}`).then((r) => r.data),
  leaveHousehold: () => call(config.apiEndpoint, "DELETE", "/household/me").then((r) => r.data),
  createInvite: (body) => call(config.apiEndpoint, "POST", "/household/invites", { body }).then((r) => r.data),
  revokeInvite: (id) =>
    call(config.apiEndpoint, "DELETE", `/household/invites/${encodeURIComponent(id)}`).then((r) => r.data),
  previewInvite: (token) =>
    call(config.apiEndpoint, "POST", "/household/invites/preview", { body: { token } }).then((r) => r.data),
  joinHousehold: (token, name) =>
    call(config.apiEndpoint, "POST", "/household/join", { body: name ? { token, name } : { token } }).then(
      (r) => r.data,
    ),
  /** Titles the household can watch together: {items, members, count}. */
  together: (members, how = "any") =>
    call(config.apiEndpoint, "GET", "/household/together", {
      query: { members: members?.length ? members.join(",") : undefined, limit: 30, how },
    }).then((r) => r.data),
  memberWatchlist: (id) =>
    call(config.apiEndpoint, "GET", `/household/members/${encodeURIComponent(id)}/watchlist`).then((r) => r.data),
  startImport: (filename, content) =>
    call(config.apiEndpoint, "POST", "/watchlist/imports", { body: { filename, content } }).then((r) => r.data),
  searchImport: (id, titles) =>
    call(config.apiEndpoint, "POST", `/watchlist/imports/${encodeURIComponent(id)}/search`, {
      body: { titles },
    }).then((r) => r.data),
  addImport: (id) =>
    call(config.apiEndpoint, "POST", `/watchlist/imports/${encodeURIComponent(id)}/add`).then((r) => r.data),
  undoImport: (id) =>
    call(config.apiEndpoint, "DELETE", `/watchlist/imports/${encodeURIComponent(id)}`).then((r) => r.data),
  /** The watchlist as CSV text. */
  exportWatchlist: () => call(config.apiEndpoint, "GET", "/watchlist/export", { raw: true }).then((r) => r.data),
  search: (q) => call(config.apiEndpoint, "GET", "/search", { query: { q, limit: 24 } }).then((r) => r.data),
  /** "new" (arrived) or "leaving" (left) on the viewer's sources in the last `days`. */
  recent: (kind, days) => call(config.apiEndpoint, "GET", `/titles/${kind}`, { query: { days } }).then((r) => r.data),
  /** Titles leaving the viewer's sources within `days`: {items: [title + leaving_date, leaving: [...]]}. */
  leavingSoon: (days, limit = 100) =>
    call(config.apiEndpoint, "GET", "/titles/leaving-soon", { query: { days, limit } }).then((r) => r.data),
  /** Titles announced to arrive on the viewer's sources within `days`: {items: [title + arriving]}. */
  comingSoon: (days, limit = 100) =>
    call(config.apiEndpoint, "GET", "/titles/coming-soon", { query: { days, limit } }).then((r) => r.data),
  /** Whether the titles the preferences call for are fetched: {fetching: [ids], failing: [ids], ready}. */
  titlesStatus: () => call(config.apiEndpoint, "GET", "/titles/status").then((r) => r.data),
  /** One page of titles or recommendations: {items, nextCursor, total}. */
  async titles(kind, query) {
    const { data, headers } = await call(
      config.apiEndpoint,
      "GET",
      kind === "recommendations" ? "/recommendations" : "/titles",
      { query },
    );
    const total = headers.get("X-Total-Count");
    return {
      items: data || [],
      nextCursor: headers.get("X-Next-Cursor"),
      total: total === null ? null : Number(total),
    };
  },
};

export const admin = {
  get: (path, query) => call(config.adminApiEndpoint, "GET", path, { query }).then((r) => r.data),
  post: (path, body) =>
    call(config.adminApiEndpoint, "POST", path, { body: body === undefined ? {} : body }).then((r) => r.data),
};
