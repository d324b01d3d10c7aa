"""Search, and what is new on or leaving the viewer's sources (routes included by the handler's
resolver)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from tvguide.api import SECURITY, json_response
from tvguide.availability_news import recent_changes
from tvguide.departures import Departure
from tvguide.models import Preferences, utc_now
from tvguide.releases import Release
from tvguide_preferences_api.discovery import (
    departure_view,
    per_title,
    query_terms,
    rank,
    release_view,
)
from tvguide_preferences_api.logic import where_to_watch
from tvguide_preferences_api.wiring import (
    caller,
    departures,
    finder,
    news,
    preferences,
    reference,
    releases,
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


Ahead = Annotated[int, Query(ge=1, le=90, description="how far ahead, in days (max 90)")]
DatedLimit = Annotated[int, Query(ge=1, le=200, description="titles (max 200)")]


def _dated[T: (Departure, Release)](
    found: list[T],
    prefs: Preferences,
    *,
    limit: int,
    unknown_shown: bool,
    fields: Callable[[list[T]], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Titles of the viewer's departures or releases, soonest first, with `fields` of their own: titles of
    none of the viewer's genres left out; one the guide has not fetched shown by name when
    `unknown_shown`."""
    entries = per_title(found, limit=limit)
    records = titles().get_many(title_id for title_id, _ in entries)
    wanted_genres, mine = set(prefs.genres), set(prefs.sources)
    items = []
    for title_id, dated in entries:
        first = dated[0]
        record = records.get(title_id)
        if record is None:
            if not unknown_shown:
                continue
            poster = first.poster if isinstance(first, Release) else None
            record = {"id": title_id, "title": first.title, "type": first.type, "poster": poster}
        genre_ids = {str(g) for g in record.get("genre_ids") or []}
        if wanted_genres and genre_ids and not wanted_genres & genre_ids:
            continue
        title = finder().view(record, mine)
        items.append(title | where_to_watch(title, mine) | fields(dated))
    return items


def _window(days: int) -> tuple[Preferences, str, str]:
    """(the viewer's preferences, today, the last day `days` ahead as ISO dates)."""
    today = utc_now().date()
    prefs = preferences().get(caller(router).sub)
    return prefs, today.isoformat(), (today + timedelta(days=days)).isoformat()


@router.get("/titles/leaving-soon", security=SECURITY)
def titles_leaving_soon(days: Ahead = 30, limit: DatedLimit = 100) -> Response[str]:
    """Leaving soon: titles known to leave one of your sources within `days`, soonest first, each with its
    departures (source, date, season; when the date was last seen and the one it had before it moved).
    Titles of none of your genres are left out (with genres chosen, so is a title the guide has not fetched:
    it fetches your sources' titles of your genres); without genres, one not fetched yet is shown by name."""
    prefs, today, until = _window(days)
    found = departures().soonest(prefs.sources, today=today, until=until)
    names = {i: s.name for i, s in reference().sources.items()}

    def fields(leaving: list[Departure]) -> dict[str, Any]:
        return {"leaving_date": leaving[0].date, "leaving": [departure_view(d, names) for d in leaving]}

    items = _dated(found, prefs, limit=limit, unknown_shown=not prefs.genres, fields=fields)
    return json_response(200, {"days": days, "items": items, "count": len(items)})


@router.get("/titles/coming-soon", security=SECURITY)
def titles_coming_soon(days: Ahead = 30, limit: DatedLimit = 100) -> Response[str]:
    """Coming soon: titles (and series' new seasons) announced to arrive on one of your sources within
    `days`, soonest first, each with its arrivals (source, date, season, whether it is the service's
    original). Titles the guide has fetched are left out when of none of your genres; the others (most of
    them: they are new) are shown with Watchmode's name and poster."""
    prefs, today, until = _window(days)
    found = releases().soonest(prefs.sources, today=today, until=until)
    names = {i: s.name for i, s in reference().sources.items()}

    def fields(arriving: list[Release]) -> dict[str, Any]:
        return {"arriving_date": arriving[0].date, "arriving": [release_view(r, names) for r in arriving]}

    items = _dated(found, prefs, limit=limit, unknown_shown=True, fields=fields)
    return json_response(200, {"days": days, "items": items, "count": len(items)})
