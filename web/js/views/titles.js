// The titles page: "All Titles" and "Recommendations" tabs (filters, a grid of cards, more on demand), and
// "New on your services" and "Left your services" (the last 7 or 30 days).
import { api } from "../api.js";
import { alertBox, clear, h } from "../dom.js";
import { reference } from "../reference.js";
import { titleCard } from "./cards.js";
import { calendarPane, departuresByTitle, leavingText } from "./calendar.js";
import { recentPane } from "./recent.js";

const PAGE_SIZE = 24;
const TYPES = [
  ["", "Any type"],
  ["movie", "Movies"],
  ["tv_series", "TV series"],
  ["tv_miniseries", "Miniseries"],
  ["tv_special", "TV specials"],
  ["short_film", "Short films"],
];
// How the viewer can watch what is listed, by the kind of each of their services (the API's `how`).
const HOWS = [
  ["included_or_free", "Included or free"],
  ["included", "Included with my services"],
  ["free", "Free"],
  ["rent_or_buy", "To rent or buy"],
  ["any", "Everything, rent or buy too"],
];
const SORTS = [
  ["title", "Title (A–Z)"],
  ["rating", "Rating (best first)"],
  ["year", "Year (newest first)"],
];

function select(id, label, options, onChange, selected = "") {
  const control = h(
    "select",
    { class: "form-select form-select-sm", id, on: { change: onChange } },
    options.map(([value, text]) => h("option", { value, text })),
  );
  if (selected) control.value = selected; // otherwise the first option, as a browser picks
  return h(
    "div",
    { class: "col-6 col-md" },
    h("label", { class: "form-label small mb-1", htmlFor: id, text: label }),
    control,
  );
}

/** One tab's pane: its filters, grid, spinner, count and "Load more". */
function pane(kind, { sources, genres, mySources, hasPreferences, defaultHow, departures, isCurrent }) {
  const ids =
    kind === "titles"
      ? { pane: "titles", grid: "titlesContainer", spinner: "titlesLoading" }
      : { pane: "recommendations", grid: "recommendationsContainer", spinner: "recommendationsLoading" };
  const state = {
    cursor: null,
    request: 0,
    query: { limit: PAGE_SIZE, sort: kind === "titles" ? "title" : undefined, how: defaultHow },
  };
  const grid = h("div", {
    class: "row row-cols-2 row-cols-sm-3 row-cols-md-4 row-cols-lg-6 g-3 title-grid",
    id: ids.grid,
    attrs: { "aria-live": "polite" },
  });
  const spinner = h(
    "div",
    { class: "text-center py-4", id: ids.spinner, attrs: { role: "status" } },
    h("div", { class: "spinner-border text-primary", attrs: { "aria-hidden": "true" } }),
    h("span", { class: "visually-hidden", text: "Loading titles…" }),
  );
  const count = h("p", { class: "small text-body-secondary mb-2 title-count" });
  const problem = h("div", { class: "alert alert-danger d-none", attrs: { role: "alert" } });
  const more = h("button", {
    class: "btn btn-outline-primary d-none",
    type: "button",
    text: "Load more",
    on: { click: () => load(false) },
  });

  async function load(reset) {
    state.request += 1;
    const request = state.request;
    const stale = () => !isCurrent() || request !== state.request; // a newer filter or page has started
    if (reset) {
      state.cursor = null;
      clear(grid);
    }
    spinner.classList.remove("d-none");
    more.classList.add("d-none");
    problem.classList.add("d-none");
    try {
      const page = await api.titles(kind, { ...state.query, cursor: reset ? null : state.cursor });
      if (stale()) return;
      state.cursor = page.nextCursor;
      const leaving = (title) => (departures.has(title.id) ? leavingText(departures.get(title.id)) : null);
      grid.append(...page.items.map((title) => titleCard(title, mySources, null, leaving(title))));
      const shown = grid.children.length;
      if (shown === 0) {
        grid.append(
          h(
            "div",
            { class: "col-12 empty-state" },
            h("p", {
              class: "text-body-secondary",
              text: hasPreferences
                ? "No titles found for these filters."
                : "No titles found. Choose your services and genres on the Preferences page.",
            }),
            hasPreferences
              ? null
              : h("a", {
                  class: "btn btn-primary btn-sm",
                  href: "#/main/preferences",
                  text: "Choose preferences",
                }),
          ),
        );
        count.textContent = "";
      } else {
        // The API counts the matches only when the last page is reached (it does not read them all).
        count.textContent =
          page.total === null
            ? `Showing ${shown} titles, more below`
            : `Showing all ${page.total} ${page.total === 1 ? "title" : "titles"}`;
      }
      more.classList.toggle("d-none", !state.cursor);
    } catch (error) {
      if (stale()) return;
      problem.textContent = `Could not load ${kind}: ${error.message}`;
      problem.append(
        " ",
        h("button", {
          class: "btn btn-sm btn-outline-danger ms-2",
          type: "button",
          text: "Try again",
          on: { click: () => load(reset) },
        }),
      );
      problem.classList.remove("d-none");
    } finally {
      if (!stale()) spinner.classList.add("d-none");
    }
  }

  const filter = (key) => (event) => {
    state.query[key] = event.target.value || undefined;
    load(true);
  };
  const filters = h(
    "form",
    {
      class: "row g-2 mb-3 filters",
      attrs: { "aria-label": `Filter ${kind}` },
      on: { submit: (e) => e.preventDefault() },
    },
    select(`${kind}-source`, "Service", [["", "All my services"], ...sources], filter("source")),
    select(`${kind}-genre`, "Genre", [["", "All my genres"], ...genres], filter("genre")),
    select(`${kind}-type`, "Type", TYPES, filter("type")),
    select(`${kind}-how`, "How to watch", HOWS, filter("how"), defaultHow),
    kind === "titles" ? select(`${kind}-sort`, "Sort by", SORTS, filter("sort")) : null,
  );

  const node = h(
    "div",
    {
      class: `tab-pane${kind === "titles" ? " active" : ""}`,
      id: ids.pane,
      attrs: { role: "tabpanel", "aria-labelledby": `${ids.pane}-tab` },
    },
    filters,
    count,
    problem,
    grid,
    spinner,
    h("div", { class: "text-center my-3" }, more),
  );
  if (kind !== "titles") node.hidden = true;
  return { node, load };
}

export async function renderTitles(container, { isCurrent }) {
  const spinner = h(
    "div",
    { class: "text-center py-5", attrs: { role: "status" } },
    h("div", { class: "spinner-border", attrs: { "aria-hidden": "true" } }),
    h("span", { class: "visually-hidden", text: "Loading…" }),
  );
  container.append(spinner);
  let ref, prefs, departures;
  try {
    // What is leaving is a date on the cards: without it (an error) the guide still shows.
    [ref, prefs, departures] = await Promise.all([
      reference(),
      api.preferences(),
      departuresByTitle().catch(() => new Map()),
    ]);
  } catch (error) {
    if (!isCurrent()) return;
    clear(container).append(alertBox(`Could not load your guide: ${error.message}`));
    return;
  }
  if (!isCurrent()) return;
  const mySources = new Set(prefs.sources);
  const name = (map) => (id) => [id, (map.get(id) || { name: id }).name];
  const known = prefs.sources.filter((id) => ref.sources.has(id));
  const context = {
    sources: known.map(name(ref.sources)),
    // Included or free, unless every service chosen is a shop (then its titles are to rent or buy).
    defaultHow:
      known.length === 0 || known.some((id) => ref.sources.get(id).type !== "purchase") ? "included_or_free" : "any",
    genres: prefs.genres.map(name(ref.genres)),
    mySources,
    departures,
    hasPreferences: prefs.sources.length > 0,
    isCurrent,
  };
  const panes = {
    titles: pane("titles", context),
    recommendations: pane("recommendations", context),
    new: recentPane("new", context),
    leaving: recentPane("leaving", context),
    departing: calendarPane("departing", context),
    coming: calendarPane("coming", context),
  };
  panes.new.setNames(ref.sources);
  panes.leaving.setNames(ref.sources);
  const tab = (key, label) =>
    h(
      "li",
      { class: "nav-item", attrs: { role: "presentation" } },
      h("button", {
        class: `nav-link${key === "titles" ? " active" : ""}`,
        id: `${key}-tab`,
        type: "button",
        text: label,
        attrs: { role: "tab", "aria-controls": key, "aria-selected": String(key === "titles") },
        on: { click: () => show(key) },
      }),
    );
  const tabs = h(
    "ul",
    { class: "nav nav-tabs mb-3", attrs: { role: "tablist" } },
    tab("titles", "All Titles"),
    tab("recommendations", "Recommendations"),
    tab("new", "New on your services"),
    tab("coming", "Coming soon"),
    tab("departing", "Leaving soon"),
    tab("leaving", "Left your services"),
  );

  function show(key) {
    for (const [other, { node }] of Object.entries(panes)) {
      const active = other === key;
      node.hidden = !active;
      node.classList.toggle("active", active);
      const button = document.getElementById(`${other}-tab`);
      button.classList.toggle("active", active);
      button.setAttribute("aria-selected", String(active));
    }
    if (key !== "titles" && key !== "recommendations") panes[key].load();
  }

  const notice = h("div", {
    class: "alert alert-info d-none d-flex align-items-center gap-2",
    id: "fetchingNotice",
    attrs: { role: "status" },
  });
  clear(container).append(
    notice,
    tabs,
    h(
      "div",
      { class: "tab-content" },
      panes.titles.node,
      panes.recommendations.node,
      panes.new.node,
      panes.coming.node,
      panes.departing.node,
      panes.leaving.node,
    ),
  );
  await Promise.all([panes.titles.load(true), panes.recommendations.load(true)]);
  if (context.hasPreferences) watchFetching(notice, panes, context, isCurrent);
}

const POLL_MS = 2000;
const POLL_LIMIT = 90; // three minutes: past that, the hourly schedule takes over and the notice says so

/** While sources just chosen are being fetched, say so and refresh the titles as they arrive. */
async function watchFetching(notice, panes, context, isCurrent) {
  const names = (ids) => ids.map((id) => (context.sources.find(([sid]) => sid === id) || [id, id])[1]).join(", ");
  for (let poll = 0; poll < POLL_LIMIT; poll += 1) {
    let status;
    try {
      status = await api.titlesStatus();
    } catch {
      return; // the titles themselves are shown; the notice is only a courtesy
    }
    if (!isCurrent()) return;
    if (status.fetching.length === 0) {
      // Right after a fetch the titles are still being stored (the fetch is recorded first): load them
      // again until their number settles, unless a full page was there from the start.
      const settled = poll === 0 && document.querySelectorAll("#titlesContainer .title-card").length >= PAGE_SIZE;
      if (!settled) {
        const shown = () => document.querySelectorAll("#titlesContainer .title-card").length;
        let before = -1;
        for (let round = 0; round < 8; round += 1) {
          await panes.titles.load(true);
          if (!isCurrent()) return;
          if (shown() > 0 && shown() === before) break;
          before = shown();
          await new Promise((resolve) => setTimeout(resolve, 1500));
        }
        await panes.recommendations.load(true);
      }
      if (!isCurrent()) return;
      notice.classList.toggle("d-none", status.failing.length === 0);
      notice.className = notice.className.replace("alert-info", "alert-warning");
      clear(notice).append(
        `Titles from ${names(status.failing)} could not be fetched yet; they are retried every hour.`,
      );
      return;
    }
    clear(notice).append(
      h("div", { class: "spinner-border spinner-border-sm", attrs: { "aria-hidden": "true" } }),
      `Fetching your titles from ${names(status.fetching)}…`,
    );
    notice.classList.remove("d-none");
    if (poll > 0 && poll % 2 === 0) await panes.titles.load(true); // titles appear as they are stored
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (!isCurrent()) return;
  }
  clear(notice).append("Still fetching your titles: they will appear here shortly.");
}
