// Watch together (the household page's section): titles on the household's services that suit every chosen
// member's genres, best rated first, marked when on a sharing member's watchlist, with a "surprise me" pick
// among the best ten; and a member's shared watchlist.
import { api } from "../api.js";
import { reference } from "../reference.js";
import { clear, h } from "../dom.js";
import { titleCard } from "./cards.js";
import { openTitle } from "./modal.js";
import { section, status } from "./household-parts.js";

export function togetherSection(home, mySources) {
  const boxes = home.members.map((m) =>
    h(
      "div",
      { class: "form-check form-check-inline" },
      h("input", {
        class: "form-check-input together-member",
        type: "checkbox",
        id: `together-${m.member_id}`,
        value: m.member_id,
        checked: true,
      }),
      h("label", { class: "form-check-label small", htmlFor: `together-${m.member_id}`, text: m.name }),
    ),
  );
  const grid = h("div", {
    class: "row row-cols-2 row-cols-sm-3 row-cols-md-4 row-cols-lg-6 g-3 title-grid",
    id: "togetherGrid",
    attrs: { "aria-live": "polite" },
  });
  const said = status("togetherStatus");
  const surprise = h("button", {
    type: "button",
    class: "btn btn-outline-primary btn-sm",
    id: "togetherSurprise",
    text: "Surprise me",
    disabled: true,
  });
  const more = h("button", {
    type: "button",
    class: "btn btn-link btn-sm d-none",
    id: "togetherMore",
    text: "Show more",
  });
  // Included or free by default; titles to rent or buy too on demand (or when every service is a shop).
  const paid = h("input", { class: "form-check-input", type: "checkbox", id: "togetherRentOrBuy" });
  const paidSwitch = h(
    "div",
    { class: "form-check form-switch mb-2" },
    paid,
    h("label", { class: "form-check-label small", htmlFor: "togetherRentOrBuy", text: "Titles to rent or buy too" }),
  );
  const ready = reference()
    .then((ref) => {
      const kinds = home.services.map((s) => ref.sources.get(s.id)?.type);
      if (kinds.length && kinds.every((k) => k === "purchase")) paid.checked = true;
    })
    .catch(() => null);
  let shown = [];
  const FIRST = 12; // shown at first (a phone's page stays short); the rest on "Show more"
  async function load() {
    await ready;
    const chosen = [...grid.closest("section").querySelectorAll(".together-member:checked")].map((b) => b.value);
    clear(grid);
    more.classList.add("d-none");
    surprise.disabled = true;
    if (!chosen.length) {
      said.textContent = "Choose who is watching.";
      return;
    }
    said.textContent = "Finding titles…";
    try {
      const found = await api.together(chosen, paid.checked ? "any" : "included_or_free");
      shown = found.items;
      grid.append(
        ...found.items.map((t, at) => {
          const on = t.on_shared_watchlists.length ? `On ${t.on_shared_watchlists.join(" and ")}'s watchlist` : null;
          const card = titleCard(t, mySources, on);
          if (at >= FIRST) card.classList.add("d-none");
          return card;
        }),
      );
      more.textContent = `Show ${Math.max(0, found.count - FIRST)} more`;
      more.classList.toggle("d-none", found.count <= FIRST);
      said.textContent = found.count
        ? `${found.count} titles on your household's services for everyone chosen, best rated first.`
        : "Nothing on your household's services suits everyone chosen: try fewer people, or more genres.";
      surprise.disabled = !found.count;
    } catch (error) {
      said.textContent = `Could not load: ${error.message}`;
    }
  }
  more.addEventListener("click", () => {
    for (const card of grid.querySelectorAll(".col.d-none")) card.classList.remove("d-none");
    more.classList.add("d-none");
  });
  surprise.addEventListener("click", () => {
    const best = shown.slice(0, 10);
    const pick = best[Math.floor(Math.random() * best.length)];
    if (pick) openTitle(pick, mySources);
  });
  const node = section(
    "watchTogether",
    "Watch together",
    h("p", {
      class: "small mb-2",
      text: "What can we watch tonight? Titles on the household's services that suit everyone's genres.",
    }),
    h("div", { class: "mb-2", id: "togetherMembers" }, boxes),
    paidSwitch,
    h("div", { class: "mb-3" }, surprise),
    said,
    grid,
    more,
  );
  node.addEventListener("change", (event) => {
    if (event.target.classList.contains("together-member") || event.target === paid) load();
  });
  return { node, load };
}

export async function memberWatchlist(container, memberId, mySources, isCurrent) {
  const back = h("a", { href: "#/main/household", class: "small", text: "← Back to your household" });
  const grid = h("div", {
    class: "row row-cols-2 row-cols-sm-3 row-cols-md-4 row-cols-lg-6 g-3 title-grid",
    id: "memberWatchlist",
  });
  const heading = h("h2", { class: "h4", text: "A shared watchlist" });
  clear(container).append(back, heading, grid);
  try {
    const list = await api.memberWatchlist(memberId);
    if (!isCurrent()) return;
    heading.textContent = `${list.member}'s watchlist`;
    grid.append(...list.items.map((t) => titleCard(t, mySources)));
    if (!list.items.length) grid.append(h("p", { class: "text-body-secondary", text: "Nothing on it yet." }));
  } catch (error) {
    grid.append(h("div", { class: "alert alert-warning", attrs: { role: "alert" }, text: error.message }));
  }
}
