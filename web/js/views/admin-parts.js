// What the admin screen's panels share: a card, a table, a failure message, the credits line.
import { clear, h } from "../dom.js";

/** This month's Watchmode credits against the product's budget. */
export function creditsText(credits) {
  const of = credits.budget
    ? ` of a ${credits.budget.toLocaleString()}-credit budget (${credits.remaining.toLocaleString()} left)`
    : " (no monthly budget set)";
  return `Watchmode credits in ${credits.month}: ${credits.spent.toLocaleString()} spent${of}.`;
}

export function card(title, ...body) {
  return h(
    "section",
    { class: "card mb-4" },
    h("div", { class: "card-header" }, h("h2", { class: "h5 mb-0 card-title", text: title })),
    h("div", { class: "card-body" }, ...body),
  );
}

export function failure(node, what, error) {
  clear(node).append(
    h("div", {
      class: "alert alert-danger mb-0",
      attrs: { role: "alert" },
      text: `Could not load ${what}: ${error.message}`,
    }),
  );
}

export function table(headers, rows, label) {
  return h(
    "div",
    { class: "table-responsive", tabIndex: 0, attrs: { role: "region", "aria-label": label } },
    h(
      "table",
      { class: "table table-sm align-middle mb-0" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          headers.map((text) => h("th", { scope: "col", text })),
        ),
      ),
      h("tbody", {}, rows),
    ),
  );
}
