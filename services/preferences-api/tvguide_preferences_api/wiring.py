"""What the viewer API's routes share: the caller's identity and the stores and caches they use, built
once per container."""

from __future__ import annotations

from functools import cache
from typing import Any

from tvguide.availability_news import AvailabilityNewsReader
from tvguide.crawls import CrawlStateReader
from tvguide.departures import DepartureReader
from tvguide.feed.heads import FeedIndex
from tvguide.identity import Caller, caller_from_claims
from tvguide.releases import ReleaseReader
from tvguide.repositories import PreferencesRepository, TitleRepository
from tvguide.runtime import (
    new_dynamodb_resource,
    preferences_repository,
    reference_repository,
    title_repository,
)
from tvguide.search import SearchIndex
from tvguide_preferences_api.household_store import HouseholdStore
from tvguide_preferences_api.import_store import ImportStore
from tvguide_preferences_api.logic import ReferenceCache, TitleFinder
from tvguide_preferences_api.settings import preferences_api_settings as settings
from tvguide_preferences_api.store import (
    AlertInbox,
    AlertSettingsStore,
    CalendarLinkStore,
    PushDeviceStore,
    WatchlistStore,
)


def caller(resolver: Any) -> Caller:
    """The signed-in viewer (NotSignedIn, answered 401, without one): the Cognito claims the gateway's
    authorizer passed."""
    return caller_from_claims(resolver.current_event.request_context.authorizer.claims)


def titles() -> TitleRepository:
    return title_repository(settings().table_name)


def preferences() -> PreferencesRepository:
    return preferences_repository(settings().table_name)


@cache
def reference() -> ReferenceCache:
    return ReferenceCache(reference_repository(settings().table_name))


def finder() -> TitleFinder:
    return TitleFinder(titles(), reference(), feed_index())


def _table() -> dict[str, Any]:
    return {"table_name": settings().table_name, "resource_factory": new_dynamodb_resource}


@cache
def feed_index() -> FeedIndex:
    return FeedIndex(**_table())


@cache
def crawl_states() -> CrawlStateReader:
    return CrawlStateReader(**_table())


@cache
def watchlist() -> WatchlistStore:
    return WatchlistStore(**_table())


@cache
def alert_inbox() -> AlertInbox:
    return AlertInbox(**_table())


@cache
def alert_settings() -> AlertSettingsStore:
    return AlertSettingsStore(**_table())


@cache
def news() -> AvailabilityNewsReader:
    return AvailabilityNewsReader(**_table())


@cache
def departures() -> DepartureReader:
    return DepartureReader(**_table())


@cache
def releases() -> ReleaseReader:
    return ReleaseReader(**_table())


@cache
def search_index() -> SearchIndex:
    return SearchIndex(**_table())


@cache
def calendar_links() -> CalendarLinkStore:
    return CalendarLinkStore(**_table())


@cache
def push_devices() -> PushDeviceStore:
    return PushDeviceStore(**_table())


@cache
def households() -> HouseholdStore:
    return HouseholdStore(**_table())


@cache
def imports() -> ImportStore:
    return ImportStore(**_table())
