// Search results: every title the guide knows whose name matches, with where to watch it.
import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { titleCard, whereToWatch } from "./cards.js";

export async function renderSearch(container, { isCurrent, params }) {
  const q = (params.get("q") || "").trim();
  const input = document.getElementById("searchInput");
  if (input && input.value !== q) input.value = q;
  const grid = h("div", {
    class: "row row-cols-2 row-cols-sm-3 row-cols-md-4 row-cols-lg-6 g-3 title-grid",
    id: "searchResults",
    attrs: { "aria-live": "polite" },
  });
  const heading = h("h2", {
    class: "h4 mb-3",
    id: "searchHeading",
    text: q ? `Results for “${q}”` : "Search",
  });
  const spinner = h(
    "div",
    { class: "text-center py-4", id: "searchLoading", attrs: { role: "status" } },
    h("div", { class: "spinner-border text-primary", attrs: { "aria-hidden": "true" } }),
    h("span", { class: "visually-hidden", text: "Searching…" }),
  );
  clear(container).append(heading, grid, spinner);
  if (!q) {
    spinner.remove();
    grid.append(
      h("p", {
        class: "col-12 text-body-secondary",
        text: "Type a title's name (or the start of its words) in the search box.",
      }),
    );
    return;
  }
  try {
    const [found, prefs] = await Promise.all([api.search(q), api.preferences()]);
    if (!isCurrent()) return;
    const mine = new Set(prefs.sources);
    grid.append(...found.items.map((item) => titleCard(item, mine, whereToWatch(item))));
    if (!found.items.length)
      grid.append(h("p", { class: "col-12 text-body-secondary empty-state", text: `No titles found for “${q}”.` }));
  } catch (error) {
    if (!isCurrent()) return;
    grid.append(
      h("div", {
        class: "col-12 alert alert-danger",
        attrs: { role: "alert" },
        text: `Search failed: ${error.message}`,
      }),
    );
  } finally {
    spinner.remove();
  }
}
