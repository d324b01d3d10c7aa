"""The admin API's own settings (validated at cold start)."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from tvguide.settings import EnvSettings


class AdminSettings(EnvSettings):
    table_name: str
    title_stream_name: str
    # The product's functions by role (reference, ingestion, consumer, enrichment, backfill,
    # preferences_api, admin_api) and its dead-letter queues by name (consumer, async).
    functions: dict[str, str]
    dlq_urls: dict[str, str]
    admin_group: str = "SecurityAdmins"
    cors_allowed_origins: tuple[str, ...] = ()
    job_timeout_minutes: int = Field(default=360, ge=1)


@cache
def admin_settings() -> AdminSettings:
    return AdminSettings.from_env()
