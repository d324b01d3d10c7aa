// The alerts page: what arrived on, left or is about to leave the viewer's services among the titles on their
// watchlist.
import { api } from "../api.js";
import { clear, h } from "../dom.js";
import { refreshBell } from "../bell.js";
import { day } from "./calendar.js";

const when = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});

function describe(alert) {
  const parts = [];
  if (alert.arrived.length) parts.push(`is now on ${alert.arrived.map((s) => s.name).join(", ")}`);
  if (alert.left.length) parts.push(`has left ${alert.left.map((s) => s.name).join(", ")}`);
  if (alert.leaving?.length && alert.leaving_on) {
    parts.push(`leaves ${alert.leaving.map((s) => s.name).join(", ")} on ${day(alert.leaving_on)}`);
  }
  return `${alert.title || "A title on your watchlist"} ${parts.join(" and ")}`;
}

export async function renderAlerts(container, { isCurrent }) {
  const list = h("ul", { class: "list-group", id: "alertsList", attrs: { "aria-live": "polite" } });
  const problem = h("div", { class: "alert alert-danger d-none", attrs: { role: "alert" } });
  const markAll = h("button", {
    type: "button",
    class: "btn btn-outline-primary btn-sm",
    id: "markAlertsRead",
    text: "Mark all as read",
  });

  async function load() {
    try {
      const found = await api.alerts();
      if (!isCurrent()) return;
      clear(list);
      markAll.disabled = found.unread === 0;
      if (!found.items.length) {
        list.append(
          h("li", {
            class: "list-group-item text-body-secondary empty-state",
            text: "No alerts yet. Titles on your watchlist that arrive on or leave your services (or will within a week) show up here.",
          }),
        );
      }
      for (const alert of found.items) {
        list.append(
          h(
            "li",
            {
              class: `list-group-item d-flex justify-content-between gap-3 alert-item${alert.read ? "" : " unread"}`,
              dataset: { alertId: alert.id, titleId: alert.title_id },
            },
            h(
              "span",
              {},
              alert.read ? null : h("span", { class: "badge text-bg-primary me-2", text: "New" }),
              describe(alert),
            ),
            h("span", {
              class: "small text-body-secondary text-nowrap",
              text: when.format(new Date(alert.at)),
            }),
          ),
        );
      }
    } catch (error) {
      if (!isCurrent()) return;
      problem.textContent = `Could not load your alerts: ${error.message}`;
      problem.classList.remove("d-none");
    }
  }

  markAll.addEventListener("click", async () => {
    markAll.disabled = true;
    try {
      await api.markAlertsRead();
      await load();
      refreshBell();
    } catch (error) {
      problem.textContent = `Not marked read: ${error.message}`;
      problem.classList.remove("d-none");
      markAll.disabled = false;
    }
  });
  clear(container).append(
    h(
      "div",
      { class: "d-flex justify-content-between align-items-center mb-3" },
      h("h2", { class: "h4 mb-0", text: "Alerts" }),
      markAll,
    ),
    problem,
    list,
  );
  await load();
}
