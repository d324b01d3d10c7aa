"""Reading Watchmode's loosely typed fields: every one may be missing, of another type or out of range, and
is then None (never guessed)."""

from __future__ import annotations

from datetime import date
from typing import Any


def iso_day(value: Any) -> str | None:
    """An ISO date from Watchmode's `YYYY-MM-DD` (or `YYYYMMDD`), None when it is not a date."""
    text = str(value or "").strip()[:10]
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def whole_number(value: Any, most: int = 10_000) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
        return None
    return value
