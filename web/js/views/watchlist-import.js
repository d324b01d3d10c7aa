// Bringing a watchlist along (a Letterboxd, IMDb or Trakt export: read and matched first, Watchmode's search
// for the rest at a cost shown first, then added, and undone in one step) and taking it away (CSV).
import { api } from "../api.js";
import { clear, h } from "../dom.js";

const MAX_BYTES = 1_500_000;
const SHOWN = 50; // rows listed of each kind (the counts say the rest)
const HOW = { imdb: "IMDb id", tmdb: "TMDb id", name: "name and year", watchmode: "Watchmode's search" };

function rowsList(id, rows, line) {
  return h(
    "ul",
    { class: "small mb-2 import-rows", id },
    rows.slice(0, SHOWN).map((row) => h("li", { text: line(row) })),
    rows.length > SHOWN ? h("li", { class: "text-body-secondary", text: `and ${rows.length - SHOWN} more` }) : null,
  );
}

const named = (row) => [row.name || row.imdb_id || row.tmdb || "?", row.year ? `(${row.year})` : ""].join(" ").trim();

export function importSection(onChanged) {
  const file = h("input", {
    class: "form-control form-control-sm",
    type: "file",
    id: "importFile",
    accept: ".csv,.json,text/csv,application/json",
  });
  const report = h("div", { class: "mt-2", id: "importReport", attrs: { "aria-live": "polite" } });
  const said = h("p", { class: "small mb-0 mt-2", id: "importStatus", attrs: { "aria-live": "polite" } });
  const exportButton = h("button", {
    type: "button",
    class: "btn btn-outline-secondary btn-sm",
    id: "watchlistExport",
    text: "Export as CSV",
  });

  const button = (id, text, cls, onClick) =>
    h("button", { type: "button", class: `btn btn-sm ${cls}`, id, text, on: { click: onClick } });

  function show(found) {
    clear(report);
    said.textContent = "";
    const matched = found.matched.length;
    const summary = `${found.rows_read} rows read from ${found.filename || "your file"} (${found.format}): ${matched} found in the guide, ${found.unmatched.length} not found${found.duplicates ? `, ${found.duplicates} duplicates skipped` : ""}${found.skipped.length ? `, ${found.skipped.length} rows that are not titles` : ""}.`;
    report.append(h("p", { class: "small mb-2", id: "importSummary", text: summary }));
    if (found.status === "added") {
      report.append(
        h("p", { class: "small mb-2", id: "importAdded", text: `${found.added} titles added to your watchlist.` }),
        button("importUndo", "Undo this import", "btn-outline-danger", async () => {
          try {
            const undone = await api.undoImport(found.import_id);
            clear(report);
            said.textContent = undone.message;
            onChanged();
          } catch (error) {
            said.textContent = `Not undone: ${error.message}`;
          }
        }),
      );
      return;
    }
    if (matched)
      report.append(
        h("p", { class: "small fw-semibold mb-1", text: "Found" }),
        rowsList("importMatched", found.matched, (m) => `${named(m)} — by ${HOW[m.how] || m.how}`),
      );
    if (found.unmatched.length)
      report.append(
        h("p", { class: "small fw-semibold mb-1", text: "Not found" }),
        rowsList("importUnmatched", found.unmatched, (u) => `${named(u)} — ${u.reason}`),
      );
    const actions = h("div", { class: "d-flex flex-wrap gap-2" });
    const { titles, credits, credits_left: left } = found.search;
    if (titles) {
      const budget = left === null ? "" : `; ${left} left this month`;
      actions.append(
        button(
          "importSearch",
          `Search Watchmode for ${titles} more (${credits} credit${credits === 1 ? "" : "s"}${budget})`,
          "btn-outline-primary",
          () => search(found, titles),
        ),
      );
    }
    actions.append(
      button(
        "importAdd",
        `Add ${matched} title${matched === 1 ? "" : "s"} to my watchlist`,
        "btn-primary",
        async () => {
          try {
            const added = await api.addImport(found.import_id);
            show(added);
            if (added.not_added) said.textContent = `${added.not_added} not added: your watchlist holds 500 titles.`;
            onChanged();
          } catch (error) {
            said.textContent = `Not added: ${error.message}`;
          }
        },
      ),
      button("importCancel", "Cancel", "btn-outline-secondary", async () => {
        await api.undoImport(found.import_id).catch(() => null);
        clear(report);
        file.value = "";
      }),
    );
    report.append(actions);
  }

  async function search(found, titles) {
    let current = found;
    try {
      // 20 at a time (each call stays short); the cost was shown on the button.
      for (let left = titles; left > 0 && current.search.titles > 0; left -= 20) {
        said.textContent = `Searching Watchmode… ${current.search.titles} to go`;
        current = await api.searchImport(found.import_id, Math.min(20, left));
      }
      show(current);
    } catch (error) {
      show(current);
      said.textContent = `Search stopped: ${error.message}`;
    }
  }

  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    clear(report);
    if (!chosen) return;
    if (chosen.size > MAX_BYTES) {
      said.textContent = "This file is too large: at most 1.5 MB (5,000 titles) can be imported at once.";
      return;
    }
    said.textContent = "Reading…";
    try {
      show(await api.startImport(chosen.name.slice(0, 200), await chosen.text()));
    } catch (error) {
      said.textContent = `Not imported: ${error.message}`;
    }
  });

  exportButton.addEventListener("click", async () => {
    try {
      const csv = await api.exportWatchlist();
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
      const link = h("a", { href: url, download: "uk-tv-guide-watchlist.csv", class: "d-none" });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      said.textContent = "Watchlist exported.";
    } catch (error) {
      said.textContent = `Not exported: ${error.message}`;
    }
  });

  return h(
    "details",
    { class: "card mb-3", id: "watchlistImport" },
    h("summary", { class: "card-header small fw-semibold", text: "Import or export your watchlist" }),
    h(
      "div",
      { class: "card-body" },
      h("label", {
        class: "form-label small",
        htmlFor: "importFile",
        text: "Bring your list along: Letterboxd's watchlist.csv, an IMDb list's CSV export, or Trakt's watchlist JSON (up to 5,000 titles). Nothing is added until you say so.",
      }),
      file,
      report,
      said,
      h("hr", {}),
      exportButton,
    ),
  );
}
