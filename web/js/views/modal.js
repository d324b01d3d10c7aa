// The title modal (#titleModal in index.html): filled with text only, focus kept inside while open,
// closed by its close button, Escape or a click outside.
import { byId } from "../dom.js";
import { bookmark } from "./bookmark.js";
import { renderOffers } from "./offers.js";

const PLACEHOLDER = "img/placeholder.svg";
let opener = null;

function modal() {
  return byId("titleModal");
}

export function posterImage(img, url, alt) {
  img.alt = alt;
  img.addEventListener("error", () => {
    if (!img.src.endsWith(PLACEHOLDER)) img.src = PLACEHOLDER;
  });
  img.src = url || PLACEHOLDER;
  return img;
}

export function closeModal() {
  const node = modal();
  if (node.hidden) return;
  node.hidden = true;
  node.classList.remove("show", "d-block");
  byId("titleModalBackdrop").classList.add("d-none");
  document.body.classList.remove("modal-open");
  if (opener && document.contains(opener)) opener.focus();
  opener = null;
}

function focusables() {
  return Array.from(modal().querySelectorAll("a[href]:not(.d-none), button, [tabindex]:not([tabindex='-1'])"));
}

export function setUpModal() {
  const node = modal();
  node.querySelector(".btn-close").addEventListener("click", closeModal);
  node.addEventListener("click", (event) => {
    if (event.target === node || event.target.classList.contains("modal-dialog")) closeModal();
  });
  document.addEventListener("keydown", (event) => {
    if (node.hidden) return;
    if (event.key === "Escape") closeModal();
    if (event.key === "Tab") {
      const items = focusables();
      const first = items[0];
      const last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  window.addEventListener("hashchange", closeModal);
}

function text(id, value) {
  byId(id).textContent = value;
}

/** Open the modal for a title; `mySources` are the viewer's chosen source ids. */
export function openTitle(title, mySources) {
  opener = document.activeElement;
  const names = title.source_ids.map((id, i) => [id, title.source_names[i] || id]);
  const mine = names.filter(([id]) => mySources.has(id)).map(([, name]) => name);
  text("titleModalTitle", title.title || "Untitled");
  posterImage(byId("titleModalImage"), title.poster, `Poster of ${title.title || "this title"}`);
  const meta = [
    title.year,
    title.type ? title.type.replace(/_/g, " ") : null,
    title.runtime_minutes ? `${title.runtime_minutes} min` : null,
  ].filter(Boolean);
  text("titleModalMeta", meta.join(" · "));
  text("titleModalPlot", title.plot_overview || "No plot summary available.");
  text("titleModalRating", typeof title.user_rating === "number" ? `${title.user_rating}/10` : "Not rated");
  text("titleModalCritics", typeof title.critic_score === "number" ? `${title.critic_score}/100` : "No critic score");
  text("titleModalSources", (mine.length ? mine : names.map(([, name]) => name)).join(", ") || "Not on your services");
  text("titleModalGenres", title.genre_names.join(", ") || "No genres listed");
  renderOffers(byId("titleModalWatch"), title.offers);
  bookmark(byId("titleModalBookmark"), title.id, title.title);
  const trailer = byId("titleModalTrailer");
  const safeTrailer = typeof title.trailer === "string" && /^https?:\/\//i.test(title.trailer) ? title.trailer : null;
  trailer.classList.toggle("d-none", !safeTrailer);
  if (safeTrailer) trailer.href = safeTrailer;
  else trailer.removeAttribute("href");
  const node = modal();
  node.hidden = false;
  node.classList.add("show", "d-block");
  byId("titleModalBackdrop").classList.remove("d-none");
  document.body.classList.add("modal-open");
  node.querySelector(".btn-close").focus();
}
