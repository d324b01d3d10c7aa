// "Leaving soon" and "Coming soon": titles known to leave, or announced to arrive on, the viewer's services
// within 7, 30 or 90 days, soonest first; and the leaving dates the All Titles cards show (one request for
// the next 90 days).
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

/** "Season 2 on Netflix 12 Dec · Original". */
export function arrivingText(arrival) {
  const what = arrival.season ? `Season ${arrival.season} on` : "On";
  return `${what} ${arrival.source_name} ${day(arrival.date)}${arrival.original ? " · Original" : ""}`;
}

const KINDS = {
  departing: {
    load: (days) => api.leavingSoon(days),
    note: (title) => title.leaving.map(leavingText).join(" · "),
    dated: (title) => title.leaving,
    empty: "No titles found: nothing is known to leave your services in this period.",
    problem: "Could not load what is leaving",
  },
  coming: {
    load: (days) => api.comingSoon(days),
    note: (title) => title.arriving.map(arrivingText).join(" · "),
    dated: (title) => title.arriving,
    empty: "No titles found: nothing is announced for your services in this period.",
    problem: "Could not load what is coming",
  },
};

/** The "Leaving soon" (kind "departing") or "Coming soon" ("coming") pane: loaded when first shown. */
export function calendarPane(kind, { mySources, isCurrent }) {
  const config = KINDS[kind];
  const grid = h("div", {
    class: "row row-cols-2 row-cols-sm-3 row-cols-md-4 row-cols-lg-6 g-3 title-grid",
    id: `${kind}Container`,
    attrs: { "aria-live": "polite" },
  });
  const spinner = h(
    "div",
    { class: "text-center py-4 d-none", id: `${kind}Loading`, attrs: { role: "status" } },
    h("div", { class: "spinner-border text-primary", attrs: { "aria-hidden": "true" } }),
    h("span", { class: "visually-hidden", text: "Loading titles…" }),
  );
  const problem = h("div", { class: "alert alert-danger d-none", attrs: { role: "alert" } });
  const seen = h("p", { class: "small text-body-secondary mb-2", id: `${kind}Seen` });
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
      const found = await config.load(days);
      if (!isCurrent() || mine !== request) return;
      grid.append(
        ...found.items.map((title) =>
          kind === "departing"
            ? titleCard(title, mySources, null, config.note(title))
            : titleCard(title, mySources, config.note(title)),
        ),
      );
      const times = found.items
        .flatMap((t) => config.dated(t).map((d) => d.seen_at))
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
              text: config.empty,
            }),
          ),
        );
      }
    } catch (error) {
      if (!isCurrent() || mine !== request) return;
      problem.textContent = `${config.problem}: ${error.message}`;
      problem.classList.remove("d-none");
    } finally {
      if (mine === request) spinner.classList.add("d-none");
    }
  }

  const period = h(
    "select",
    {
      class: "form-select form-select-sm",
      id: `${kind}-days`,
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
    { class: "tab-pane", id: kind, attrs: { role: "tabpanel", "aria-labelledby": `${kind}-tab` } },
    h(
      "div",
      { class: "row g-2 mb-3" },
      h(
        "div",
        { class: "col-6 col-md-3" },
        h("label", { class: "form-label small mb-1", htmlFor: `${kind}-days`, text: "Period" }),
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
