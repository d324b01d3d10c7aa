"""The viewer API's settings: exactly what it reads (its Terraform module sets each), loaded when the
container starts."""

from __future__ import annotations

from functools import cache

from tvguide.settings import WatchmodeSettings, WebPushSettings


class PreferencesApiSettings(WebPushSettings, WatchmodeSettings):
    """Watchmode: an import's search for titles the guide does not know (within the credit budget)."""

    cors_allowed_origins: tuple[str, ...] = ()  # the site's origin first


@cache
def preferences_api_settings() -> PreferencesApiSettings:
    return PreferencesApiSettings.from_env()
