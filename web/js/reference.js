// Sources and genres, fetched once per page load (public routes), to show names instead of ids.
import { api } from "./api.js";

let loaded = null;

export function reference() {
  if (!loaded) {
    loaded = Promise.all([api.sources(), api.genres()]).then(([sources, genres]) => ({
      sources: new Map(sources.map((s) => [String(s.id), s])),
      genres: new Map(genres.map((g) => [String(g.id), g])),
    }));
    loaded.catch(() => {
      loaded = null; // try again next time
    });
  }
  return loaded;
}
