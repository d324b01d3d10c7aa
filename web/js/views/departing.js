// "Leaving soon": titles known to leave the viewer's services within 7, 30 or 90 days, soonest first, and
// the dates the All Titles cards show (one request for the next 90 days).
import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { titleCard } from "./cards.js";

const DAY_CHOICES = [
  ["30", "Next 30 days"],
  ["7", "Next 7 days"],
  ["90", "Next 90 days"],
];
const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/** "12 Dec" from an ISO date (a calendar day: read as UTC, so no time zone moves it). */
export function day(iso) {
  return dateFormat.format(new Date(`${iso}T00:00:00Z`));
}

/** "Leaves Netflix 12 Dec" (a season: "Season 2 leaves …"; a date that moved says from when). */
export function leavingText(departure) {
  const what = departure.season ? `Season ${departure.season} leaves` : "Leaves";
  const moved = departure.previous_date ? ` (was ${day(departure.previous_date)})` : "";
  return `${what} ${departure.source_name} ${day(departure.date)}${moved}`;
}

/** Title id → the first of its departures from the viewer's services in the next 90 days (for cards). */
export async function departuresByTitle() {
  const found = await api.leavingSoon(90, 200);
  return new Map(found.items.map((title) => [title.id, title.leaving[0]]));
}

export function departingPane({ mySources, isCurrent }) {
  const grid = h("div", {
    class: "row row-cols-2 row-cols-sm-3 row-cols-md-4 row-cols-lg-6 g-3 title-grid",
    id: "departingContainer",
    attrs: { "aria-live": "polite" },
  });
  const spinner = h(
    "div",
    { class: "text-center py-4 d-none", id: "departingLoading", attrs: { role: "status" } },
    h("div", { class: "spinner-border text-primary", attrs: { "aria-hidden": "true" } }),
    h("span", { class: "visually-hidden", text: "Loading titles…" }),
  );
  const problem = h("div", { class: "alert alert-danger d-none", attrs: { role: "alert" } });
  const seen = h("p", { class: "small text-body-secondary mb-2", id: "departingSeen" });
  let days = "30";
  let request = 0;

  async function load() {
    request += 1;
    const mine = request;
    clear(grid);
    seen.textContent = "";
    spinner.classList.remove("d-none");
    problem.classList.add("d-none");
    try {
      const found = await api.leavingSoon(days);
      if (!isCurrent() || mine !== request) return;
      grid.append(
        ...found.items.map((title) => titleCard(title, mySources, null, title.leaving.map(leavingText).join(" · "))),
      );
      const times = found.items
        .flatMap((t) => t.leaving.map((d) => d.seen_at))
        .filter(Boolean)
        .sort();
      if (times.length) {
        const when = new Date(times.at(-1)).toLocaleString("en-GB");
        seen.textContent = `Dates as Watchmode last gave them (${when}); they can move.`;
      }
      if (!found.items.length) {
        grid.append(
          h(
            "div",
            { class: "col-12 empty-state" },
            h("p", {
              class: "text-body-secondary",
              text: "No titles found: nothing is known to leave your services in this period.",
            }),
          ),
        );
      }
    } catch (error) {
      if (!isCurrent() || mine !== request) return;
      problem.textContent = `Could not load what is leaving: ${error.message}`;
      problem.classList.remove("d-none");
    } finally {
      if (mine === request) spinner.classList.add("d-none");
    }
  }

  const period = h(
    "select",
    {
      class: "form-select form-select-sm",
      id: "departing-days",
      on: {
        change: (e) => {
          days = e.target.value;
          load();
        },
      },
    },
    DAY_CHOICES.map(([value, text]) => h("option", { value, text })),
  );
  const node = h(
    "div",
    { class: "tab-pane", id: "departing", attrs: { role: "tabpanel", "aria-labelledby": "departing-tab" } },
    h(
      "div",
      { class: "row g-2 mb-3" },
      h(
        "div",
        { class: "col-6 col-md-3" },
        h("label", { class: "form-label small mb-1", htmlFor: "departing-days", text: "Period" }),
        period,
      ),
    ),
    seen,
    problem,
    grid,
    spinner,
  );
  node.hidden = true;
  let loaded = false;
  return {
    node,
    load: () => {
      if (loaded) return Promise.resolve();
      loaded = true;
      return load();
    },
  };
}
