"""Where to watch a fake title (Watchmode's title sources, GB): varied and deterministic per title.

Subscription services in HD or 4K; free services in SD or HD; TV-everywhere; every purchase service offers
the title to rent and to buy, each in two formats at different prices; series carry season and episode
counts. Free plans' app links are the text Watchmode sends instead of a link. The hostile titles (names
with markup) carry a `javascript:` web link and an `http:` one, so the site's link safety is tested.
"""

from __future__ import annotations

import random
from typing import Any

DEEPLINKS_TEXT = "Deeplinks available for paid plans only."
RENT_PRICES = ("2.49", "3.49", "3.99", "4.99", "5.99")
BUY_PRICES = ("6.99", "7.99", "9.99", "11.99", "13.99")


def _hostile(name: str) -> bool:
    return any(c in name for c in "<>&")


def title_offers(title: Any, sources: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The title's offers on its sources, as Watchmode's `title/{id}/sources/` rows."""
    rng = random.Random(f"offers-{title.id}")
    series = title.type not in ("movie", "short_film")
    seasons = rng.randint(1, 6) if series else None
    episodes = seasons * rng.randint(6, 10) if seasons else None
    rows: list[dict[str, Any]] = []

    def row(source_id: int, kind: str, fmt: str, price: str | None, link_index: int) -> dict[str, Any]:
        link = f"https://watch.example/{source_id}/title/{title.id}"
        if _hostile(title.title):
            link = ("javascript:alert(1)", f"http://watch.example/{source_id}/{title.id}")[link_index % 2]
        return {
            "source_id": source_id,
            "name": sources[source_id]["name"],
            "type": kind,
            "region": "GB",
            "ios_url": DEEPLINKS_TEXT,
            "android_url": DEEPLINKS_TEXT,
            "web_url": link,
            "format": fmt,
            "price": float(price) if price is not None else None,
            "seasons": seasons,
            "episodes": episodes,
        }

    for index, source_id in enumerate(title.source_ids):
        kind = sources[source_id]["type"]
        if kind == "purchase":
            rent = rng.randrange(len(RENT_PRICES) - 1)
            buy = rng.randrange(len(BUY_PRICES) - 1)
            rows.append(row(source_id, "rent", "SD", RENT_PRICES[rent], index))
            rows.append(row(source_id, "rent", "HD", RENT_PRICES[rent + 1], index))
            rows.append(row(source_id, "buy", "HD", BUY_PRICES[buy], index))
            rows.append(row(source_id, "buy", "4K", BUY_PRICES[buy + 1], index))
        elif kind == "free":
            rows.append(row(source_id, "free", rng.choice(("SD", "HD")), None, index))
        else:
            rows.append(row(source_id, kind, rng.choice(("HD", "HD", "4K")), None, index))
    return rows
