// "Leaving soon" and "Coming soon": titles known to leave, or announced to arrive on, the viewer's services
// within 7, 30 or 90 days, soonest first; and the leaving dates the All Titles cards show (one request for
// the next 90 days).
import { api } from "../api.js";
import { titleCard } from "./cards.js";
import { datedPane } from "./dated-pane.js";

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
  return datedPane({
    id: kind,
    choices: DAY_CHOICES,
    fetch: config.load,
    card: (title) =>
      kind === "departing"
        ? titleCard(title, mySources, null, config.note(title))
        : titleCard(title, mySources, config.note(title)),
    empty: config.empty,
    problem: config.problem,
    note: (items) => {
      const times = items
        .flatMap((t) => config.dated(t).map((d) => d.seen_at))
        .filter(Boolean)
        .sort();
      if (!times.length) return "";
      return `Dates as Watchmode last gave them (${new Date(times.at(-1)).toLocaleString("en-GB")}); they can move.`;
    },
    isCurrent,
  });
}
