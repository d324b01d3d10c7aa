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


def search_result(item: Any) -> dict[str, Any] | None:
    """A search result as {"id", "name", "type", "year", "imdb_id", "tmdb_id", "tmdb_type"} (id a string),
    None when it has no id."""
    if not isinstance(item, dict) or not str(item.get("id") or "").isdigit():
        return None
    year = item.get("year")
    return {
        "id": str(item["id"]),
        "name": str(item.get("name") or "")[:300],
        "type": item.get("type"),
        "year": year if isinstance(year, int) and not isinstance(year, bool) else None,
        "imdb_id": item.get("imdb_id") if isinstance(item.get("imdb_id"), str) else None,
        "tmdb_id": item.get("tmdb_id"),
        "tmdb_type": item.get("tmdb_type"),
    }
