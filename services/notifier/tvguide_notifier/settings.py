"""The notifier's settings: exactly what it reads (its Terraform module sets each), loaded when the
container starts."""

from __future__ import annotations

from functools import cache

from tvguide.settings import TableSettings


class NotifierSettings(TableSettings):
    alert_sender_email: str = ""  # a verified SES sender; empty: in-app alerts only, no email
    site_url: str = ""  # linked from alert emails


@cache
def notifier_settings() -> NotifierSettings:
    return NotifierSettings.from_env()
