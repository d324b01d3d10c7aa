"""The reference function's settings: exactly what it reads (its Terraform module sets each), loaded when
the container starts."""

from __future__ import annotations

from functools import cache

from tvguide.settings import WatchmodeSettings


class ReferenceSettings(WatchmodeSettings):
    """Sources and genres from Watchmode, of these kinds of source (subscription, free, purchase, TV)."""

    source_types: tuple[str, ...] = ("sub", "free", "purchase", "tve")


@cache
def reference_settings() -> ReferenceSettings:
    return ReferenceSettings.from_env()
