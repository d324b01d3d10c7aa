// The viewer's watchlist as the site knows it: the ids on it (read once per sign-in), toggled through the
// API, with every bookmark button on the page kept in step.
import { api } from "./api.js";

let ids = null;
let loading = null;
const listeners = new Set();

/** The watchlisted title ids (a Set), loaded on first use. */
export function watched() {
  if (ids) return Promise.resolve(ids);
  if (!loading) {
    loading = api
      .watchlist(false)
      .then((list) => {
        ids = new Set(list.items.map((item) => String(item.id)));
        return ids;
      })
      .finally(() => {
        loading = null;
      });
  }
  return loading;
}

export function forgetWatchlist() {
  ids = null;
}

export function onWatchlistChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Add or remove a title; resolves to whether it is now on the watchlist. */
export async function toggleWatch(titleId) {
  const set = await watched();
  const id = String(titleId);
  const on = !set.has(id);
  await (on ? api.watch(id) : api.unwatch(id));
  if (on) set.add(id);
  else set.delete(id);
  for (const listener of listeners) listener(id, on);
  return on;
}
