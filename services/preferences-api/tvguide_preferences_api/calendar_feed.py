"""A viewer's private calendar feed (iCalendar, RFC 5545): their watchlisted titles' dates on their
sources — leaving (a departure's date, which can move), arriving (a release) and arrived (an alert) — as
all-day events. Independent of Lambda and DynamoDB.

An event's UID is stable for what it is, not for its date: a departure whose date moves keeps its UID and
gets a higher SEQUENCE (the moves it has seen), so calendar apps move the event instead of adding one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from tvguide.departures import Departure
from tvguide.releases import Release

PRODUCT_ID = "-//UK TV Guide//Watchlist dates//EN"
UID_DOMAIN = "uk-tv-guide"
FEED_TTL = timedelta(hours=6)  # how often calendar apps are asked to fetch it again
PAST_DAYS = 30  # arrivals kept this long in the feed


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    day: str  # ISO date
    summary: str
    description: str
    sequence: int = 0


def _season(season: int | None) -> str:
    return f" (season {season})" if season else ""


def _uid(kind: str, *parts: object) -> str:
    return f"{kind}-" + "-".join(str(p) for p in parts if p is not None) + f"@{UID_DOMAIN}"


def calendar_events(
    watched: Iterable[str],
    departures: Iterable[Departure],
    releases: Iterable[Release],
    alerts: Iterable[Mapping[str, Any]],
    source_names: Mapping[str, str],
    *,
    today: date,
) -> list[CalendarEvent]:
    """The feed's events for titles on the watchlist (`watched`: title ids), on the viewer's sources (the
    departures and releases passed are theirs; alerts only name their sources), by date then summary."""
    ids = set(watched)

    def name(source_id: str) -> str:
        return source_names.get(source_id, f"source {source_id}")

    events: list[CalendarEvent] = []
    for d in departures:
        if d.title_id not in ids:
            continue
        moved = f" It was due to leave on {d.previous_date}." if d.previous_date else ""
        events.append(
            CalendarEvent(
                uid=_uid("leaving", d.title_id, d.source_id, d.season),
                day=d.date,
                summary=f"Leaving {name(d.source_id)}: {d.title}{_season(d.season)}",
                description=f"{d.title}{_season(d.season)} leaves {name(d.source_id)}.{moved}",
                sequence=1 if d.previous_date else 0,
            )
        )
    for r in releases:
        if r.title_id not in ids:
            continue
        events.append(
            CalendarEvent(
                uid=_uid("arriving", r.title_id, r.source_id, r.season),
                day=r.date,
                summary=f"On {name(r.source_id)}: {r.title}{_season(r.season)}",
                description=f"{r.title}{_season(r.season)} arrives on {name(r.source_id)}.",
            )
        )
    oldest = (today - timedelta(days=PAST_DAYS)).isoformat()
    for alert in alerts:
        day = str(alert.get("at") or "")[:10]
        arrived = [str(s) for s in alert.get("arrived") or []]
        if not arrived or str(alert.get("title_id")) not in ids or day < oldest:
            continue
        where = ", ".join(name(s) for s in arrived)
        events.append(
            CalendarEvent(
                uid=_uid("arrived", alert.get("change_id") or alert.get("alert_id")),
                day=day,
                summary=f"Now on {where}: {alert.get('title')}",
                description=f"{alert.get('title')} arrived on {where}.",
            )
        )
    return sorted(events, key=lambda e: (e.day, e.summary, e.uid))


def render_ics(events: Iterable[CalendarEvent], *, now: datetime, name: str = "UK TV Guide") -> bytes:
    """The events as an iCalendar document (all-day events; DTSTAMP is `now`, in UTC)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", FEED_TTL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", FEED_TTL)
    for e in events:
        start = date.fromisoformat(e.day)
        event = Event()
        event.add("uid", e.uid)
        event.add("dtstamp", now)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(days=1))
        event.add("summary", e.summary)
        event.add("description", e.description)
        event.add("sequence", e.sequence)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def etag(body: bytes) -> str:
    """A strong validator of the feed's content (DTSTAMP left out, so an unchanged feed keeps its tag)."""
    lines = [line for line in body.splitlines() if not line.startswith(b"DTSTAMP")]
    return '"' + hashlib.sha256(b"\n".join(lines)).hexdigest()[:32] + '"'
