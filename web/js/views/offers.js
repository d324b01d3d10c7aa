// "Where to watch" in the title modal: the API's offers (best first), grouped, each a link to the service's
// page for the title when it has one. Only an https link is ever a link; everything goes in as text.
import { clear, h } from "../dom.js";

const GROUPS = [
  ["mine", "On your services"],
  ["free", "Free"],
  ["paid", "Rent or buy"],
  ["other", "With another subscription"],
];

/** The offer's link if it is an https URL, else null (the API already checks; the page checks again). */
export function safeLink(link) {
  if (typeof link !== "string") return null;
  try {
    return new URL(link).protocol === "https:" ? link : null;
  } catch {
    return null;
  }
}

function groupOf(offer) {
  if (offer.mine && offer.kind !== "rent" && offer.kind !== "buy") return "mine";
  if (offer.kind === "free") return "free";
  if (offer.kind === "rent" || offer.kind === "buy") return "paid";
  return "other";
}

function label(offer) {
  const how = {
    sub: `Watch on ${offer.source_name}`,
    tve: `Watch on ${offer.source_name}`,
    free: `Watch free on ${offer.source_name}`,
    rent: `Rent on ${offer.source_name}`,
    buy: `Buy on ${offer.source_name}`,
  }[offer.kind];
  return how || offer.source_name;
}

function details(offer) {
  const seasons = offer.seasons ? `${offer.seasons} season${offer.seasons === 1 ? "" : "s"}` : null;
  return [offer.price ? `£${offer.price}` : null, offer.format, seasons].filter(Boolean).join(" · ");
}

function line(offer) {
  const link = safeLink(offer.link);
  const text = label(offer);
  const primary = groupOf(offer) === "mine" || offer.kind === "free";
  const action = link
    ? h("a", {
        class: `btn btn-sm ${primary ? "btn-primary" : "btn-outline-primary"} offer-link`,
        href: link,
        target: "_blank",
        rel: "noopener noreferrer",
        text,
        dataset: { kind: offer.kind, sourceId: offer.source_id },
      })
    : h("span", { class: "offer-name fw-semibold", text, dataset: { kind: offer.kind, sourceId: offer.source_id } });
  const more = details(offer);
  return h(
    "li",
    { class: "offer d-flex align-items-center gap-2 mb-1" },
    action,
    more ? h("span", { class: "small text-body-secondary", text: more }) : null,
  );
}

/** Fill `node` with the title's offers, grouped: yours, free, rent or buy, other subscriptions. */
export function renderOffers(node, offers) {
  clear(node);
  if (!offers?.length) {
    node.append(h("p", { class: "small text-body-secondary mb-0", text: "No offers known yet for this title." }));
    return;
  }
  for (const [key, title] of GROUPS) {
    const these = offers.filter((o) => groupOf(o) === key);
    if (!these.length) continue;
    node.append(
      h("h4", { class: "h6 mt-2 mb-1", text: title }),
      h("ul", { class: "list-unstyled mb-1", dataset: { group: key } }, these.map(line)),
    );
  }
}
