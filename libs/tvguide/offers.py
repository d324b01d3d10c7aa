"""Where to watch a title: Watchmode's offers (its title sources: subscription, free, rent, buy, TV
everywhere; a price, a format, seasons and a web link), parsed once on the way in (enrichment fetches them
with the details) and ranked for a viewer on the way out (the viewer API).

Every field of an offer may be missing or wrong: a row that cannot be read is left out, never guessed. A link
is kept only when it is an `https` URL with a host and nothing else (no credentials, no spaces or control
characters): Watchmode's free plans put the text "Deeplinks available for paid plans only." where the app
links go, and a hostile `javascript:` or `http:` link must never reach a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from tvguide.watchmode_fields import whole_number

MAX_OFFERS = 60  # per title (a title on every GB source, to rent and to buy in three formats, is ~50)
MAX_LINK = 500


class OfferKind(StrEnum):
    SUBSCRIPTION = "sub"
    FREE = "free"
    RENT = "rent"
    BUY = "buy"
    TV_EVERYWHERE = "tve"


FORMATS = ("SD", "HD", "4K")


class Offer(BaseModel):
    """One way to watch a title in the region: on which source, how, for how much, in what format."""

    model_config = ConfigDict(frozen=True)

    source_id: str
    kind: OfferKind
    price: Decimal | None = None  # pounds, for rent and buy
    format: str | None = None  # SD, HD or 4K
    link: str | None = None  # the service's https page for the title
    seasons: int | None = None
    episodes: int | None = None

    def stored(self) -> dict[str, Any]:
        """The offer as kept on the title record (absent fields left out)."""
        data = self.model_dump(mode="python") | {"kind": self.kind.value}
        return {k: v for k, v in data.items() if v is not None}


def safe_link(value: Any) -> str | None:
    """`value` if it is an https URL with a host and no credentials, spaces or control characters."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_LINK:
        return None
    if any(c.isspace() or not c.isprintable() for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname or "@" in parts.netloc:
        return None
    return value


def _price(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        price = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None
    return price if Decimal(0) <= price <= Decimal(1000) else None


def parse_offers(raw: Any, region: str = "GB") -> tuple[Offer, ...]:
    """Watchmode's title sources (a list of objects) as offers in `region`: unreadable rows left out, the
    same offer once, at most MAX_OFFERS."""
    if not isinstance(raw, list):
        return ()
    found: dict[tuple[str, str, str | None], Offer] = {}
    for row in raw:
        if not isinstance(row, dict):
            continue
        source, kind = row.get("source_id"), row.get("type")
        if isinstance(source, bool) or not isinstance(source, (int, str)) or not str(source).isdigit():
            continue
        if not isinstance(kind, str) or kind not in OfferKind._value2member_map_:
            continue
        if row.get("region", region) != region:
            continue
        price = _price(row.get("price")) if kind in (OfferKind.RENT, OfferKind.BUY) else None
        fmt = row.get("format") if row.get("format") in FORMATS else None
        offer = Offer(
            source_id=str(int(str(source))),
            kind=OfferKind(kind),
            price=price,
            format=fmt,
            link=safe_link(row.get("web_url")),
            seasons=whole_number(row.get("seasons")),
            episodes=whole_number(row.get("episodes")),
        )
        key = (offer.source_id, offer.kind.value, offer.format)
        kept = found.get(key)
        if kept is None or (offer.price is not None and (kept.price is None or offer.price < kept.price)):
            found[key] = offer
        if len(found) >= MAX_OFFERS:
            break
    return tuple(found.values())


def stored_offers(item: Mapping[str, Any]) -> tuple[Offer, ...]:
    """The offers a title record keeps (written by enrichment; none before it)."""
    offers = []
    for row in item.get("offers") or []:
        try:
            offers.append(Offer.model_validate(row))
        except ValueError:
            continue
    return tuple(offers)


INCLUDED = (OfferKind.SUBSCRIPTION, OfferKind.TV_EVERYWHERE, OfferKind.FREE)
FORMAT_RANK = {"4K": 0, "HD": 1, "SD": 2, None: 3}


def _order(offer: Offer, mine: set[str]) -> tuple[int, Decimal, int, str]:
    if offer.source_id in mine and offer.kind in INCLUDED:
        group = 0
    elif offer.kind == OfferKind.FREE:
        group = 1
    elif offer.kind == OfferKind.RENT:
        group = 2
    elif offer.kind == OfferKind.BUY:
        group = 3
    else:
        group = 4  # a subscription the viewer does not have
    return group, offer.price or Decimal(0), FORMAT_RANK.get(offer.format, 3), offer.source_id


def ranked_offers(
    offers: Iterable[Offer], mine: Iterable[str], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The offers for a viewer, best first: included with their services, then free elsewhere, then rent
    and buy (cheapest first), then other subscriptions; each with its service's name. A source the guide
    does not know is left out. One line per service and way (its best format; for rent and buy the
    cheapest price)."""
    chosen = set(mine)
    seen: set[tuple[str, OfferKind]] = set()
    result = []
    for offer in sorted(offers, key=lambda o: _order(o, chosen)):
        name = names.get(offer.source_id)
        if name is None or (offer.source_id, offer.kind) in seen:
            continue
        seen.add((offer.source_id, offer.kind))
        result.append(
            {
                "source_id": offer.source_id,
                "source_name": name,
                "kind": offer.kind.value,
                "mine": offer.source_id in chosen,
                "price": None if offer.price is None else f"{offer.price:.2f}",
                "format": offer.format,
                "link": offer.link,
                "seasons": offer.seasons,
                "episodes": offer.episodes,
            }
        )
    return result


def best_way(offers: list[dict[str, Any]]) -> str | None:
    """A few words for a card, from `ranked_offers`'s first line: "Included with Netflix", "Free on BBC
    iPlayer", "Rent from £3.49", "Buy from £7.99" (None without offers)."""
    if not offers:
        return None
    best = offers[0]
    kind, name, price = best["kind"], best["source_name"], best["price"]
    if best["mine"] and kind in ("sub", "tve"):
        return f"Included with {name}"
    if kind == "free":
        return f"Free on {name}"
    if kind in ("rent", "buy") and price is not None:
        return f"{'Rent' if kind == 'rent' else 'Buy'} from £{price}"
    if kind in ("rent", "buy"):
        return f"{'Rent' if kind == 'rent' else 'Buy'} on {name}"
    return f"On {name}"
