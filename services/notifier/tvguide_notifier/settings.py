"""The notifier's own settings."""

from __future__ import annotations

from functools import cache

from tvguide.settings import Settings


class NotifierSettings(Settings):
    alert_sender_email: str = ""  # a verified SES sender; empty: in-app alerts only, no email
    site_url: str = ""  # linked from alert emails


@cache
def notifier_settings() -> NotifierSettings:
    return NotifierSettings.from_env()
