// Hash routes: #/ (→ #/main/titles), #/main/titles, #/main/preferences, #/main/watchlist, #/main/alerts,
// #/main/settings, #/main/household (?watchlist=<member id>), #/household/join?token=…,
// #/main/search?q=..., #/admin. The same files work at an origin's root and under /<bucket>/index.html,
// because nothing depends on the path. A route may carry parameters after "?" (ctx.params).

const routes = new Map();
let notFound = null;

export function route(hash, render) {
  routes.set(hash, render);
}

export function fallback(render) {
  notFound = render;
}

export function current() {
  const hash = window.location.hash.split("?")[0].replace(/\/+$/, "");
  return hash === "" || hash === "#" ? "#/" : hash;
}

/** The current route's parameters (after "?" in the hash). */
export function params() {
  const hash = window.location.hash;
  const at = hash.indexOf("?");
  return new URLSearchParams(at < 0 ? "" : hash.slice(at + 1));
}

export function go(hash) {
  if (window.location.hash === hash) render();
  else window.location.hash = hash;
}

export function redirect(hash) {
  window.location.replace(hash);
}

let renderToken = 0;

export function render() {
  renderToken += 1;
  const token = renderToken;
  const view = routes.get(current()) || notFound;
  // A view checks isCurrent() after each await, so a slow answer never paints over a newer page.
  return view?.({ isCurrent: () => token === renderToken, params: params() });
}

export function start() {
  window.addEventListener("hashchange", render);
  render();
}
