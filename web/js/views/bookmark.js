// The watchlist bookmark toggle (on cards and in the modal).
import { h } from "../dom.js";
import { onWatchlistChange, toggleWatch, watched } from "../watchlist.js";

/** Paint a bookmark toggle for `titleId` (a star alone when `compact`); it follows the watchlist wherever
 * it is changed. */
export function bookmark(button, titleId, name, { compact = false } = {}) {
  const id = String(titleId);
  button.dataset.titleId = id;
  const paint = (on) => {
    button.setAttribute("aria-pressed", String(on));
    button.classList.toggle("btn-warning", on);
    button.classList.toggle("btn-light", !on);
    if (compact) {
      // The star is decoration; the words are the button's name (what a screen reader says).
      const label = `${on ? "Remove" : "Add"} ${name || "this title"} ${on ? "from" : "to"} your watchlist`;
      button.replaceChildren(
        h("span", { text: on ? "★" : "☆", attrs: { "aria-hidden": "true" } }),
        h("span", { class: "visually-hidden", text: label }),
      );
      button.title = on ? "On your watchlist" : "Add to your watchlist";
    } else {
      button.textContent = on ? "★ On your watchlist" : "☆ Add to watchlist"; // its own name, as seen
    }
  };
  paint(false);
  watched()
    .then((set) => paint(set.has(id)))
    .catch(() => {
      button.disabled = true;
      button.title = "Your watchlist could not be loaded";
    });
  const stop = onWatchlistChange((changed, on) => {
    if (!button.isConnected && !button.closest("#titleModal")) stop();
    else if (changed === button.dataset.titleId) paint(on);
  });
  button.onclick = async (event) => {
    event.stopPropagation();
    button.disabled = true;
    try {
      await toggleWatch(button.dataset.titleId);
    } catch (error) {
      button.title = `Not saved: ${error.message}`;
      button.classList.add("btn-danger");
      setTimeout(() => button.classList.remove("btn-danger"), 1500);
    } finally {
      button.disabled = false;
    }
  };
  return button;
}
