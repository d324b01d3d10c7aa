"""Settings read from the environment once per container.

Terraform sets every variable a function needs explicitly (the local emulator leaks its own environment into
functions, so nothing is left to defaults that happen to be there).
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Self

from pydantic import BaseModel, ConfigDict, Field


class EnvSettings(BaseModel):
    """Settings read from upper-case environment variables: comma-separated lists for tuples, JSON for
    maps. A service with settings of its own subclasses this."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Self:
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        for name, field in cls.model_fields.items():
            raw = env.get(name.upper())
            if raw is None or raw == "":
                continue
            if field.annotation == tuple[str, ...]:
                values[name] = tuple(p.strip() for p in raw.split(",") if p.strip())
            elif field.annotation in (dict[str, str], dict[str, float]):
                values[name] = json.loads(raw)
            else:
                values[name] = raw
        return cls.model_validate(values)


class MissingSettings(RuntimeError):
    """A function started without a setting it cannot work without (Terraform passes each explicitly)."""


class Settings(EnvSettings):
    """What the pipeline's functions read; each function declares which of these it needs (`require`) and
    Terraform gives it those and no others."""

    def require(self, *names: str) -> Settings:
        """This, if every named setting is set; otherwise MissingSettings naming the variables."""
        missing = [name.upper() for name in names if not getattr(self, name)]
        if missing:
            raise MissingSettings(
                f"not configured: {', '.join(missing)} (set by the function's Terraform module)"
            )
        return self

    table_name: str = ""
    title_stream_name: str = ""
    dlq_url: str = ""
    watchmode_base_url: str = "https://api.watchmode.com/v1/"
    watchmode_secret_arn: str = ""
    watchmode_api_key: str = ""  # only for tests and tools; functions read the secret
    watchmode_rate_limit_per_minute: int = Field(default=120, gt=0)
    watchmode_pace_fraction: float = Field(default=0.95, gt=0, le=1)
    # The monthly credit budget enrichment never spends past (0: none; libs/tvguide/watchmode_budget.py).
    watchmode_monthly_credit_budget: int = Field(default=0, ge=0)
    watchmode_timeout_seconds: float = Field(default=10.0, gt=0)
    watchmode_max_retries: int = Field(default=5, ge=0)
    regions: tuple[str, ...] = ("GB",)
    source_types: tuple[str, ...] = ("sub", "free", "purchase", "tve")
    ingestion_page_limit: int = Field(default=250, ge=1, le=250)
    ingestion_max_pages_per_source: int = Field(default=20, ge=1)
    ingestion_sources_per_invocation: int = Field(default=10, ge=1)
    enrichment_stale_days: int = Field(default=30, ge=1)
    enrichment_workers: int = Field(default=4, ge=1, le=32)
    # The enrichment worker nudged when titles join the queue (by the consumer and the enrich job).
    enrichment_function_name: str | None = None
    cors_allowed_origins: tuple[str, ...] = ()
    job_timeout_minutes: int = Field(default=360, ge=1)
    ingestion_refresh_hours: float = Field(default=20, gt=0)


@cache
def settings() -> Settings:
    return Settings.from_env()
