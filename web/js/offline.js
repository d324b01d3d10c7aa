// The installable app's offline side: the service worker (sw.js) keeps the app shell; this module keeps the
// viewer's last answers for the pages worth seeing offline (titles, watchlist, preferences, sources and
// genres, alerts), per viewer, in the browser's Cache Storage, and shows them — with a clear notice — when
// the network is gone. Signing out forgets them.
import { byId } from "./dom.js";

const DATA_CACHE = "tvguide-data";
const KEPT = [
  /^\/titles$/,
  /^\/recommendations$/,
  /^\/watchlist$/,
  /^\/preferences$/,
  /^\/sources$/,
  /^\/genres$/,
  /^\/notifications$/,
];
const HEADERS_KEPT = ["X-Next-Cursor", "X-Total-Count"];
const loadedAt = Date.now();

const canKeep = () => typeof caches !== "undefined";

/** Whether answers to GET `path` are kept for offline use. */
export function keptOffline(path) {
  return KEPT.some((pattern) => pattern.test(path));
}

function keyFor(url, user) {
  const key = new URL(url);
  key.searchParams.set("__viewer", user || "public");
  return key.toString();
}

/** Keep a successful answer (its JSON and paging headers) for this viewer. */
export async function remember(url, user, data, headers) {
  if (!canKeep()) return;
  const kept = { "Content-Type": "application/json", "X-Saved-At": new Date().toISOString() };
  for (const name of HEADERS_KEPT) if (headers.get(name) !== null) kept[name] = headers.get(name);
  try {
    const cache = await caches.open(DATA_CACHE);
    await cache.put(keyFor(url, user), new Response(JSON.stringify(data), { headers: kept }));
  } catch {
    // storage full or refused: the app works online anyway
  }
}

/** The kept answer for this viewer, or null: {data, headers, savedAt}. Shows the offline notice. */
export async function recall(url, user) {
  if (!canKeep()) return null;
  const cache = await caches.open(DATA_CACHE);
  const kept = await cache.match(keyFor(url, user));
  if (!kept) return null;
  const savedAt = kept.headers.get("X-Saved-At");
  showOffline(savedAt);
  return { data: await kept.json(), headers: kept.headers, savedAt };
}

/** Forget every kept answer (signing out; another viewer signing in). */
export async function forgetKept() {
  if (canKeep()) await caches.delete(DATA_CACHE);
}

function showOffline(savedAt) {
  const notice = byId("offlineNotice");
  if (!notice) return;
  const when = savedAt ? new Date(savedAt) : null;
  byId("offlineSavedAt").textContent = when
    ? `as of ${when.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })}`
    : "from your last visit";
  notice.classList.remove("d-none");
}

/** The network answered: the page is live again. */
export function online() {
  byId("offlineNotice")?.classList.add("d-none");
}

/**
 * Register the service worker. A new build installs in the background; when it is ready, it takes over at
 * once if the page has only just opened (the viewer has done nothing yet: reloaded, they see the new build
 * whole), or else the next time the app is opened — never a mix of two builds in one page.
 */
export function startAppShell() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  window.addEventListener("offline", () => showOffline(null));
  window.addEventListener("online", online);
  let reloading = false;
  // The first install takes control of this page too (clients.claim): the files are the same, nothing to
  // reload. Only a new build replacing the one this page came from reloads it.
  const cameFromWorker = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !cameFromWorker) return;
    reloading = true;
    window.location.reload();
  });
  navigator.serviceWorker
    .register("sw.js")
    .then((registration) => {
      const offerTakeOver = (worker) => {
        if (!worker || !navigator.serviceWorker.controller) return; // the first install: nothing to replace
        if (Date.now() - loadedAt < 10_000) worker.postMessage("take-over");
      };
      if (registration.waiting) offerTakeOver(registration.waiting);
      registration.addEventListener("updatefound", () => {
        const worker = registration.installing;
        worker?.addEventListener("statechange", () => {
          if (worker.state === "installed") offerTakeOver(worker);
        });
      });
    })
    .catch(() => {
      // no service worker (e.g. a private window that refuses it): the site works, only not offline
    });
}
