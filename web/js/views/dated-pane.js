// A titles-page pane of dated titles ("New on your services", "Left your services", "Coming soon", "Leaving
// soon"): a period select, a note line, a grid of cards, a spinner and a problem line; loaded when first shown.
import { clear, h } from "../dom.js";

/**
 * @param {object} options
 * @param {string} options.id the pane's id (its grid is `${id}Container`, spinner `${id}Loading`, select
 *   `${id}-days`, note `${id}Seen`)
 * @param {Array<[string, string]>} options.choices the periods, [days, label]; the first is the default
 * @param {(days: string) => Promise<{items: object[]}>} options.fetch
 * @param {(item: object) => Node} options.card
 * @param {string} options.empty what an empty period says
 * @param {string} options.problem what a failure says before its message
 * @param {(items: object[]) => string} [options.note] a line above the grid
 * @param {() => boolean} options.isCurrent
 */
export function datedPane({ id, choices, fetch, card, empty, problem: failed, note, isCurrent }) {
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
  const line = h("p", { class: "small text-body-secondary mb-2", id: `${id}Seen` });
  let days = choices[0][0];
  let request = 0;

  async function load() {
    request += 1;
    const mine = request;
    clear(grid);
    line.textContent = "";
    line.hidden = true;
    spinner.classList.remove("d-none");
    problem.classList.add("d-none");
    try {
      const found = await fetch(days);
      if (!isCurrent() || mine !== request) return;
      grid.append(...found.items.map(card));
      if (note) line.textContent = note(found.items);
      line.hidden = !line.textContent;
      if (!found.items.length) {
        grid.append(h("div", { class: "col-12 empty-state" }, h("p", { class: "text-body-secondary", text: empty })));
      }
    } catch (error) {
      if (!isCurrent() || mine !== request) return;
      problem.textContent = `${failed}: ${error.message}`;
      problem.classList.remove("d-none");
    } finally {
      if (mine === request) spinner.classList.add("d-none");
    }
  }

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
    choices.map(([value, text]) => h("option", { value, text })),
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
    line,
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
