// What the household pages share: a titled card section and a status line.
import { h } from "../dom.js";

export function section(id, title, ...body) {
  return h(
    "section",
    { class: "card mb-3", id, attrs: { "aria-labelledby": `${id}Heading` } },
    h("div", { class: "card-body" }, h("h3", { class: "h6 card-title", id: `${id}Heading`, text: title }), ...body),
  );
}

export function status(id) {
  return h("p", { class: "small text-body-secondary mb-0 mt-2", id, attrs: { "aria-live": "polite" } });
}
