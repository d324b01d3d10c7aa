"""Households in the table: the viewer API is their only writer.

- `HOUSEHOLD#<id>` / `HOUSEHOLD`: its name, its shared `sources`, `member_count` and `version` (a change of
  services bumps it, so a join that read the services before cannot copy stale ones).
- `HOUSEHOLD#<id>` / `MEMBER#<sub>`: a member's name, rights, whether their watchlist is shared, and the
  services they had before joining (theirs again when they leave).
- `HOUSEHOLD#<id>` / `INVITE#<invite id>`: a pending invite, as its household lists it; its lookup item
  `HOUSEHOLD_INVITE#<sha256 of the token>` is what a link opens (the token itself is never stored).
- `USER#<sub>` / `HOUSEHOLD`: which household a viewer is in (one at most).

One Query of the household's partition reads all of it. A member's services are the household's: they are
written onto each member's own preferences item (its `sources` only), so everything that reads a viewer's
services (titles, alerts, the pipeline's demand) needs nothing else. Joining, leaving and changing the
services are each one transaction: nothing is half-written.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key

from tvguide.errors import Conflict
from tvguide.models import iso_now, utc_now
from tvguide.repositories import PREFERENCES_INDEX_KEY, TableRepository, from_dynamo
from tvguide.update_expression import Update
from tvguide_preferences_api.household import (
    HOUSEHOLD_SK,
    MAX_MEMBERS,
    MAX_PENDING_INVITES,
    AlreadyInHousehold,
    Household,
    HouseholdChanged,
    HouseholdFull,
    Invite,
    InviteNotValid,
    NotInHousehold,
    invite_from_item,
    member_from_item,
)
from tvguide_preferences_api.store import token_digest


def household_pk(household_id: str) -> str:
    return f"HOUSEHOLD#{household_id}"


def _pointer_key(user_id: str) -> dict[str, str]:
    return {"pk": f"USER#{user_id}", "sk": HOUSEHOLD_SK}


def _meta_key(household_id: str) -> dict[str, str]:
    return {"pk": household_pk(household_id), "sk": HOUSEHOLD_SK}


def _member_key(household_id: str, user_id: str) -> dict[str, str]:
    return {"pk": household_pk(household_id), "sk": f"MEMBER#{user_id}"}


def _invite_key(household_id: str, invite_id: str) -> dict[str, str]:
    return {"pk": household_pk(household_id), "sk": f"INVITE#{invite_id}"}


def _lookup_key(token: str) -> dict[str, str]:
    return {"pk": f"HOUSEHOLD_INVITE#{token_digest(token)}", "sk": "HOUSEHOLD_INVITE"}


def _preferences_key(user_id: str) -> dict[str, str]:
    return {"pk": f"USER#{user_id}", "sk": "PREFERENCES"}


def _sources_update(user_id: str, sources: list[str]) -> dict[str, Any]:
    """A transaction's Update of a member's own preferences item: its `sources` only (the genres are the
    member's: an item made here starts with none)."""
    return {
        "Update": {
            "Key": _preferences_key(user_id),
            "UpdateExpression": "SET sources = :s, genres = if_not_exists(genres, :none), user_id = :u, "
            "gsi1pk = :g, gsi1sk = :gs, updated_at = :now",
            "ExpressionAttributeValues": {
                ":s": sources,
                ":none": [],
                ":u": user_id,
                ":g": PREFERENCES_INDEX_KEY,
                ":gs": f"USER#{user_id}",
                ":now": iso_now(),
            },
        }
    }


class HouseholdStore(TableRepository):
    def _transact(self, writes: list[dict[str, Any]]) -> None:
        for write in writes:
            next(iter(write.values()))["TableName"] = self.table_name
        self.resource.meta.client.transact_write_items(TransactItems=writes)

    @property
    def _cancelled(self) -> type[Exception]:
        return self.resource.meta.client.exceptions.TransactionCanceledException  # type: ignore[no-any-return]

    def household_id_of(self, user_id: str) -> str | None:
        item = self.table.get_item(Key=_pointer_key(user_id), ConsistentRead=True).get("Item")
        return str(item["household_id"]) if item else None

    def load(self, household_id: str, now: datetime | None = None) -> Household | None:
        """The household, its members and its pending invites: one consistent Query."""
        items = list(
            self._query_all(
                KeyConditionExpression=Key("pk").eq(household_pk(household_id)), ConsistentRead=True
            )
        )
        meta = next((i for i in items if i["sk"] == HOUSEHOLD_SK), None)
        if meta is None:
            return None
        cutoff = int((now or utc_now()).timestamp())
        found = (member_from_item(i) for i in items if str(i["sk"]).startswith("MEMBER#"))
        members = sorted(found, key=lambda m: m.joined_at)
        invites = [invite_from_item(i) for i in items if str(i["sk"]).startswith("INVITE#")]
        return Household(
            household_id=household_id,
            name=str(meta["name"]),
            sources=tuple(str(s) for s in meta.get("sources") or []),
            version=int(meta.get("version") or 0),
            created_at=str(meta.get("created_at") or ""),
            members=members,
            invites=sorted((i for i in invites if i.expires_at > cutoff), key=lambda i: i.expires_at),
        )

    def household_of(self, user_id: str) -> Household | None:
        """The viewer's household, read consistently (a member who left is out at once), or None."""
        household_id = self.household_id_of(user_id)
        household = self.load(household_id) if household_id else None
        return household if household is not None and household.member(user_id) is not None else None

    def membership(self, user_id: str) -> Household:
        """The viewer's household; NotInHousehold (404) when they are in none."""
        household = self.household_of(user_id)
        if household is None:
            raise NotInHousehold("You are not in a household")
        return household

    def create(self, user_id: str, name: str, member_name: str, sources: list[str]) -> str:
        household_id, now = secrets.token_hex(8), utc_now().isoformat()  # joined_at orders members
        meta = {"name": name, "sources": sources, "member_count": 1, "version": 1, "created_at": now}
        member = {
            "user_id": user_id,
            "member_id": secrets.token_hex(8),
            "name": member_name,
            "can_change_services": True,
            "share_watchlist": False,
            "joined_at": now,
            "sources_before": sources,
        }
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "Item": _pointer_key(user_id) | {"household_id": household_id, "joined_at": now},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"Item": _meta_key(household_id) | meta}},
            {"Put": {"Item": _member_key(household_id, user_id) | member}},
        ]
        try:
            self._transact(writes)
        except self._cancelled:
            raise AlreadyInHousehold("You are in a household already: leave it first") from None
        return household_id

    def add_invite(
        self, household: Household, created_by: str, can_change_services: bool, lifetime: timedelta
    ) -> tuple[Invite, str]:
        """A new invite and its token (returned once: only its hash is kept)."""
        if len(household.invites) >= MAX_PENDING_INVITES:
            raise Conflict(f"A household has at most {MAX_PENDING_INVITES} pending invites: revoke one first")
        token, invite_id = secrets.token_urlsafe(32), secrets.token_hex(6)
        expires_at = int((utc_now() + lifetime).timestamp())
        invite = Invite(invite_id, expires_at, can_change_services, created_by, iso_now())
        shared = {
            "invite_id": invite_id,
            "expires_at": expires_at,
            "can_change_services": can_change_services,
            "purge_at": expires_at + 86_400,
        }
        listing = shared | {
            "created_by": created_by,
            "created_at": invite.created_at,
            "hash": token_digest(token),
        }
        self._transact(
            [
                {"Put": {"Item": _invite_key(household.household_id, invite_id) | listing}},
                {"Put": {"Item": _lookup_key(token) | shared | {"household_id": household.household_id}}},
            ]
        )
        return invite, token

    def revoke_invite(self, household_id: str, invite_id: str) -> bool:
        item = self.table.get_item(Key=_invite_key(household_id, invite_id), ConsistentRead=True).get("Item")
        if not item:
            return False
        lookup = {"pk": f"HOUSEHOLD_INVITE#{item['hash']}", "sk": "HOUSEHOLD_INVITE"}
        self._transact(
            [{"Delete": {"Key": _invite_key(household_id, invite_id)}}, {"Delete": {"Key": lookup}}]
        )
        return True

    def invite_for(self, token: str) -> tuple[Household, Invite]:
        """The household a valid (known, unused, unexpired) token invites to; InviteNotValid otherwise."""
        item = self.table.get_item(Key=_lookup_key(token), ConsistentRead=True).get("Item")
        if not item or int(item["expires_at"]) <= int(utc_now().timestamp()):
            raise InviteNotValid("This invite link is not valid: it may have expired, been used or revoked")
        household = self.load(str(item["household_id"]))
        if household is None:
            raise InviteNotValid("This invite link is not valid: it may have expired, been used or revoked")
        return household, invite_from_item(from_dynamo(item))

    def join(self, user_id: str, token: str, name: str, sources_before: list[str]) -> Household:
        """Use the invite (once) and join its household; the member's services become the household's."""
        if self.household_id_of(user_id):
            raise AlreadyInHousehold("You are in a household already: leave it first")
        household, invite = self.invite_for(token)
        if len(household.members) >= MAX_MEMBERS:
            raise HouseholdFull(f"This household has {MAX_MEMBERS} members already")
        now, hid = utc_now().isoformat(), household.household_id
        member = {
            "user_id": user_id,
            "member_id": secrets.token_hex(8),
            "name": name,
            "can_change_services": invite.can_change_services,
            "share_watchlist": False,
            "joined_at": now,
            "sources_before": sources_before,
        }
        writes: list[dict[str, Any]] = [
            {
                "Delete": {
                    "Key": _lookup_key(token),
                    "ConditionExpression": "attribute_exists(pk) AND expires_at > :now",
                    "ExpressionAttributeValues": {":now": int(utc_now().timestamp())},
                }
            },
            {"Delete": {"Key": _invite_key(hid, invite.invite_id)}},
            {
                "Update": {
                    "Key": _meta_key(hid),
                    "UpdateExpression": "ADD member_count :one",
                    "ConditionExpression": "attribute_exists(pk) AND version = :v AND member_count < :max",
                    "ExpressionAttributeValues": {":one": 1, ":v": household.version, ":max": MAX_MEMBERS},
                }
            },
            {
                "Put": {
                    "Item": _member_key(hid, user_id) | member,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "Item": _pointer_key(user_id) | {"household_id": hid, "joined_at": now},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            _sources_update(user_id, list(household.sources)),
        ]
        try:
            self._transact(writes)
        except self._cancelled:
            # Which condition failed: asked again in the same order as above (each raises its own answer).
            if self.household_id_of(user_id):
                raise AlreadyInHousehold("You are in a household already: leave it first") from None
            household, _ = self.invite_for(token)
            if len(household.members) >= MAX_MEMBERS:
                raise HouseholdFull(f"This household has {MAX_MEMBERS} members already") from None
            raise HouseholdChanged("The household changed meanwhile: try again") from None
        joined = self.load(hid)
        if joined is None:  # ended in the moment since: the join above would have failed
            raise NotInHousehold("You are not in a household")
        return joined

    def leave(self, household: Household, user_id: str) -> bool:
        """Leave; the member gets back the services they had before joining. The last one out ends the
        household (its invites go with it). True when it ended."""
        member = household.member(user_id)
        if member is None:
            raise NotInHousehold("You are not in a household")
        hid = household.household_id
        last = len(household.members) <= 1
        meta: dict[str, Any] = (
            {
                "Delete": {
                    "Key": _meta_key(hid),
                    "ConditionExpression": "member_count <= :one",
                    "ExpressionAttributeValues": {":one": 1},
                }
            }
            if last
            else {
                "Update": {
                    "Key": _meta_key(hid),
                    "UpdateExpression": "ADD member_count :minus",
                    "ExpressionAttributeValues": {":minus": -1},
                }
            }
        )
        writes: list[dict[str, Any]] = [
            {"Delete": {"Key": _pointer_key(user_id)}},
            {"Delete": {"Key": _member_key(hid, user_id), "ConditionExpression": "attribute_exists(pk)"}},
            meta,
            _sources_update(user_id, list(member.sources_before)),
        ]
        try:
            self._transact(writes)
        except self._cancelled:
            raise HouseholdChanged("The household changed meanwhile: try again") from None
        if last:  # its pending invites: no link may open a household that ended
            for invite in household.invites:
                self.revoke_invite(hid, invite.invite_id)
        return last

    def set_services(self, household: Household, sources: list[str]) -> None:
        """The household's services, onto every member's own preferences, in one transaction."""
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "Key": _meta_key(household.household_id),
                    "UpdateExpression": "SET sources = :s, updated_at = :now ADD version :one",
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {
                        ":s": sources,
                        ":now": iso_now(),
                        ":one": 1,
                        ":v": household.version,
                    },
                }
            },
            *(_sources_update(m.user_id, sources) for m in household.members),
        ]
        try:
            self._transact(writes)
        except self._cancelled:
            raise HouseholdChanged("The household changed meanwhile: reload and try again") from None

    def update_member(
        self, household_id: str, user_id: str, *, name: str | None, share_watchlist: bool | None
    ) -> None:
        """The member's own fields only."""
        update = Update()
        if name is not None:
            update.set("name", name)
        if share_watchlist is not None:
            update.set("share_watchlist", share_watchlist)
        if update.empty:
            return
        try:
            self.table.update_item(
                Key=_member_key(household_id, user_id), **update.arguments(condition="attribute_exists(pk)")
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            raise NotInHousehold("You are not in a household") from None

    def set_right(self, household_id: str, user_id: str, can_change_services: bool) -> None:
        """Whether a member may change the services (another member with that right decides)."""
        try:
            self.table.update_item(
                Key=_member_key(household_id, user_id),
                UpdateExpression="SET can_change_services = :c",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":c": can_change_services},
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            raise NotInHousehold("No such member") from None

    def save_genres(self, user_id: str, genres: list[str], household_sources: list[str]) -> None:
        """A member's own genres (their services are the household's: written only where the item has none
        yet). The item keeps every key the preferences index and the pipeline's demand reader need."""
        self.table.update_item(
            Key=_preferences_key(user_id),
            UpdateExpression="SET genres = :g, sources = if_not_exists(sources, :s), user_id = :u, "
            "gsi1pk = :gp, gsi1sk = :gs, updated_at = :now",
            ExpressionAttributeValues={
                ":g": genres,
                ":s": household_sources,
                ":u": user_id,
                ":gp": PREFERENCES_INDEX_KEY,
                ":gs": f"USER#{user_id}",
                ":now": iso_now(),
            },
        )
