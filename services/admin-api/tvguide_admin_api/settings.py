"""The admin API's settings: exactly what it reads (its Terraform module sets each), loaded when the
container starts."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from tvguide.settings import JobSettings, WatchmodeSettings


class AdminSettings(WatchmodeSettings, JobSettings):
    """Jobs, the month's credits (Watchmode's budget), the product's functions and queues, the stream."""

    title_stream_name: str = Field(min_length=1)
    # The product's functions by role (reference, ingestion, consumer, enrichment, backfill,
    # preferences_api, admin_api) and its dead-letter queues by name (consumer, async).
    functions: dict[str, str]
    dlq_urls: dict[str, str]
    admin_group: str = "SecurityAdmins"
    cors_allowed_origins: tuple[str, ...] = ()


@cache
def admin_settings() -> AdminSettings:
    return AdminSettings.from_env()
