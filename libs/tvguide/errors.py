"""The product's domain errors: what went wrong, in the domain's words. Logic raises them knowing nothing of
HTTP; `tvguide.api.answer_errors_as_json` maps each kind to its status, in one place for both APIs.

| error | meaning | HTTP |
|---|---|---|
| `InvalidRequest` | well-formed, but asks for something that cannot be | 400 |
| `NotSignedIn` (`tvguide.identity`) | no valid ID token's claims | 401 |
| `Forbidden` | not allowed for this caller | 403 |
| `NotFound` | no such thing | 404 |
| `Conflict` | the thing's state does not allow it now (its `details` join the answer) | 409 |
| `UpstreamFailed` | a service the product depends on failed (an invoke; Watchmode's own errors too) | 502 |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class InvalidRequest(ValueError):
    """Well-formed, but asks for something that cannot be."""


class Forbidden(PermissionError):
    """Not allowed for this caller or resource."""


class NotFound(LookupError):
    """No such thing (a job, a title)."""


class Conflict(RuntimeError):
    """The thing's current state does not allow it; `details` say which (e.g. the running job's id)."""

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = dict(details or {})


class UpstreamFailed(RuntimeError):
    """A service the product depends on failed (e.g. a function could not be invoked)."""
