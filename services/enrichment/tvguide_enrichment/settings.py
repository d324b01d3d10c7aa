"""Enrichment's functions' settings: exactly what each reads (its Terraform module sets each), loaded when
the container starts."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from tvguide.settings import EnrichmentNudgeSettings, JobSettings, WatchmodeSettings


class WorkerSettings(WatchmodeSettings):
    """The queue's worker: Watchmode, and how many details calls it keeps in flight."""

    enrichment_workers: int = Field(default=4, ge=1, le=32)


class BackfillSettings(JobSettings, EnrichmentNudgeSettings):
    """The enrich job: puts titles back in the queue and nudges the worker."""


@cache
def worker_settings() -> WorkerSettings:
    return WorkerSettings.from_env()


@cache
def backfill_settings() -> BackfillSettings:
    return BackfillSettings.from_env()
