// The service worker: the app shell — the site's own files and its pinned assets — from one cache per build,
// so a visit never mixes two builds' files; config.js (the stack's, published after the build) from the
// network first. A new build installs beside the old one and waits; the page tells it when to take over
// (js/app-shell.js). Data is not kept here: the app keeps its last answers itself (js/offline.js).
const BUILD = "dev"; // the build (tools/build_site.py) puts the site's hash here
const SHELL = []; // ... and every file of the site here
const CACHE = `tvguide-shell-${BUILD}`;
const CONFIG = "config.js";

const scopePath = () => new URL(self.registration.scope).pathname;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Past the browser's HTTP cache: the files are not content-hashed, so a cached one could be stale.
      await cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload" })));
      try {
        const config = await fetch(new Request(CONFIG, { cache: "reload" }));
        if (config.ok) await cache.put(CONFIG, config);
      } catch {
        // offline while installing: config.js is cached on the next visit
      }
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("tvguide-shell-") && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "take-over") self.skipWaiting();
});

async function networkFirst(request, cacheKey) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request, { cache: "no-cache" });
    if (response.ok) await cache.put(cacheKey, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(cacheKey);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  return (await cache.match(request, { ignoreSearch: true })) || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return; // the APIs, Cognito, posters: the network's
  const path = url.pathname.slice(scopePath().length);
  if (request.mode === "navigate") {
    event.respondWith(
      (async () => (await caches.open(CACHE)).match("index.html").then((page) => page || fetch(request)))(),
    );
  } else if (path === CONFIG) {
    event.respondWith(networkFirst(request, CONFIG));
  } else if (SHELL.includes(path)) {
    event.respondWith(cacheFirst(request));
  }
});

// --- push: an alert the notifier sent (a title on the watchlist arrived on, or is leaving, a service) ---

self.addEventListener("push", (event) => {
  let alert = {};
  try {
    alert = event.data ? event.data.json() : {};
  } catch {
    alert = {};
  }
  const title = String(alert.title || "UK TV Guide");
  event.waitUntil(
    self.registration.showNotification(title, {
      body: String(alert.body || "A title on your watchlist"),
      tag: String(alert.tag || "tvguide-alert"),
      icon: "img/icon-192.png",
      badge: "img/icon-192.png",
      data: { url: String(alert.url || "/#/main/alerts") },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // Only somewhere in the app: the part after "#" of what the push said.
  const hash = String(event.notification.data?.url || "").split("#")[1] || "/main/alerts";
  const target = new URL(`index.html#${hash.replace(/[^A-Za-z0-9/?=&_-]/g, "")}`, self.registration.scope).href;
  event.waitUntil(
    (async () => {
      for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
        if (client.url.startsWith(self.registration.scope)) {
          await client.navigate(target);
          return client.focus();
        }
      }
      return self.clients.openWindow(target);
    })(),
  );
});
