"""Search, and what is new on or leaving the viewer's sources (routes included by the handler's
resolver)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from tvguide.api import SECURITY, json_response
from tvguide.models import utc_now
from tvguide_preferences_api.discovery import (
    departure_view,
    leaving_soon,
    query_terms,
    rank,
    recent_changes,
)
from tvguide_preferences_api.logic import where_to_watch
from tvguide_preferences_api.wiring import (
    caller,
    departures,
    finder,
    news,
    preferences,
    reference,
    search_index,
    titles,
)

router = Router()  # type: ignore[no-untyped-call]  # Powertools' Router has no annotations


@router.get("/search", security=SECURITY)
def search(
    q: Annotated[str, Query(min_length=1, max_length=100, description="words or beginnings of words")],
    limit: Annotated[int, Query(ge=1, le=50, description="results (max 50)")] = 20,
) -> Response[str]:
    """Every title the guide knows whose name has words starting with each word of `q` (any case or
    accent: "amelie" finds "Amélie"), best matches first, each with where to watch it: on your sources
    and elsewhere."""
    user = caller(router).sub
    terms = query_terms(q)
    index = search_index()
    index.refresh()  # the shards that changed since this container loaded them
    ranked = rank(terms, index, limit)
    records = titles().get_many(m.title_id for m in ranked)
    mine = set(preferences().get(user).sources)
    items = []
    for match in ranked:
        record = records.get(match.title_id)
        if record is not None:
            title = finder().view(record, mine)
            items.append(title | where_to_watch(title, mine))
    return json_response(200, {"query": q, "items": items, "count": len(items)})


Days = Annotated[int, Query(ge=1, le=45, description="how far back, in days (7 or 30 on the site)")]


def _recent(change: Literal["arrived", "left"], days: int, limit: int) -> Response[str]:
    user = caller(router).sub
    prefs = preferences().get(user)
    since = (utc_now() - timedelta(days=days)).isoformat()
    entries = recent_changes(news(), prefs.sources, since, change, limit)
    records = titles().get_many(e["title_id"] for e in entries)
    wanted_genres = set(prefs.genres)
    mine = set(prefs.sources)
    items = []
    for entry in entries:
        record = records.get(entry["title_id"])
        if record is None:
            continue
        title = finder().view(record, mine)
        if wanted_genres and record.get("genre_ids") and not wanted_genres & set(title["genre_ids"]):
            continue  # outside the viewer's genres (a title not yet enriched is shown: genres unknown)
        items.append(
            title
            | where_to_watch(title, mine)
            | {change + "_at": entry["at"], "sources_changed": entry["source_ids"]}
        )
    return json_response(200, {"days": days, "items": items, "count": len(items)})


@router.get("/titles/new", security=SECURITY)
def new_titles(
    days: Days = 7, limit: Annotated[int, Query(ge=1, le=100, description="titles (max 100)")] = 50
) -> Response[str]:
    """New on your services: titles that arrived on one of your sources in the last `days`, newest first
    (a service's first fetch is not news)."""
    return _recent("arrived", days, limit)


@router.get("/titles/leaving", security=SECURITY)
def leaving_titles(
    days: Days = 30, limit: Annotated[int, Query(ge=1, le=100, description="titles (max 100)")] = 50
) -> Response[str]:
    """Left your services: titles that left one of your sources in the last `days`, newest first."""
    return _recent("left", days, limit)


@router.get("/titles/leaving-soon", security=SECURITY)
def titles_leaving_soon(
    days: Annotated[int, Query(ge=1, le=90, description="how far ahead, in days (max 90)")] = 30,
    limit: Annotated[int, Query(ge=1, le=200, description="titles (max 200)")] = 100,
) -> Response[str]:
    """Leaving soon: titles known to leave one of your sources within `days`, soonest first, each with its
    departures (source, date, season; when the date was last seen and the one it had before it moved).
    Titles of none of your genres are left out (with genres chosen, so is a title the guide has not fetched:
    it fetches your sources' titles of your genres); without genres, one not fetched yet is shown by name."""
    user = caller(router).sub
    prefs = preferences().get(user)
    today = utc_now().date()
    until = (today + timedelta(days=days)).isoformat()
    found = departures().soonest(prefs.sources, today=today.isoformat(), until=until)
    entries = leaving_soon(found, limit=limit)
    records = titles().get_many(title_id for title_id, _ in entries)
    names = {i: s.name for i, s in reference().sources.items()}
    wanted_genres, mine = set(prefs.genres), set(prefs.sources)
    items = []
    for title_id, leaving in entries:
        first = leaving[0]
        record = records.get(title_id)
        if record is None:
            if wanted_genres:  # the guide fetches your sources' titles of your genres: not one of them
                continue
            record = {"id": title_id, "title": first.title, "type": first.type}  # not fetched yet
        genre_ids = {str(g) for g in record.get("genre_ids") or []}
        if wanted_genres and genre_ids and not wanted_genres & genre_ids:
            continue
        title = finder().view(record, mine)
        items.append(
            title
            | where_to_watch(title, mine)
            | {"leaving_date": first.date, "leaving": [departure_view(d, names) for d in leaving]}
        )
    return json_response(200, {"days": days, "items": items, "count": len(items)})
