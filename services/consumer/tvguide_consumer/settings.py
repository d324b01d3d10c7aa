"""The consumer's functions' settings: exactly what each reads (its Terraform module sets each), loaded when
the container starts."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from tvguide.settings import EnrichmentNudgeSettings, JobSettings, TableSettings


class ConsumerSettings(TableSettings, EnrichmentNudgeSettings):
    dlq_url: str = Field(min_length=1)  # poison and unstorable records
    enrichment_stale_days: int = Field(default=30, ge=1)


class FeedRebuildSettings(JobSettings):
    pass


@cache
def consumer_settings() -> ConsumerSettings:
    return ConsumerSettings.from_env()


@cache
def feed_rebuild_settings() -> FeedRebuildSettings:
    return FeedRebuildSettings.from_env()
