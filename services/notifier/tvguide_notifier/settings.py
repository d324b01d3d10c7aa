"""The notifier's settings: exactly what it reads (its Terraform module sets each), loaded when the
container starts."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from tvguide.settings import TableSettings, WebPushSettings


class NotifierSettings(WebPushSettings):
    alert_sender_email: str = ""  # a verified SES sender; empty: in-app alerts only, no email
    site_url: str = ""  # linked from alert emails
    push_contact: str = Field(pattern=r"^(mailto:|https://)")  # VAPID `sub`: whom push services may contact


@cache
def notifier_settings() -> NotifierSettings:
    return NotifierSettings.from_env()


class DigestSettings(TableSettings):
    """The weekly digest function's."""

    alert_sender_email: str = ""  # a verified SES sender; empty: no digest is sent (said in its log)
    site_url: str = ""  # linked from the email


@cache
def digest_settings() -> DigestSettings:
    return DigestSettings.from_env()
