"""The viewer's watchlist and availability alerts (routes included by the handler's resolver)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from tvguide.api import SECURITY, json_response
from tvguide.errors import InvalidRequest, NotFound
from tvguide_preferences_api.logic import alerts_view, watchlist_view
from tvguide_preferences_api.store import MAX_ALERTS_MARKED, MAX_WATCHLIST
from tvguide_preferences_api.wiring import (
    alert_inbox,
    alert_settings,
    caller,
    finder,
    preferences,
    reference,
    titles,
    watchlist,
)

router = Router()  # type: ignore[no-untyped-call]  # Powertools' Router has no annotations
TitleId = Annotated[str, Path(pattern=r"^\d{1,9}$", description="a title's id")]


@router.get("/watchlist", security=SECURITY)
def get_watchlist(
    streamable: Annotated[bool, Query(description="only titles on one of your sources now")] = False,
) -> Response[str]:
    """Your watchlist, oldest first: each title says whether it is streamable now on one of your sources,
    and where."""
    user = caller(router).sub
    entries = watchlist().entries(user)
    records = titles().get_many(str(e["title_id"]) for e in entries)
    mine = set(preferences().get(user).sources)
    items = watchlist_view(entries, records, finder(), mine)
    if streamable:
        items = [i for i in items if i["streamable"]]
    return json_response(200, {"items": items, "count": len(items), "limit": MAX_WATCHLIST})


@router.put("/watchlist/<title_id>", security=SECURITY)
def add_to_watchlist(title_id: TitleId) -> Response[str]:
    """Add a title the product knows (404 otherwise); idempotent; at most 500 titles (409 past that)."""
    user = caller(router).sub
    if titles().get(title_id) is None:
        raise NotFound(f"No title {title_id} in the guide")
    added = watchlist().add(user, title_id)  # WatchlistFull: a Conflict (409)
    message = "Added to your watchlist" if added else "Already on your watchlist"
    return json_response(200, {"message": message, "title_id": title_id})


@router.delete("/watchlist/<title_id>", security=SECURITY)
def remove_from_watchlist(title_id: TitleId) -> Response[str]:
    """Remove a title (idempotent)."""
    watchlist().remove(caller(router).sub, title_id)
    return json_response(200, {"message": "Removed from your watchlist", "title_id": title_id})


@router.get("/notifications", security=SECURITY)
def list_notifications() -> Response[str]:
    """Your latest availability alerts (at most 50, newest first) and how many are unread: a title on your
    watchlist arrived on, or left, one of your sources."""
    user = caller(router).sub
    items = alerts_view(alert_inbox().latest(user), reference().sources)
    unread = len(alert_inbox().unread(user))
    return json_response(200, {"items": items, "unread": unread})


class ReadBody(BaseModel):
    """The alerts to mark read; without `ids`, every unread alert."""

    model_config = ConfigDict(extra="forbid")
    ids: list[Annotated[str, Field(min_length=1, max_length=120)]] | None = Field(
        default=None, max_length=MAX_ALERTS_MARKED
    )


@router.post("/notifications/read", security=SECURITY)
def mark_notifications_read(body: ReadBody) -> Response[str]:
    """Mark alerts read (idempotent; ids that are not yours are ignored)."""
    user = caller(router).sub
    ids = body.ids if body.ids is not None else alert_inbox().unread(user)
    marked = alert_inbox().mark_read(user, ids)
    return json_response(200, {"message": f"{marked} alert(s) marked read", "marked": marked})


class AlertSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email_alerts: bool = Field(description="also email alerts to your sign-in address")
    email_frequency: Literal["instant", "weekly"] = Field(
        default="instant",
        description="instant: each alert at once; weekly: one email a week of what arrived on your services",
    )


@router.get("/notifications/settings", security=SECURITY)
def get_alert_settings() -> Response[str]:
    """Whether your alerts are also emailed, and to which address."""
    return json_response(200, alert_settings().get(caller(router).sub))


@router.put("/notifications/settings", security=SECURITY)
def put_alert_settings(body: AlertSettings) -> Response[str]:
    """Turn email alerts on or off, each at once or as a weekly digest; they go to the email address you sign
    in with, once it is verified."""
    who = caller(router)
    if body.email_alerts and not who.email:
        raise InvalidRequest("Your account has no email address to send alerts to")
    if body.email_alerts and not who.verified_email:
        raise InvalidRequest("Verify your email address first: alerts are only emailed to a verified address")
    alert_settings().put(
        who.sub,
        email_alerts=body.email_alerts,
        email=who.verified_email or None,
        frequency=body.email_frequency,
    )
    return json_response(200, alert_settings().get(who.sub) | {"message": "Alert settings saved"})
