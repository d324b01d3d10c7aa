"""Typed domain models shared by every service.

Ids are strings everywhere inside the product (the site's contract uses string ids); the Watchmode client
converts its integer ids at the edge. Models parse tolerantly (unknown fields are ignored) because Watchmode
adds fields over time.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import uuid4

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from tvguide.offers import Offer, parse_offers


def _to_id(value: Any) -> str:
    """Accept ints or digit strings as ids; reject anything else."""
    if isinstance(value, bool):
        raise ValueError("an id must be a number or a string of digits")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("an id must be a number or a string of digits")
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    raise ValueError("an id must be a number or a string of digits")


Id = Annotated[str, BeforeValidator(_to_id)]


def _blank_to_none(value: Any) -> Any:
    """Absent means absent: empty strings and Watchmode's 'N/A' become None."""
    if isinstance(value, str) and value.strip() in ("", "N/A"):
        return None
    return value


def _within(low: int, high: int) -> Any:
    """A number outside [low, high] is no information (a year of 2**200, an id past what JSON clients and
    DynamoDB can hold exactly): it becomes absent on the way in, so it can never make a record unstorable."""

    def bound(value: int | None) -> int | None:
        return value if value is None or low <= value <= high else None

    return AfterValidator(bound)


MAX_SAFE_INT = 2**53 - 1  # the largest integer every JSON client reads exactly
OptStr = Annotated[str | None, BeforeValidator(_blank_to_none)]
OptNum = Annotated[float | None, BeforeValidator(_blank_to_none)]
OptInt = Annotated[int | None, BeforeValidator(_blank_to_none), _within(-MAX_SAFE_INT, MAX_SAFE_INT)]
Year = Annotated[int | None, BeforeValidator(_blank_to_none), _within(0, 9999)]
ExternalId = Annotated[int | None, BeforeValidator(_blank_to_none), _within(0, MAX_SAFE_INT)]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_now() -> str:
    return utc_now().isoformat(timespec="seconds")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Source(_Model):
    """A streaming source (service) in a region, keyed by Watchmode's id."""

    id: Id
    name: str
    type: str = ""
    logo_100px: str | None = None
    regions: tuple[str, ...] = ()
    active: bool = True


class Genre(_Model):
    id: Id
    name: str
    tmdb_id: ExternalId = None


MAX_TITLE_CHARS = 500  # what a title may take in an event and a record: far below their size limits
MAX_CODE_CHARS = 40


def _trimmed(limit: int) -> Any:
    def trim(value: Any) -> Any:
        return value[:limit] if isinstance(value, str) else value

    return BeforeValidator(trim)


class TitleSummary(_Model):
    """What list-titles says about a title, plus the sources it was really found on. Text fields are cut
    to sane lengths on the way in, so no answer can make a record too large to store."""

    id: Id
    title: Annotated[str, _trimmed(MAX_TITLE_CHARS)]
    year: Year = None
    type: Annotated[str | None, _trimmed(MAX_CODE_CHARS)] = None
    imdb_id: Annotated[str | None, _trimmed(MAX_CODE_CHARS)] = None
    tmdb_id: ExternalId = None
    tmdb_type: Annotated[str | None, _trimmed(MAX_CODE_CHARS)] = None
    source_ids: tuple[str, ...] = ()

    @field_validator("source_ids", mode="before")
    @classmethod
    def _sorted_unique_ids(cls, value: Any) -> tuple[str, ...]:
        return tuple(sorted({_to_id(v) for v in value or ()}, key=int))

    def fingerprint(self) -> str:
        """Hash of the fields ingestion owns: unchanged fingerprint means nothing to write."""
        data = self.model_dump(mode="json")
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


class TitleDetails(_Model):
    """The enrichment fields, taken from Watchmode's title details."""

    id: Id
    title: OptStr = None
    original_title: OptStr = None
    plot_overview: OptStr = None
    type: OptStr = None
    runtime_minutes: OptInt = None
    year: Year = None
    end_year: Year = None
    release_date: OptStr = None
    genres: tuple[Id, ...] = ()
    genre_names: tuple[str, ...] = ()
    user_rating: OptNum = Field(default=None, ge=0, le=10)
    critic_score: OptInt = Field(default=None, ge=0, le=100)
    us_rating: OptStr = None
    poster: OptStr = None
    backdrop: OptStr = None
    original_language: OptStr = None
    similar_titles: tuple[Id, ...] = ()
    network_names: tuple[str, ...] = ()
    trailer: OptStr = None
    trailer_thumbnail: OptStr = None
    relevance_percentile: OptNum = None  # Watchmode's popularity score: ranks later re-enrichment
    # Where to watch it in the region (Watchmode's `sources`, fetched with the details): tvguide.offers.
    offers: tuple[Offer, ...] = Field(default=(), validation_alias=AliasChoices("sources", "offers"))

    @field_validator("offers", mode="before")
    @classmethod
    def _offers(cls, value: Any) -> Any:
        return value if isinstance(value, tuple) else parse_offers(value)

    @field_validator("genres", "similar_titles", "genre_names", "network_names", mode="before")
    @classmethod
    def _null_list(cls, value: Any) -> Any:
        return value or ()


class Preferences(_Model):
    """A viewer's chosen sources and genres (string ids)."""

    sources: tuple[Id, ...] = ()
    genres: tuple[Id, ...] = ()


class Demand(_Model):
    """What ingestion must fetch for one source: the genres wanted with it (empty = any genre)."""

    source_id: str
    genre_ids: tuple[str, ...] = ()


class EventType(StrEnum):
    TITLE_SEEN = "title.seen"
    TITLE_LEFT_SOURCE = "title.left_source"


# The cause of events published by a crawl of new demand (not a job: nothing reports progress to it).
UNTRACKED_CAUSE_PREFIX = "demand-"


def job_of_cause(cause: str) -> str:
    """The job an event's cause names ("" for an untracked cause: a viewer's new demand)."""
    return "" if cause.startswith(UNTRACKED_CAUSE_PREFIX) else cause


class EventHeader(_Model):
    event_id: str = Field(default_factory=lambda: uuid4().hex)
    event_type: EventType
    component: str
    timestamp: str = Field(default_factory=iso_now)
    cause: str
    correlation_id: str

    @property
    def job_id(self) -> str:
        """The job these events report progress to ("" for an untracked cause)."""
        return job_of_cause(self.cause)

    schema_version: Literal[1] = 1


class TitleLeftSource(_Model):
    title_id: Id
    source_id: Id


class TitleEvent(_Model):
    """The envelope published to Kinesis: a header and a payload whose shape the event type fixes."""

    header: EventHeader
    payload: TitleSummary | TitleLeftSource
    # Sources this title was found on by their first crawl (or a crawl of genres newly wanted on them):
    # being there is not news, so no "new on your services" entry or alert is made for them.
    baseline_sources: tuple[str, ...] = ()
    # How many viewers' feeds the title is in (the crawl's viewers of its sources): enrichment's priority.
    audience: int = 0

    @property
    def title_id(self) -> str:
        return self.payload.title_id if isinstance(self.payload, TitleLeftSource) else self.payload.id

    @classmethod
    def parse(cls, raw: bytes | str) -> TitleEvent:
        data = json.loads(raw)
        if not isinstance(data, dict) or not isinstance(data.get("header"), dict):
            raise ValueError("a title event is an object with a header")
        header = EventHeader.model_validate(data["header"])
        payload_model: type[_Model] = (
            TitleSummary if header.event_type == EventType.TITLE_SEEN else TitleLeftSource
        )
        payload = payload_model.model_validate(data.get("payload"))
        baseline = tuple(str(s) for s in data.get("baseline_sources") or ())
        audience = data.get("audience")
        audience = audience if isinstance(audience, int) and not isinstance(audience, bool) else 0
        return cls(
            header=header,
            payload=payload,  # type: ignore[arg-type]
            baseline_sources=baseline,
            audience=max(0, audience),
        )


class EnrichmentStatus(StrEnum):
    PENDING = "PENDING"
    ENRICHED = "ENRICHED"
    FAILED = "FAILED"
    DEFERRED = "DEFERRED"  # left for later by the monthly credit budget
