"""What is leaving the fake's sources (Watchmode's `title-leaving-dates`), deterministic per title and source.

About one title in 40 on each subscription or free service leaves it on a date of a 120-day cycle fixed from
an anchor, so the dates stay put from one day to the next and the cycle starts again once a date has passed.
`POST /_fake/departures` moves a departure (or cancels it, or makes a new one). Plans (`POST /_fake/config
{"plan": ...}`): on `free` only the next 10 departures are served, and date filters, later pages or a limit
over 10 answer `403 LEAVING_PREVIEW_LIMIT`; on `paid` (the fake's default, so the local guide has a full
"Leaving soon"), 250 a page within at most 90 days (366 with regions).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

ANCHOR = date(2026, 1, 1)
CYCLE_DAYS = 120
ONE_IN = 40
LEAVING_SOURCE_TYPES = ("sub", "free")


class LeavingError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _hash(*parts: object) -> int:
    return zlib.crc32("/".join(str(p) for p in parts).encode())


@dataclass(frozen=True)
class Listing:
    title_id: int
    title: str
    title_type: str
    source_id: int
    leaving: date
    season: int | None

    def body(self) -> dict[str, Any]:
        return {
            "id": self.title_id,
            "title": self.title,
            "title_type": self.title_type,
            "region": "GB",
            "type": "sub",
            "leaving_date": self.leaving.isoformat(),
            "provider_id": self.source_id,
            "season": self.season,
        }


def leaving_on(title_id: int, source_id: int, today: date) -> date | None:
    """The next date the title leaves the source on (on or after `today`), or None when it does not."""
    if _hash("leaves", title_id, source_id) % ONE_IN:
        return None
    offset = _hash("when", title_id, source_id) % CYCLE_DAYS
    first = ANCHOR + timedelta(days=offset)
    if first >= today:
        return first
    cycles = math.ceil((today - first).days / CYCLE_DAYS)
    return first + timedelta(days=cycles * CYCLE_DAYS)


def all_departures(catalogue: Any, moved: dict[tuple[int, int], date | None], today: date) -> list[Listing]:
    """Every departure from `today` on, ordered as Watchmode orders them (date, provider, title, season)."""
    kinds = {s["id"]: s["type"] for s in catalogue.sources}
    found = []
    for title in catalogue.titles:
        series = title.type not in ("movie", "short_film")
        for source_id in title.source_ids:
            if kinds.get(source_id) not in LEAVING_SOURCE_TYPES:
                continue
            when = moved.get((title.id, source_id), leaving_on(title.id, source_id, today))
            if when is None or when < today:
                continue
            season = 1 + _hash("season", title.id) % 4 if series else None
            found.append(Listing(title.id, title.title, title.type, source_id, when, season))
    found.sort(key=lambda x: (x.leaving, x.source_id, x.title, x.season or 0))
    return found


def _yyyymmdd(value: str | None) -> date | None:
    if not value or len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def leaving_dates(
    catalogue: Any,
    moved: dict[tuple[int, int], date | None],
    plan: str,
    query: dict[str, str | None],
    today: date,
) -> dict[str, Any]:
    """The endpoint's answer to `query` (parameters as strings), or LeavingError."""
    regions = {r.strip().upper() for r in (query.get("regions") or "").split(",") if r.strip()}
    start, end = _yyyymmdd(query.get("start_date")), _yyyymmdd(query.get("end_date"))
    if (query.get("start_date") and start is None) or (query.get("end_date") and end is None):
        raise LeavingError(400, "start_date and end_date are YYYYMMDD.")
    try:
        page = int(query.get("page") or 1)
        limit = int(query.get("limit") or (10 if plan == "free" else 250))
    except ValueError as exc:
        raise LeavingError(400, "page and limit are whole numbers.") from exc
    listings = all_departures(catalogue, moved, today) if not regions or "GB" in regions else []
    in_window = [x for x in listings if x.leaving <= today + timedelta(days=90)]
    if plan == "free":
        if start or end or page > 1 or limit > 10:
            raise LeavingError(403, "LEAVING_PREVIEW_LIMIT: free plans see the next 10 departures only.")
        shown = in_window[:limit]
        return {
            "titles": [x.body() for x in shown],
            "page": 1,
            "total_results": len(in_window),
            "total_pages": 1,
        }
    start = start or today
    end = end or start + timedelta(days=90)
    if end < start or (end - start).days > (366 if regions else 90):
        raise LeavingError(400, "The window is at most 90 days (366 with regions).")
    if not 1 <= limit <= 250 or page < 1:
        raise LeavingError(400, "limit is 1-250 and page at least 1.")
    chosen = [x for x in listings if start <= x.leaving <= end]
    pages = math.ceil(len(chosen) / limit) if chosen else 0
    chunk = chosen[(page - 1) * limit : page * limit]
    return {
        "titles": [x.body() for x in chunk],
        "page": page,
        "total_results": len(chosen),
        "total_pages": pages,
    }


def move_departure(moved: dict[tuple[int, int], date | None], body: Any) -> dict[str, Any]:
    """`POST /_fake/departures`: a departure moved to `leaving_date` (None: cancelled), or `restore`d to the
    catalogue's own date. KeyError, TypeError or ValueError for a body that is not one."""
    key = (int(body["title_id"]), int(body["source_id"]))
    when = date.fromisoformat(body["leaving_date"]) if body.get("leaving_date") else None
    if body.get("restore"):
        moved.pop(key, None)
    else:
        moved[key] = when
    return {"title_id": key[0], "source_id": key[1], "leaving_date": body.get("leaving_date")}
