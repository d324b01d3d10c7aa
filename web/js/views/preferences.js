// The preferences page: sources grouped by kind with their logos, and genres; selected and available lists
// (the contract's ids); save with a visible confirmation. Unsaved choices survive a stray click away: they
// are kept as a draft for this tab and offered back on return.
import { api } from "../api.js";
import { alertBox, clear, h } from "../dom.js";
import { reference } from "../reference.js";

const DRAFT = "preferences_draft";
const KINDS = [
  ["sub", "Subscription"],
  ["free", "Free"],
  ["purchase", "Rent or buy"],
  ["tve", "TV Everywhere"],
];

function option(kind, item, checked, onChange) {
  const id = `${kind}-${item.id}`;
  const logo =
    kind === "source" && item.logo_100px
      ? h("img", {
          class: "source-logo me-2",
          src: item.logo_100px,
          alt: "",
          width: 24,
          height: 24,
          loading: "lazy",
        })
      : null;
  if (logo) logo.addEventListener("error", () => logo.remove());
  return h(
    "div",
    { class: "form-check option" },
    h("input", {
      class: "form-check-input",
      type: "checkbox",
      id,
      name: kind,
      value: item.id,
      checked,
      on: { change: onChange },
    }),
    h("label", { class: "form-check-label d-inline-flex align-items-center", htmlFor: id }, logo, item.name),
  );
}

export async function renderPreferences(container, { isCurrent }) {
  container.append(
    h(
      "div",
      { class: "text-center py-5", attrs: { role: "status" } },
      h("div", { class: "spinner-border", attrs: { "aria-hidden": "true" } }),
      h("span", { class: "visually-hidden", text: "Loading…" }),
    ),
  );
  let ref, saved;
  try {
    [ref, saved] = await Promise.all([reference(), api.preferences()]);
  } catch (error) {
    if (!isCurrent()) return;
    clear(container).append(alertBox(`Could not load your preferences: ${error.message}`));
    return;
  }
  if (!isCurrent()) return;

  const savedSets = { source: new Set(saved.sources), genre: new Set(saved.genres) };
  // A household member's services are the household's: changing them changes them for everyone in it, and
  // only a member with the right may.
  const household = saved.household || null;
  const locked = Boolean(household && !household.can_change_services);
  let draft = null;
  try {
    draft = JSON.parse(sessionStorage.getItem(DRAFT) || "null");
  } catch {
    draft = null;
  }
  const chosen = {
    source: new Set(draft ? draft.sources : saved.sources),
    genre: new Set(draft ? draft.genres : saved.genres),
  };
  const same = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));
  const dirty = () => !same(chosen.source, savedSets.source) || !same(chosen.genre, savedSets.genre);

  const lists = {
    source: {
      selected: h("div", { id: "selectedSourcesList", class: "option-list" }),
      available: h("div", { id: "availableSourcesList", class: "option-list" }),
    },
    genre: {
      selected: h("div", { id: "selectedGenresList", class: "option-list" }),
      available: h("div", { id: "availableGenresList", class: "option-list" }),
    },
  };
  const status = h("div", { class: "mt-3", attrs: { role: "status", "aria-live": "polite" } });
  const saveButton = h("button", {
    class: "btn btn-primary",
    type: "button",
    id: "updatePreferencesBtn",
    text: "Save preferences",
    on: { click: save },
  });
  const discardButton = h("button", {
    class: "btn btn-outline-secondary ms-2 d-none",
    type: "button",
    text: "Discard changes",
    on: { click: discard },
  });

  function onChange(event) {
    const { name, value, checked } = event.target;
    if (checked) chosen[name].add(value);
    else chosen[name].delete(value);
    keepDraft();
    draw();
    const moved = document.getElementById(`${name}-${value}`);
    if (moved) moved.focus();
  }

  function keepDraft() {
    if (dirty())
      sessionStorage.setItem(DRAFT, JSON.stringify({ sources: [...chosen.source], genres: [...chosen.genre] }));
    else sessionStorage.removeItem(DRAFT);
  }

  function draw() {
    const sources = [...ref.sources.values()];
    const genres = [...ref.genres.values()];
    for (const [kind, items, empty] of [
      ["source", sources, "No sources selected"],
      ["genre", genres, "No genres selected"],
    ]) {
      const { selected, available } = lists[kind];
      clear(selected);
      clear(available);
      const picked = items.filter((item) => chosen[kind].has(String(item.id)));
      if (picked.length === 0) selected.append(h("p", { class: "text-body-secondary small mb-0", text: empty }));
      selected.append(...picked.map((item) => option(kind, item, true, onChange)));
      const rest = items.filter((item) => !chosen[kind].has(String(item.id)));
      if (kind === "source") {
        for (const [type, label] of KINDS) {
          const group = rest.filter((item) => item.type === type);
          if (group.length)
            available.append(
              h("h3", { class: "h6 mt-2", text: label }),
              ...group.map((item) => option(kind, item, false, onChange)),
            );
        }
        const other = rest.filter((item) => !KINDS.some(([type]) => type === item.type));
        if (other.length)
          available.append(
            h("h3", { class: "h6 mt-2", text: "Other" }),
            ...other.map((item) => option(kind, item, false, onChange)),
          );
      } else {
        available.append(...rest.map((item) => option(kind, item, false, onChange)));
      }
    }
    if (locked)
      for (const list of [lists.source.selected, lists.source.available])
        for (const input of list.querySelectorAll("input")) input.disabled = true;
    discardButton.classList.toggle("d-none", !dirty());
    if (dirty()) {
      status.className = "mt-3 alert alert-warning";
      status.textContent = "You have unsaved changes.";
    }
  }

  async function save() {
    saveButton.disabled = true;
    status.className = "mt-3 text-body-secondary";
    status.textContent = "Saving…";
    try {
      const result = await api.savePreferences({ sources: [...chosen.source], genres: [...chosen.genre] });
      savedSets.source = new Set(result.preferences.sources);
      savedSets.genre = new Set(result.preferences.genres);
      sessionStorage.removeItem(DRAFT);
      draw();
      status.className = "mt-3 alert alert-success";
      status.textContent = `${result.message}: ${savedSets.source.size} services and ${savedSets.genre.size} genres.`;
    } catch (error) {
      status.className = "mt-3 alert alert-danger";
      status.textContent = `Your preferences were not saved: ${error.message}`;
    } finally {
      saveButton.disabled = false;
    }
  }

  function discard() {
    chosen.source = new Set(savedSets.source);
    chosen.genre = new Set(savedSets.genre);
    sessionStorage.removeItem(DRAFT);
    status.className = "mt-3";
    status.textContent = "";
    draw();
  }

  const section = (title, kind) =>
    h(
      "section",
      { class: "col-lg-6" },
      h("h2", { class: "h5", text: title }),
      h(
        "div",
        { class: "card mb-3" },
        h("div", { class: "card-body" }, h("h3", { class: "h6", text: "Selected" }), lists[kind].selected),
      ),
      h(
        "div",
        { class: "card" },
        h(
          "div",
          { class: "card-body scroll-list" },
          h("h3", { class: "h6", text: "Available" }),
          lists[kind].available,
        ),
      ),
    );

  clear(container).append(
    h("p", {
      class: "text-body-secondary",
      text: "Choose the services you pay for (or watch free) and the genres you like; your guide shows titles that match both.",
    }),
    household
      ? h("div", {
          class: "alert alert-info py-2",
          id: "preferencesHousehold",
          text: locked
            ? `Your services are shared with ${household.name}: a member who can change them does so. Your genres are your own.`
            : `Your services are shared with ${household.name}: changing them changes them for everyone in it. Your genres are your own.`,
        })
      : null,
    h("div", { class: "row g-4" }, section("Streaming services", "source"), section("Genres", "genre")),
    h("div", { class: "mt-4 save-bar" }, saveButton, discardButton, status),
  );
  draw();
  if (draft && dirty()) status.textContent = "You have unsaved changes from earlier: save or discard them.";
}
