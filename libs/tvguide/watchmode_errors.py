"""What can go wrong talking to Watchmode, as exceptions (raised by `tvguide.watchmode`'s client; re-exported
there). `retryable` says whether the client tries again."""

from __future__ import annotations


class WatchmodeError(Exception):
    """Any failure talking to Watchmode. `status` is the HTTP status when there was one."""

    retryable = False

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class WatchmodeAuthError(WatchmodeError):
    """401: invalid key (or a paid-only endpoint on a free key). Never retried."""


class WatchmodeQuotaError(WatchmodeError):
    """402: the plan's monthly quota is spent. Never retried."""


class WatchmodeNotFound(WatchmodeError):
    """404: unknown id."""


class WatchmodeRateLimited(WatchmodeError):
    """429 still returned after every retry."""

    retryable = True


class WatchmodeBackedOff(WatchmodeRateLimited):
    """Watchmode asked to wait longer than the caller has left (a Retry-After past its time limit): every
    later call of this invocation would be refused too, so the caller stops and leaves the work for later."""


class WatchmodeServerError(WatchmodeError):
    """5xx or a network failure still happening after every retry."""

    retryable = True


class WatchmodeBadResponse(WatchmodeError):
    """The body was not the JSON shape the endpoint promises."""

    retryable = True


class WatchmodePreviewLimit(WatchmodeError):
    """403 LEAVING_PREVIEW_LIMIT: a free plan asked for more leaving dates than its preview (the next 10)."""


PREVIEW_LIMIT_MARKER = "LEAVING_PREVIEW_LIMIT"
