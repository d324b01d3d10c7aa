// The "New" and "Left" panes of the titles page: what arrived on, or left, the viewer's services lately.
import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { titleCard } from "./cards.js";

const DAY_CHOICES = [
  ["7", "Last 7 days"],
  ["30", "Last 30 days"],
];
const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short" });

/** "New on your services" (kind "new") or "Left your services" ("leaving"): loaded when first shown. */
export function recentPane(kind, { mySources, isCurrent }) {
  const id = kind === "new" ? "new" : "leaving";
  const grid = h("div", {
    class: "row row-cols-2 row-cols-sm-3 row-cols-md-4 row-cols-lg-6 g-3 title-grid",
    id: `${id}Container`,
    attrs: { "aria-live": "polite" },
  });
  const spinner = h(
    "div",
    { class: "text-center py-4 d-none", id: `${id}Loading`, attrs: { role: "status" } },
    h("div", { class: "spinner-border text-primary", attrs: { "aria-hidden": "true" } }),
    h("span", { class: "visually-hidden", text: "Loading titles…" }),
  );
  const problem = h("div", { class: "alert alert-danger d-none", attrs: { role: "alert" } });
  let days = "7";
  let request = 0;

  async function load() {
    request += 1;
    const mine = request;
    clear(grid);
    spinner.classList.remove("d-none");
    problem.classList.add("d-none");
    try {
      const found = await api.recent(kind, days);
      if (!isCurrent() || mine !== request) return;
      const verb = kind === "new" ? "Arrived on" : "Left";
      grid.append(
        ...found.items.map((title) => {
          const when = dateFormat.format(new Date(title.arrived_at || title.left_at));
          const where = (title.sources_changed || []).map(
            (sid) => title.source_names[title.source_ids.indexOf(sid)] || names.get(sid) || sid,
          );
          return titleCard(title, mySources, `${verb} ${where.join(", ")} · ${when}`);
        }),
      );
      if (!found.items.length) {
        grid.append(
          h(
            "div",
            { class: "col-12 empty-state" },
            h("p", {
              class: "text-body-secondary",
              text:
                kind === "new"
                  ? "No titles found: nothing new on your services in this period."
                  : "No titles found: nothing left your services in this period.",
            }),
          ),
        );
      }
    } catch (error) {
      if (!isCurrent() || mine !== request) return;
      problem.textContent = `Could not load these titles: ${error.message}`;
      problem.classList.remove("d-none");
    } finally {
      if (mine === request) spinner.classList.add("d-none");
    }
  }

  const names = new Map();
  const period = h(
    "select",
    {
      class: "form-select form-select-sm",
      id: `${id}-days`,
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
    { class: "tab-pane", id, attrs: { role: "tabpanel", "aria-labelledby": `${id}-tab` } },
    h(
      "div",
      { class: "row g-2 mb-3" },
      h(
        "div",
        { class: "col-6 col-md-3" },
        h("label", { class: "form-label small mb-1", htmlFor: `${id}-days`, text: "Period" }),
        period,
      ),
    ),
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
    setNames: (map) => {
      for (const [key, value] of map) names.set(key, value.name);
    },
  };
}
