"""Households: create one, invite by a one-time link, join, share services, leave; watch together.

Every route under `/household` answers 404 to a viewer who is not in a household (or names a member of
another one). An invite's token only travels in request bodies, never in a path (paths are logged)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from tvguide.api import SECURITY, json_response
from tvguide.errors import Conflict, Forbidden, InvalidRequest, NotFound
from tvguide.models import Preferences
from tvguide_preferences_api.household import (
    MAX_NAME,
    Household,
    InviteNotValid,
    Member,
    chosen_members,
    clean_name,
    household_view,
    valid_token,
    watch_together,
)
from tvguide_preferences_api.logic import How, watchlist_view
from tvguide_preferences_api.wiring import (
    caller,
    finder,
    households,
    preferences,
    reference,
    titles,
    watchlist,
)

router = Router()  # type: ignore[no-untyped-call]  # Powertools' Router has no annotations
NOT_VALID = "This invite link is not valid: it may have expired, been used or revoked"


def _me() -> tuple[str, Household]:
    user = caller(router).sub
    return user, households().membership(user)


def _view(household: Household, user: str, status: int = 200, **extra: object) -> Response[str]:
    return json_response(status, household_view(household, user, reference()) | extra)


def _default_name() -> str:
    who = caller(router)
    local = (who.verified_email or "").split("@")[0]
    return clean_name(local[:MAX_NAME]) if local else "Member"


Name = Annotated[str, Field(min_length=1, max_length=200)]


class NewHousehold(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name = Field(description="the household's name")
    your_name: Name | None = Field(default=None, description="how the others see you")


@router.get("/household", security=SECURITY)
def get_household() -> Response[str]:
    """Your household: its services, members and pending invites (404 when you are in none)."""
    user, household = _me()
    return _view(household, user)


@router.post("/household", security=SECURITY)
def create_household(body: NewHousehold) -> Response[str]:
    """Create a household with your services as its own; you can change its services and invite others."""
    user = caller(router).sub
    name = clean_name(body.name, "The household's name")
    member_name = clean_name(body.your_name, "Your name") if body.your_name else _default_name()
    mine = list(preferences().get(user).sources)
    households().create(user, name, member_name, mine)
    return _view(households().membership(user), user, 201, message="Household created")


class MemberSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = Field(default=None, description="how the others see you")
    share_watchlist: bool | None = Field(default=None, description="let the household see your watchlist")


@router.patch("/household/me", security=SECURITY)
def update_me(body: MemberSettings) -> Response[str]:
    """Your name in the household, and whether the others see your watchlist."""
    user, household = _me()
    name = clean_name(body.name, "Your name") if body.name is not None else None
    households().update_member(household.household_id, user, name=name, share_watchlist=body.share_watchlist)
    return _view(households().membership(user), user, message="Saved")


@router.delete("/household/me", security=SECURITY)
def leave_household() -> Response[str]:
    """Leave the household: you get back the services you had before joining; the last one out ends it."""
    user, household = _me()
    ended = households().leave(household, user)
    message = "You left the household; it has ended" if ended else "You left the household"
    return json_response(200, {"message": message, "ended": ended})


class NewInvite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    can_change_services: bool = Field(default=False, description="the new member may change the services")
    expires_in_hours: int = Field(default=48, ge=1, le=168, description="how long the link works (1-168 h)")


@router.post("/household/invites", security=SECURITY)
def create_invite(body: NewInvite) -> Response[str]:
    """A one-time invite link's token (shown this once): it works for one person, until it expires or is
    revoked. Only a member who can change the services may invite someone who can."""
    user, household = _me()
    member = household.member(user)
    if body.can_change_services and not (member and member.can_change_services):
        raise Forbidden("Only a member who can change the services can invite someone who can")
    invite, token = households().add_invite(
        household,
        member.name if member else "",
        body.can_change_services,
        timedelta(hours=body.expires_in_hours),
    )
    expires = datetime.fromtimestamp(invite.expires_at, UTC).isoformat(timespec="seconds")
    listed = {"invite_id": invite.invite_id, "can_change_services": invite.can_change_services}
    return json_response(201, listed | {"token": token, "expires_at": expires, "message": "Invite created"})


InviteId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", description="an invite's id")]


@router.delete("/household/invites/<invite_id>", security=SECURITY)
def revoke_invite(invite_id: InviteId) -> Response[str]:
    """Revoke a pending invite: its link stops working at once."""
    user, household = _me()
    if not households().revoke_invite(household.household_id, invite_id):
        raise NotFound("No such pending invite")
    return _view(households().membership(user), user, message="Invite revoked")


class InviteToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: Annotated[str, Field(min_length=1, max_length=200)]


class Join(InviteToken):
    name: Name | None = Field(default=None, description="how the others see you")


def _checked(token: str) -> str:
    if not valid_token(token):
        raise InviteNotValid(NOT_VALID)
    return token


@router.post("/household/invites/preview", security=SECURITY)
def preview_invite(body: InviteToken) -> Response[str]:
    """What an invite link invites you to (404 when it is not valid); it does not use the invite."""
    household, invite = households().invite_for(_checked(body.token))
    sources = reference().sources
    return json_response(
        200,
        {
            "name": household.name,
            "members": [m.name for m in household.members],
            "services": [sources[s].name for s in household.sources if s in sources],
            "can_change_services": invite.can_change_services,
            "invited_by": invite.created_by,
        },
    )


@router.post("/household/join", security=SECURITY)
def join_household(body: Join) -> Response[str]:
    """Join the household an invite link invites you to (the link is used up); your services become the
    household's, and your genres, watchlist and alerts stay yours."""
    user = caller(router).sub
    token = _checked(body.token)
    name = clean_name(body.name, "Your name") if body.name else _default_name()
    before = list(preferences().get(user).sources)
    household = households().join(user, token, name, before)
    return _view(household, user, message=f"You joined {household.name}")


Members = Annotated[
    str | None,
    Query(pattern=r"^[0-9a-f]{16}(,[0-9a-f]{16}){0,5}$", description="member ids, comma-separated"),
]


@router.get("/household/together", security=SECURITY)
def get_watch_together(
    members: Members = None,
    limit: Annotated[int, Query(ge=1, le=50, description="how many titles (max 50)")] = 30,
    how: Annotated[How, Query(description="as on /titles: the household's services of one kind")] = "any",
) -> Response[str]:
    """What you can watch together: titles on the household's services that suit every chosen member's
    genres (every member when none are named), best rated first; each says whose shared watchlist has it."""
    user, household = _me()
    chosen = chosen_members(household, (members or "").split(",") if members else ())
    genres_of = {m.user_id: preferences().get(m.user_id) for m in chosen}
    shared = {
        m.name: {str(e["title_id"]) for e in watchlist().entries(m.user_id)}
        for m in chosen
        if m.share_watchlist or m.user_id == user
    }
    items = watch_together(household, genres_of, finder(), reference(), shared, limit=limit, how=how)
    return json_response(200, {"items": items, "members": [m.member_id for m in chosen], "count": len(items)})


MemberId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="a member's id")]


@router.get("/household/members/<member_id>/watchlist", security=SECURITY)
def get_member_watchlist(member_id: MemberId) -> Response[str]:
    """A member's watchlist, when they share it with the household (404 otherwise)."""
    user, household = _me()
    member = _member_by_id(household, member_id)
    if not (member.share_watchlist or member.user_id == user):
        raise NotFound("No shared watchlist for this member")
    entries = watchlist().entries(member.user_id)
    records = titles().get_many(str(e["title_id"]) for e in entries)
    items = watchlist_view(entries, records, finder(), set(household.sources))
    return json_response(200, {"member": member.name, "items": items, "count": len(items)})


def _member_by_id(household: Household, member_id: str) -> Member:
    member = next((m for m in household.members if m.member_id == member_id), None)
    if member is None:
        raise NotFound("No such member in your household")
    return member


def _with_the_right(household: Household, user: str) -> None:
    me = household.member(user)
    if not (me and me.can_change_services):
        raise Forbidden("Only a member who can change the services can do this")


class MemberRight(BaseModel):
    model_config = ConfigDict(extra="forbid")
    can_change_services: bool


@router.patch("/household/members/<member_id>", security=SECURITY)
def set_member_right(member_id: MemberId, body: MemberRight) -> Response[str]:
    """Let a member change the services, or not (only a member who can may; someone always can)."""
    user, household = _me()
    member = _member_by_id(household, member_id)
    _with_the_right(household, user)
    others = [m for m in household.members if m.can_change_services and m.user_id != member.user_id]
    if not body.can_change_services and not others:
        raise Conflict("Someone in the household must be able to change its services")
    households().set_right(household.household_id, member.user_id, body.can_change_services)
    return _view(households().membership(user), user, message="Saved")


@router.delete("/household/members/<member_id>", security=SECURITY)
def remove_member(member_id: MemberId) -> Response[str]:
    """Take a member out of the household (a member who can change the services may): they get back the
    services they had before joining, and lose access at once."""
    user, household = _me()
    member = _member_by_id(household, member_id)
    if member.user_id == user:
        raise InvalidRequest("To leave the household, use DELETE /household/me")
    _with_the_right(household, user)
    households().leave(household, member.user_id)
    return _view(households().membership(user), user, message=f"{member.name} is no longer in the household")


def household_preferences(user: str, wanted: Preferences) -> bool:
    """Save a household member's preferences: their genres are their own; a change of services is the
    household's (Forbidden without the right). False when the viewer is in no household."""
    household = households().household_of(user)
    if household is None:
        return False
    if set(wanted.sources) != set(household.sources):
        member = household.member(user)
        if not (member and member.can_change_services):
            raise Forbidden("Your services are your household's: a member who can change them must do it")
        households().set_services(household, list(wanted.sources))
    households().save_genres(user, list(wanted.genres), list(wanted.sources))
    return True
