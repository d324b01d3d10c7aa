// Title cards (grids on every page).
import { h } from "../dom.js";
import { bookmark } from "./bookmark.js";
import { openTitle, posterImage } from "./modal.js";

/** A title card: poster, name (a button opening the modal), year and type, rating, bookmark, and an
 * optional `note` line (e.g. where to watch it, or when it arrived). */
export function titleCard(title, mySources, note = null, leaving = null) {
  const rated = typeof title.user_rating === "number";
  const open = () => openTitle(title, mySources);
  const name = title.title || "Untitled";
  const img = posterImage(
    h("img", { class: "card-img-top poster", loading: "lazy", width: 342, height: 513 }),
    title.poster,
    `Poster of ${name}`,
  );
  const toggle = bookmark(h("button", { type: "button", class: "btn btn-sm bookmark-toggle" }), title.id, name, {
    compact: true,
  });
  return h(
    "div",
    { class: "col" },
    h(
      "article",
      { class: "card h-100 title-card", dataset: { titleId: title.id }, on: { click: open } },
      img,
      toggle,
      h(
        "div",
        { class: "card-body p-2" },
        h(
          "h3",
          { class: "card-title h6 mb-1" },
          h("button", {
            type: "button",
            class: "title-open",
            text: name,
            attrs: { "aria-haspopup": "dialog" },
            on: {
              click: (e) => {
                e.stopPropagation();
                open();
              },
            },
          }),
        ),
        h("p", {
          class: "card-text small text-body-secondary mb-0",
          text: [title.year, (title.type || "").replace(/_/g, " ")].filter(Boolean).join(" · "),
        }),
        title.watch ? h("p", { class: "card-text small mb-0 card-watch fw-semibold", text: title.watch }) : null,
        note ? h("p", { class: "card-text small mb-0 card-note", text: note }) : null,
        leaving ? h("p", { class: "card-text small mb-0 card-leaving", text: leaving }) : null,
        rated ? h("span", { class: "badge text-bg-warning rating-badge", text: `${title.user_rating}/10` }) : null,
      ),
    ),
  );
}

/** "On Netflix" / "Not on your services (Prime Video, …)" from a title with where-to-watch fields. */
export function whereToWatch(item) {
  if (item.on_your_sources?.length) return `On ${item.on_your_sources.map((s) => s.name).join(", ")}`;
  if (item.elsewhere?.length) return `Not on your services (on ${item.elsewhere.map((s) => s.name).join(", ")})`;
  return "Not streaming anywhere we know";
}
