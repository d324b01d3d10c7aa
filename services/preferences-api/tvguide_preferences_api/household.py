"""What a household sees, independent of HTTP: its view, names checked, and "watch together" (titles on the
household's services that suit every chosen member's genres, best rated first)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tvguide.errors import Conflict, InvalidRequest, NotFound
from tvguide.models import Preferences
from tvguide_preferences_api.logic import How, ReferenceCache, TitleFinder, build_query
from tvguide_preferences_api.store import SECRET_TOKEN_PATTERN

MAX_MEMBERS = 6
MAX_PENDING_INVITES = 10
HOUSEHOLD_SK = "HOUSEHOLD"


class NotInHousehold(NotFound):
    """The viewer is in no household (or not in this one): every household route answers 404."""


class InviteNotValid(NotFound):
    """Unknown, used, expired or revoked: the same answer for each, so a link says nothing of others."""


class AlreadyInHousehold(Conflict):
    """A viewer is in one household at most."""


class HouseholdFull(Conflict):
    """MAX_MEMBERS members already."""


class HouseholdChanged(Conflict):
    """The household changed while this was written: try again."""


@dataclass(frozen=True)
class Member:
    user_id: str
    member_id: str
    name: str
    can_change_services: bool
    share_watchlist: bool
    joined_at: str
    sources_before: tuple[str, ...] = ()


@dataclass(frozen=True)
class Invite:
    invite_id: str
    expires_at: int  # epoch seconds
    can_change_services: bool
    created_by: str  # the inviting member's name
    created_at: str


@dataclass(frozen=True)
class Household:
    household_id: str
    name: str
    sources: tuple[str, ...]
    version: int
    created_at: str
    members: list[Member] = field(default_factory=list)
    invites: list[Invite] = field(default_factory=list)  # pending (unexpired) ones

    def member(self, user_id: str) -> Member | None:
        return next((m for m in self.members if m.user_id == user_id), None)


def member_from_item(item: dict[str, Any]) -> Member:
    return Member(
        user_id=str(item["user_id"]),
        member_id=str(item["member_id"]),
        name=str(item.get("name") or "Member"),
        can_change_services=bool(item.get("can_change_services")),
        share_watchlist=bool(item.get("share_watchlist")),
        joined_at=str(item.get("joined_at") or ""),
        sources_before=tuple(str(s) for s in item.get("sources_before") or []),
    )


def invite_from_item(item: dict[str, Any]) -> Invite:
    return Invite(
        invite_id=str(item["invite_id"]),
        expires_at=int(item["expires_at"]),
        can_change_services=bool(item.get("can_change_services")),
        created_by=str(item.get("created_by") or ""),
        created_at=str(item.get("created_at") or ""),
    )


MAX_NAME = 40
TOGETHER_PAGE = 100
TOGETHER_MAX_PAGES = 5  # at most 500 titles read to find the ones every member's genres suit
INVITE_TOKEN = re.compile(SECRET_TOKEN_PATTERN)


def clean_name(value: str, what: str = "name") -> str:
    """A name shown to other people: trimmed, spaces collapsed, no control or format characters."""
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if any(unicodedata.category(c) in {"Cc", "Cf", "Co", "Cs"} for c in text):
        raise InvalidRequest(f"{what} has characters that cannot be shown")
    if not 1 <= len(text) <= MAX_NAME:
        raise InvalidRequest(f"{what} must be 1 to {MAX_NAME} characters")
    return text


def valid_token(token: str) -> bool:
    return bool(INVITE_TOKEN.match(token))


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def member_view(member: Member, you: str) -> dict[str, Any]:
    return {
        "member_id": member.member_id,
        "name": member.name,
        "can_change_services": member.can_change_services,
        "share_watchlist": member.share_watchlist,
        "joined_at": member.joined_at,
        "you": member.user_id == you,
    }


def household_view(household: Household, you: str, reference: ReferenceCache) -> dict[str, Any]:
    """The household as a member sees it: services by name, members (with which one is you), and pending
    invites (never their tokens)."""
    sources = reference.sources
    return {
        "name": household.name,
        "created_at": household.created_at,
        "services": [{"id": s, "name": sources[s].name if s in sources else s} for s in household.sources],
        "members": [member_view(m, you) for m in household.members],
        "invites": [
            {
                "invite_id": i.invite_id,
                "expires_at": _iso(i.expires_at),
                "can_change_services": i.can_change_services,
                "created_by": i.created_by,
            }
            for i in household.invites
        ],
    }


def chosen_members(household: Household, member_ids: Iterable[str]) -> list[Member]:
    """The members asked for (every member when none are named); an id not of this household is a 400."""
    wanted = list(dict.fromkeys(member_ids))
    if not wanted:
        return list(household.members)
    by_id = {m.member_id: m for m in household.members}
    unknown = [m for m in wanted if m not in by_id]
    if unknown:
        raise InvalidRequest(f"not members of your household: {', '.join(unknown)}")
    return [by_id[m] for m in wanted]


def suits_everyone(title: Mapping[str, Any], genre_sets: list[set[str]]) -> bool:
    """A title suits a member with no genres chosen, or one of whose genres it has."""
    genres = {str(g) for g in title.get("genre_ids") or []}
    return all(not wanted or wanted & genres for wanted in genre_sets)


def watch_together(
    household: Household,
    genres_of: Mapping[str, Preferences],
    finder: TitleFinder,
    reference: ReferenceCache,
    shared_watchlists: Mapping[str, set[str]],
    *,
    limit: int,
    how: How = "any",
) -> list[dict[str, Any]]:
    """Titles on the household's (active) services that suit every chosen member's genres, best rated first,
    each marked with the members whose shared watchlist holds it; `how` keeps the services of one kind
    (included, free...: as on `/titles`). `genres_of` holds the chosen members'
    preferences (by user id); `shared_watchlists` the title ids on each sharing member's list (by name).

    Read from the feed of the member with the fewest genres (the narrowest), by rating, and filtered by the
    others': at most TOGETHER_MAX_PAGES pages, so the cost is bounded whatever the catalogue."""
    genre_sets = [set(p.genres) for p in genres_of.values()]
    narrowest = min((g for g in genre_sets if g), key=len, default=set())
    wanted = Preferences(sources=household.sources, genres=tuple(sorted(narrowest)))
    query = build_query(wanted, reference, sort="rating", limit=TOGETHER_PAGE, how=how)
    if not query.sources:
        return []
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(TOGETHER_MAX_PAGES):
        page = finder.find(query, cursor)
        for title in page.items:
            if suits_everyone(title, genre_sets):
                on = [name for name, ids in shared_watchlists.items() if title["id"] in ids]
                found.append(title | {"on_shared_watchlists": on})
        cursor = page.next_cursor
        if len(found) >= limit or not cursor:
            break
    return found[:limit]
