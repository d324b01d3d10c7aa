// The watchlist page: the titles the viewer bookmarked, where each is streamable, a "streamable now"
// filter, a link to the alert settings, and import / export (watchlist-import.js).
import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { onWatchlistChange } from "../watchlist.js";
import { titleCard, whereToWatch } from "./cards.js";
import { importSection } from "./watchlist-import.js";

function spinner() {
  return h(
    "div",
    { class: "text-center py-4", id: "watchlistLoading", attrs: { role: "status" } },
    h("div", { class: "spinner-border text-primary", attrs: { "aria-hidden": "true" } }),
    h("span", { class: "visually-hidden", text: "Loading your watchlist…" }),
  );
}

export async function renderWatchlist(container, { isCurrent }) {
  const grid = h("div", {
    class: "row row-cols-2 row-cols-sm-3 row-cols-md-4 row-cols-lg-6 g-3 title-grid",
    id: "watchlistContainer",
    attrs: { "aria-live": "polite" },
  });
  const count = h("p", { class: "small text-body-secondary mb-2", id: "watchlistCount" });
  const problem = h("div", { class: "alert alert-danger d-none", attrs: { role: "alert" } });
  const loading = spinner();
  const streamable = h("input", { class: "form-check-input", type: "checkbox", id: "watchlistStreamable" });
  const filter = h(
    "div",
    { class: "form-check form-switch mb-2" },
    streamable,
    h("label", {
      class: "form-check-label",
      htmlFor: "watchlistStreamable",
      text: "Streamable now on my services",
    }),
  );
  let mySources = new Set();

  async function load() {
    clear(grid);
    loading.classList.remove("d-none");
    problem.classList.add("d-none");
    try {
      const [list, prefs] = await Promise.all([api.watchlist(streamable.checked), api.preferences()]);
      if (!isCurrent()) return;
      mySources = new Set(prefs.sources);
      grid.append(...list.items.map((item) => titleCard(item, mySources, whereToWatch(item))));
      count.textContent = `${list.count} of at most ${list.limit} titles`;
      if (!list.items.length) {
        grid.append(
          h(
            "div",
            { class: "col-12 empty-state" },
            h("p", {
              class: "text-body-secondary",
              text: streamable.checked
                ? "No titles found that are streamable now on your services."
                : "No titles found. Use ☆ Watchlist on any title to keep it here.",
            }),
          ),
        );
      }
    } catch (error) {
      if (!isCurrent()) return;
      problem.textContent = `Could not load your watchlist: ${error.message}`;
      problem.classList.remove("d-none");
    } finally {
      if (isCurrent()) loading.classList.add("d-none");
    }
  }

  streamable.addEventListener("change", load);
  const stop = onWatchlistChange((id, on) => {
    if (!grid.isConnected) return stop();
    if (!on)
      grid
        .querySelector(`.title-card[data-title-id="${CSS.escape(id)}"]`)
        ?.closest(".col")
        ?.remove();
  });
  clear(container).append(
    h(
      "div",
      { class: "d-flex flex-wrap justify-content-between align-items-center gap-2 mb-3" },
      h("h2", { class: "h4 mb-0", text: "Your watchlist" }),
      h("a", {
        class: "small",
        href: "#/main/settings",
        id: "watchlistAlertSettings",
        text: "Alerts: email, notifications, calendar",
      }),
    ),
    importSection(() => load()),
    filter,
    count,
    problem,
    grid,
    loading,
  );
  await load();
}
