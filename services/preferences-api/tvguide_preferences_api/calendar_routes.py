"""The viewer's private calendar link (signed in: see, create, revoke) and the feed behind it (public: the
link's long random token is the only key; an unknown, revoked or malformed token answers 404)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from tvguide.api import SECURITY, json_response
from tvguide.errors import NotFound
from tvguide.models import utc_now
from tvguide_preferences_api.calendar_feed import FEED_TTL, calendar_events, etag, render_ics
from tvguide_preferences_api.store import SECRET_TOKEN_PATTERN
from tvguide_preferences_api.wiring import (
    alert_inbox,
    calendar_links,
    caller,
    departures,
    preferences,
    reference,
    releases,
    watchlist,
)

router = Router()  # type: ignore[no-untyped-call]  # Powertools' Router has no annotations
FEED_DAYS = 120  # dates ahead in the feed
FEED_PREFIX = "/calendar-feeds/"
TOKEN = re.compile(SECRET_TOKEN_PATTERN)


def _link_view(link: dict[str, Any] | None) -> dict[str, Any]:
    if not link:
        return {"link": None}
    return {"link": {"path": f"{FEED_PREFIX}{link['token']}.ics", "created_at": link["created_at"]}}


@router.get("/calendar", security=SECURITY)
def get_calendar_link() -> Response[str]:
    """Your private calendar link's path (under this API's URL), or null when you have none."""
    return json_response(200, _link_view(calendar_links().get(caller(router).sub)))


@router.post("/calendar", security=SECURITY)
def create_calendar_link() -> Response[str]:
    """Create your private calendar link; an older one stops working at once."""
    link = calendar_links().create(caller(router).sub)
    return json_response(201, _link_view(link) | {"message": "Calendar link created"})


@router.delete("/calendar", security=SECURITY)
def revoke_calendar_link() -> Response[str]:
    """Revoke your calendar link: its URL answers 404 from now on (idempotent)."""
    revoked = calendar_links().revoke(caller(router).sub)
    message = "Calendar link revoked" if revoked else "You had no calendar link"
    return json_response(200, {"link": None, "message": message})


@router.get("/calendar-feeds/<token>")
def calendar_feed(token: str) -> Response[str]:
    """The iCalendar feed of a calendar link (no sign-in: the token is the key): the watchlisted titles'
    leaving and arriving dates on the link owner's sources for the next 120 days, and their arrivals of
    the last 30. Cacheable (ETag, If-None-Match answers 304)."""
    token = token.removesuffix(".ics")
    user = calendar_links().owner(token) if TOKEN.fullmatch(token) else None
    if user is None:
        raise NotFound("No such calendar")
    now = utc_now()
    today, until = now.date(), (now + timedelta(days=FEED_DAYS)).date().isoformat()
    sources = preferences().get(user).sources
    names = {i: s.name for i, s in reference().sources.items()}
    events = calendar_events(
        (str(e["title_id"]) for e in watchlist().entries(user)),
        departures().soonest(sources, today=today.isoformat(), until=until),
        releases().soonest(sources, today=today.isoformat(), until=until),
        alert_inbox().latest(user),
        names,
        today=today,
    )
    body = render_ics(events, now=now)
    tag = etag(body)
    headers = {"ETag": tag, "Cache-Control": f"private, max-age={int(FEED_TTL.total_seconds())}"}
    if tag in (router.current_event.headers or {}).get("If-None-Match", ""):
        return Response(status_code=304, headers=headers, body="")
    return Response(
        status_code=200,
        content_type="text/calendar; charset=utf-8",
        body=body.decode(),
        headers=headers | {"Content-Disposition": 'inline; filename="uk-tv-guide.ics"'},
    )
