"""Ingestion's functions' settings: exactly what each reads (its Terraform module sets each), loaded when
the container starts."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from tvguide.settings import JobSettings, WatchmodeSettings


class DemandSettings(WatchmodeSettings):
    """New demand, crawled at once: Watchmode's list pages, published to the title stream."""

    title_stream_name: str = Field(min_length=1)
    ingestion_page_limit: int = Field(default=250, ge=1, le=250)
    ingestion_max_pages_per_source: int = Field(default=20, ge=1)


class RefreshSettings(DemandSettings, JobSettings):
    """The titles refresh: the same crawl for every wanted source that is due, as a job."""

    ingestion_refresh_hours: float = Field(default=20, gt=0)
    ingestion_sources_per_invocation: int = Field(default=10, ge=1)


@cache
def demand_settings() -> DemandSettings:
    return DemandSettings.from_env()


@cache
def refresh_settings() -> RefreshSettings:
    return RefreshSettings.from_env()
