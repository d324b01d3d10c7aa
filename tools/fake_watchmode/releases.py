"""What is coming to the fake's sources (Watchmode's `releases`), deterministic per title.

About one title in 50 arrives on one of its subscription or free services (a series: a new season) on a
date of a 120-day cycle fixed from an anchor (as departures); one in three is the service's original.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from fake_watchmode.departures import (
    ANCHOR,
    CYCLE_DAYS,
    LEAVING_SOURCE_TYPES,
    LeavingError,
    _hash,
    _yyyymmdd,
    leaving_dates,
)


def arriving_on(title_id: int, today: date) -> date | None:
    if _hash("arrives", title_id) % 50:
        return None
    first = ANCHOR + timedelta(days=_hash("arrives-when", title_id) % CYCLE_DAYS)
    if first >= today:
        return first
    return first + timedelta(days=math.ceil((today - first).days / CYCLE_DAYS) * CYCLE_DAYS)


def releases(catalogue: Any, base_url: str, query: dict[str, str | None], today: date) -> dict[str, Any]:
    """The endpoint's answer (its parameters as strings), or LeavingError for a bad one."""
    start, end = _yyyymmdd(query.get("start_date")), _yyyymmdd(query.get("end_date"))
    if (query.get("start_date") and start is None) or (query.get("end_date") and end is None):
        raise LeavingError(400, "start_date and end_date are YYYYMMDD.")
    start, end = start or today - timedelta(days=30), end or today + timedelta(days=30)
    regions = {r.strip().upper() for r in (query.get("regions") or "GB").split(",") if r.strip()}
    limit = int(query.get("limit") or 500) if (query.get("limit") or "500").isdigit() else 0
    if not 1 <= limit <= 20_000:
        raise LeavingError(400, "limit is 1-20000.")
    kinds = {s["id"]: (s["type"], s["name"]) for s in catalogue.sources}
    rows = []
    for title in catalogue.titles if "GB" in regions else []:
        sources = [s for s in title.source_ids if kinds.get(s, ("",))[0] in LEAVING_SOURCE_TYPES]
        when = arriving_on(title.id, today) if sources else None
        if when is None or not start <= when <= end:
            continue
        source = sources[_hash("arrives-on", title.id) % len(sources)]
        series = title.type not in ("movie", "short_film")
        rows.append(
            {
                "id": title.id,
                "title": title.title,
                "type": title.type,
                "tmdb_id": title.tmdb_id,
                "tmdb_type": "tv" if series else "movie",
                "imdb_id": title.imdb_id,
                "season_number": 1 + _hash("season", title.id) % 4 if series else None,
                "poster_url": f"{base_url}/posters/{title.id}.svg",
                "source_release_date": when.isoformat(),
                "source_id": source,
                "source_name": kinds[source][1],
                "is_original": _hash("original", title.id) % 3 == 0,
            }
        )
    rows.sort(key=lambda r: (r["source_release_date"], r["title"]))
    return {"releases": rows[:limit]}


def calendar_answer(
    endpoint: str, state: Any, base_url: str, params: dict[str, str | None]
) -> tuple[str, int, Any]:
    """`title-leaving-dates/` or `releases/`: (endpoint name, credits, body); LeavingError for bad input."""
    today = state.current_date()
    if endpoint == "releases/":
        return "releases", 1, releases(state.catalogue, base_url, params, today)
    return (
        "title-leaving-dates",
        1,
        leaving_dates(state.catalogue, state.moved_departures, state.plan, params, today),
    )
