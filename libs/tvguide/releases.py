"""Coming soon: titles (and series' seasons) about to arrive on GB sources, from Watchmode's releases,
written by the reference function once a day and read by the viewer API.

| item | pk | sk |
|---|---|---|
| a source's coming releases | `RELEASES` | `SOURCE#<source id>` (`releases`, `crawled_at`) |

Each crawl reads the next WINDOW_DAYS whole (one call: 1 credit a day) and replaces what each source holds:
a release Watchmode no longer lists is gone, a moved date is the new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from tvguide.departures import DatedTitle, soonest_stored
from tvguide.repositories import TableRepository
from tvguide.watchmode_errors import WatchmodeBadResponse
from tvguide.watchmode_fields import iso_day, whole_number

PK = "RELEASES"
WINDOW_DAYS = 60
LIMIT = 500  # releases in one answer (GB's services announce a few hundred in two months)
MAX_PER_SOURCE = 1_000


def releases_key(source_id: str) -> dict[str, str]:
    return {"pk": PK, "sk": f"SOURCE#{source_id}"}


class Release(DatedTitle):
    """A title (or a series' new season) arriving on a source on its date."""

    poster: str | None = None  # an http(s) image, or None
    original: bool = False  # the service's own production


def _image(value: Any) -> str | None:
    """A poster's URL as the details' posters are kept: http(s), a host, nothing odd in it."""
    if not isinstance(value, str) or not 0 < len(value) <= 500 or any(c.isspace() for c in value):
        return None
    parts = urlsplit(value)
    return value if parts.scheme in ("https", "http") and parts.hostname and "@" not in parts.netloc else None


def parse_release(raw: Any) -> Release | None:
    """One row of `releases`, or None when it cannot be read (any field may be missing)."""
    if not isinstance(raw, Mapping):
        return None
    title_id, source_id = whole_number(raw.get("id"), 10**12), whole_number(raw.get("source_id"), 10**12)
    when, name = iso_day(raw.get("source_release_date")), raw.get("title")
    if title_id is None or source_id is None or when is None or not isinstance(name, str) or not name:
        return None
    kind = raw.get("type")
    return Release(
        title_id=str(title_id),
        source_id=str(source_id),
        title=name[:300],
        type=kind if isinstance(kind, str) else None,
        season=whole_number(raw.get("season_number"), 10_000),
        date=when,
        poster=_image(raw.get("poster_url")),
        original=raw.get("is_original") in (True, 1),
    )


class ReleasesApi(Protocol):
    def get(self, path: str, params: dict[str, Any] | None = None, *, endpoint: str, credits: int) -> Any: ...


def crawl_releases(api: ReleasesApi, today: date, region: str = "GB") -> tuple[list[Release], int]:
    """(the releases of the next WINDOW_DAYS, rows that could not be read)."""
    end = today + timedelta(days=WINDOW_DAYS)
    params = {
        "regions": region,
        "start_date": today.strftime("%Y%m%d"),
        "end_date": end.strftime("%Y%m%d"),
        "limit": LIMIT,
    }
    data = api.get("releases/", params, endpoint="releases", credits=1)
    rows = data.get("releases") if isinstance(data, Mapping) else None
    if not isinstance(rows, list):
        raise WatchmodeBadResponse("releases: expected an object with a releases array")
    parsed = [parse_release(r) for r in rows]
    found = [r for r in parsed if r is not None and today.isoformat() <= r.date <= end.isoformat()]
    return found, sum(r is None for r in parsed)


def by_source(releases: Iterable[Release]) -> dict[str, list[Release]]:
    grouped: dict[str, list[Release]] = {}
    for release in sorted(releases, key=lambda r: (r.date, r.title.casefold(), r.title_id, r.season or 0)):
        grouped.setdefault(release.source_id, []).append(release)
    return {s: found[:MAX_PER_SOURCE] for s, found in grouped.items()}


class ReleaseReader(TableRepository):
    """What the viewer API reads: its viewer's sources' coming releases (one BatchGetItem)."""

    def soonest(self, source_ids: Iterable[str], *, today: str, until: str) -> list[Release]:
        items = self.batch_get([releases_key(s) for s in dict.fromkeys(source_ids)])
        return soonest_stored(items, "releases", Release, today=today, until=until)
