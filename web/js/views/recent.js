// The "New" and "Left" panes of the titles page: what arrived on, or left, the viewer's services lately.
import { api } from "../api.js";
import { titleCard } from "./cards.js";
import { datedPane } from "./dated-pane.js";

const DAY_CHOICES = [
  ["7", "Last 7 days"],
  ["30", "Last 30 days"],
];
const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short" });

/** "New on your services" (kind "new") or "Left your services" ("leaving"): loaded when first shown. */
export function recentPane(kind, { mySources, isCurrent }) {
  const names = new Map();
  const verb = kind === "new" ? "Arrived on" : "Left";
  const pane = datedPane({
    id: kind === "new" ? "new" : "leaving",
    choices: DAY_CHOICES,
    fetch: (days) => api.recent(kind, days),
    card: (title) => {
      const when = dateFormat.format(new Date(title.arrived_at || title.left_at));
      const where = (title.sources_changed || []).map(
        (sid) => title.source_names[title.source_ids.indexOf(sid)] || names.get(sid) || sid,
      );
      return titleCard(title, mySources, `${verb} ${where.join(", ")} · ${when}`);
    },
    empty:
      kind === "new"
        ? "No titles found: nothing new on your services in this period."
        : "No titles found: nothing left your services in this period.",
    problem: "Could not load these titles",
    isCurrent,
  });
  return {
    ...pane,
    setNames: (map) => {
      for (const [key, value] of map) names.set(key, value.name);
    },
  };
}
