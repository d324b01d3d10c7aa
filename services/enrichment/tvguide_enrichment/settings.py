"""Enrichment's functions' settings: exactly what each reads (its Terraform module sets each), loaded when
the container starts."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from tvguide.settings import EnrichmentNudgeSettings, JobSettings, WatchmodeSettings


class WorkerSettings(WatchmodeSettings):
    """The queue's worker: Watchmode, how many details calls it keeps in flight, how long an enriched
    title's offers stand before it is queued again, and how many such titles one run queues."""

    enrichment_workers: int = Field(default=4, ge=1, le=32)
    offers_refresh_days: int = Field(default=14, ge=1, le=365)
    offers_refresh_per_run: int = Field(default=200, ge=0, le=1000)


class BackfillSettings(JobSettings, EnrichmentNudgeSettings):
    """The enrich job: puts titles back in the queue and nudges the worker."""


@cache
def worker_settings() -> WorkerSettings:
    return WorkerSettings.from_env()


@cache
def backfill_settings() -> BackfillSettings:
    return BackfillSettings.from_env()
