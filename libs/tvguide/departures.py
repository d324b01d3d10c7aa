"""Leaving soon: when titles are known to leave a GB source (Watchmode's title leaving dates), written by the
reference function once a day and read by the viewer API.

| item | pk | sk |
|---|---|---|
| a source's departures | `DEPARTURES` | `SOURCE#<source id>` (`departures`, `crawled_at`) |
| a departure's notice | `DEPARTING#<title id>` | `SOURCE#<source id>#<season or 0>` |

A departure within NOTICE_DAYS gets one notice, written once (`kind = AVAILABILITY_CHANGE`, with `leaving`
and `leaving_on`): the notifier's stream filter takes it as it takes the consumer's changes, and alerts the
title's watchers who have that source, once each (the alert is keyed on the notice).

Dates move: each departure keeps the latest date Watchmode gave, when it was first and last seen, and the
date it had before it moved. What Watchmode can show depends on the plan: paid plans read every departure
of the next `WINDOW_DAYS`; free plans see only the next 10 (`403 LEAVING_PREVIEW_LIMIT` past them). So a
crawl replaces only what it could see: a stored departure dated after the last one a preview showed is
kept (it may well still be true), one before it that the crawl no longer lists is gone (cancelled).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from tvguide.availability_news import CHANGE_KIND
from tvguide.repositories import TableRepository
from tvguide.watchmode_errors import WatchmodeBadResponse, WatchmodePreviewLimit
from tvguide.watchmode_fields import iso_day, whole_number

PK = "DEPARTURES"
WINDOW_DAYS = 90  # a paid plan's default window; the most a page asks for without `regions` set
PAGE_LIMIT = 250  # paid plans
PREVIEW_LIMIT = 10  # free plans: the next 10 departures, one page
MAX_PAGES = 40  # 10,000 departures in 90 days: more than GB's services announce
NOTICE_DAYS = 7  # a watchlisted title leaving one of a viewer's sources this soon is an alert
NOTICE_RETENTION_DAYS = 30  # past the departure (the table's TTL removes it then)
MAX_PER_SOURCE = 1_500  # what one source's item holds (~150 bytes each: well under DynamoDB's 400 KB)


def departures_key(source_id: str) -> dict[str, str]:
    return {"pk": PK, "sk": f"SOURCE#{source_id}"}


def notice_item(departure: Departure, *, now: str) -> dict[str, Any]:
    """The departure's notice: an availability change the notifier turns into its watchers' alerts."""
    leaving = datetime.combine(date.fromisoformat(departure.date), datetime.min.time(), UTC)
    purge_at = int(leaving.timestamp()) + NOTICE_RETENTION_DAYS * 86400
    season = departure.season or 0
    return {
        "pk": f"DEPARTING#{departure.title_id}",
        "sk": f"SOURCE#{departure.source_id}#{season}",
        "kind": CHANGE_KIND,
        "change_id": f"leaving-{departure.title_id}-{departure.source_id}-{season}",
        "title_id": departure.title_id,
        "title": departure.title,
        "at": now,
        "leaving": [departure.source_id],
        "leaving_on": departure.date,
        "season": departure.season,
        "purge_at": purge_at,
    }


class DatedTitle(BaseModel):
    """A title (a series' season, for series) and a source, on a date (ISO `YYYY-MM-DD`)."""

    model_config = ConfigDict(frozen=True)

    title_id: str
    source_id: str
    title: str
    type: str | None = None
    season: int | None = None
    date: str

    def stored(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def stored_list[M: DatedTitle](item: Mapping[str, Any] | None, name: str, model: type[M]) -> list[M]:
    """The entries an item keeps under `name` (an unreadable one is left out)."""
    out = []
    for raw in (item or {}).get(name) or []:
        try:
            fields = {k: int(v) if isinstance(v, Decimal) else v for k, v in raw.items() if v is not None}
            out.append(model.model_validate(fields))
        except (ValueError, TypeError, AttributeError):
            continue
    return out


class Departure(DatedTitle):
    """A title leaving a source on its date."""

    first_seen: str = ""  # ISO time: when a crawl first listed it
    seen_at: str = ""  # the last crawl that listed it
    previous_date: str | None = None  # the date it had before it last moved
    noticed: bool = False  # its notice (an alert for its watchers) is written

    @property
    def key(self) -> tuple[str, str, int | None]:
        return (self.title_id, self.source_id, self.season)


def parse_listing(raw: Any, *, region: str = "GB") -> Departure | None:
    """One listing of `title-leaving-dates`, or None when it cannot be read (any field may be missing)."""
    if not isinstance(raw, Mapping):
        return None
    title_id, source_id = whole_number(raw.get("id"), 10**12), whole_number(raw.get("provider_id"), 10**12)
    leaving = iso_day(raw.get("leaving_date"))
    name = raw.get("title")
    if title_id is None or source_id is None or leaving is None or not isinstance(name, str) or not name:
        return None
    if str(raw.get("region") or region).upper() != region:
        return None
    kind = raw.get("title_type") or raw.get("type")
    return Departure(
        title_id=str(title_id),
        source_id=str(source_id),
        title=name[:300],
        type=kind if isinstance(kind, str) else None,
        season=whole_number(raw.get("season")),
        date=leaving,
    )


def _rows(data: Any) -> list[Any]:
    """The listings of a page: a bare array, or under `titles` (or `results`) of an object."""
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for name in ("titles", "results", "listings", "data"):
            if isinstance(data.get(name), list):
                return list(data[name])
    raise WatchmodeBadResponse("title-leaving-dates: expected listings")


class LeavingDatesApi(Protocol):
    def get(self, path: str, params: dict[str, Any] | None = None, *, endpoint: str, credits: int) -> Any: ...


@dataclass(frozen=True)
class DepartureCrawl:
    departures: list[Departure]
    seen_until: str  # the last date the crawl saw completely (a preview: the day before its last listing's)
    preview: bool  # a free plan's preview (the next 10 departures) rather than the whole window
    pages: int  # credits spent (one a page)
    unreadable: int = 0


def crawl_departures(api: LeavingDatesApi, today: date, region: str = "GB") -> DepartureCrawl:
    """Every departure of the next WINDOW_DAYS (paid plans), or the preview a free plan gets."""
    end = today + timedelta(days=WINDOW_DAYS)
    found: list[Departure] = []
    unreadable = pages = 0
    page = 1
    while page <= MAX_PAGES:
        params = {
            "regions": region,
            "start_date": today.strftime("%Y%m%d"),
            "end_date": end.strftime("%Y%m%d"),
            "page": page,
            "limit": PAGE_LIMIT,
        }
        try:
            data = api.get("title-leaving-dates/", params, endpoint="title-leaving-dates", credits=1)
        except WatchmodePreviewLimit:
            if page > 1:  # the plan changed mid-crawl: what was read stands, to the last date seen
                break
            return _preview(api, today, region)
        pages += 1
        rows = _rows(data)
        parsed = [parse_listing(r, region=region) for r in rows]
        found += [d for d in parsed if d is not None]
        unreadable += sum(d is None for d in parsed)
        total_pages = data.get("total_pages") if isinstance(data, Mapping) else None
        if not rows or not isinstance(total_pages, int) or page >= total_pages:
            # A listing that could not be read may be a stored departure: then nothing is taken as gone.
            seen_until = end if not unreadable else today - timedelta(days=1)
            return DepartureCrawl(found, seen_until.isoformat(), False, pages, unreadable)
        page += 1
    last = max((date.fromisoformat(d.date) for d in found), default=today)  # MAX_PAGES reached
    return DepartureCrawl(found, (last - timedelta(days=1)).isoformat(), False, pages, unreadable)


def _preview(api: LeavingDatesApi, today: date, region: str) -> DepartureCrawl:
    params = {"regions": region, "limit": PREVIEW_LIMIT}
    data = api.get("title-leaving-dates/", params, endpoint="title-leaving-dates", credits=1)
    rows = _rows(data)
    parsed = [parse_listing(r, region=region) for r in rows]
    found = [d for d in parsed if d is not None and d.date >= today.isoformat()]
    total = data.get("total_results") if isinstance(data, Mapping) else None
    whole = isinstance(total, int) and total <= len(rows)  # the preview showed every departure there is
    end = (today + timedelta(days=WINDOW_DAYS)).isoformat()
    # The tenth's date may have more departures than the preview showed: seen whole only up to the day before.
    last = max((date.fromisoformat(d.date) for d in found), default=today)
    unreadable = sum(d is None for d in parsed)
    if unreadable:  # as for a paid crawl: nothing is taken as gone
        last = today
    seen_until = end if whole and not unreadable else (last - timedelta(days=1)).isoformat()
    return DepartureCrawl(found, seen_until, True, 1, unreadable)


def merge_departures(
    stored: Iterable[Departure],
    listed: Iterable[Departure],
    *,
    seen_until: str,
    today: str,
    now: str,
) -> list[Departure]:
    """One source's departures after a crawl (`listed`: the crawl's listings of that source) that saw every
    departure up to `seen_until`: each listed one with its latest date (and the one before, when it moved)
    and its first-seen time kept; a stored one the crawl could not see (after `seen_until`) kept; gone ones
    (past, or no longer listed where the crawl saw everything) dropped. Soonest first."""
    before = {d.key: d for d in stored}
    merged: dict[tuple[str, str, int | None], Departure] = {}
    for new in listed:
        old = before.get(new.key)
        moved = old is not None and old.date != new.date
        merged[new.key] = new.model_copy(
            update={
                "first_seen": old.first_seen if old else now,
                "noticed": bool(old and old.noticed),
                "seen_at": now,
                "previous_date": old.date if moved and old else (old.previous_date if old else None),
            }
        )
    for key, old in before.items():
        if key not in merged and old.date >= today and old.date > seen_until:
            merged[key] = old
    ordered = sorted(merged.values(), key=lambda d: (d.date, d.title.casefold(), d.title_id, d.season or 0))
    return ordered[:MAX_PER_SOURCE]


def by_source(departures: Iterable[Departure]) -> dict[str, list[Departure]]:
    grouped: dict[str, list[Departure]] = {}
    for departure in departures:
        grouped.setdefault(departure.source_id, []).append(departure)
    return grouped


def stored_departures(item: Mapping[str, Any] | None) -> list[Departure]:
    """A source's departures as stored (an unreadable entry is left out)."""
    return stored_list(item, "departures", Departure)


def soonest_stored[M: DatedTitle](
    items: Iterable[Mapping[str, Any] | None], name: str, model: type[M], *, today: str, until: str
) -> list[M]:
    """The entries several sources' items keep under `name`, dated `today` to `until`, soonest first."""
    found = [d for item in items for d in stored_list(item, name, model) if today <= d.date <= until]
    return sorted(found, key=lambda d: (d.date, d.title.casefold(), d.source_id, d.season or 0))


class DepartureReader(TableRepository):
    """What the viewer API reads: its viewer's sources' departures (one BatchGetItem)."""

    def soonest(self, source_ids: Iterable[str], *, today: str, until: str) -> list[Departure]:
        items = self.batch_get([departures_key(s) for s in dict.fromkeys(source_ids)])
        return soonest_stored(items, "departures", Departure, today=today, until=until)
