"""Settings read from the environment: the parts functions share, from which each function's own model is
made (`tvguide_<service>/settings.py`: exactly the variables that function reads, which its Terraform module
sets explicitly; the local emulator leaks its own environment into functions, so nothing is left to defaults
that happen to be there). Each entry module loads its model when the container starts, so a missing or bad
variable fails the cold start with its name, not the first call that needs it.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class MissingSettings(RuntimeError):
    """A function started without a setting it cannot work without, or with one it cannot read."""


class EnvSettings(BaseModel):
    """Settings read from upper-case environment variables: comma-separated lists for tuples, JSON for
    maps. Unknown variables are ignored (a Lambda environment holds many)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

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
                try:
                    values[name] = json.loads(raw)
                except ValueError as exc:
                    raise MissingSettings(f"{cls.__name__}: {name.upper()} is not JSON ({exc})") from exc
            else:
                values[name] = raw
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                variable = ".".join(str(part) for part in error["loc"]).upper() or "settings"
                what = "not set" if error["type"] == "missing" else error["msg"]
                problems.append(f"{variable}: {what}")
            raise MissingSettings(
                f"{cls.__name__}: {'; '.join(problems)} (set by the function's Terraform module)"
            ) from None

    def __hash__(self) -> int:  # one per container; hashable so adapters can be cached by it
        return hash((type(self).__name__, self.model_dump_json()))


class TableSettings(EnvSettings):
    """Every function reads and writes the product's one table."""

    table_name: str = Field(min_length=1)


class JobSettings(TableSettings):
    """A function that starts or ends pipeline jobs."""

    job_timeout_minutes: int = Field(default=360, ge=1)

    @property
    def job_timeout(self) -> timedelta:
        """How long a pipeline job may take before it counts as failed (and its lock lapses)."""
        return timedelta(minutes=self.job_timeout_minutes)


class WatchmodeSettings(TableSettings):
    """A function that calls Watchmode: the API, the key (a secret; in tests and tools, the key itself),
    the account's rate limit (shared through the table) and the month's credit budget."""

    watchmode_base_url: str = "https://api.watchmode.com/v1/"
    watchmode_secret_arn: str = ""
    watchmode_api_key: str = ""  # only for tests and tools; functions read the secret
    watchmode_rate_limit_per_minute: int = Field(default=120, gt=0)
    watchmode_pace_fraction: float = Field(default=0.95, gt=0, le=1)
    # The monthly credit budget enrichment never spends past (0: none; libs/tvguide/watchmode_budget.py).
    watchmode_monthly_credit_budget: int = Field(default=0, ge=0)
    watchmode_timeout_seconds: float = Field(default=10.0, gt=0)
    watchmode_max_retries: int = Field(default=5, ge=0)
    regions: tuple[str, ...] = Field(default=("GB",), min_length=1)

    @model_validator(mode="after")
    def _has_a_key(self) -> Self:
        if not (self.watchmode_secret_arn or self.watchmode_api_key):
            raise ValueError("WATCHMODE_SECRET_ARN is not set (the Watchmode key's secret)")
        return self


class EnrichmentNudgeSettings(EnvSettings):
    """A function that nudges the enrichment worker when it queues titles (None: not nudged, as in tests
    of a function alone; the worker's schedule drains the queue anyway)."""

    enrichment_function_name: str | None = None


class WebPushSettings(TableSettings):
    """A function that reads (or, the viewer API, makes) the VAPID keys and checks push endpoints."""

    web_push_secret_arn: str = Field(min_length=1)
    # Origins of the push services subscriptions may point at (fnmatch patterns; see tvguide.web_push).
    push_service_origins: tuple[str, ...] = Field(min_length=1)
