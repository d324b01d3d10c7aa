"""The weekly digest email, independent of Lambda and DynamoDB: what arrived on a viewer's services in the
last week (their genres only, when they chose some), best rated first, for viewers who chose a weekly email
instead of one per alert. One per viewer per ISO week, claimed before it is sent; nothing to say, no email.
The function runs daily, so a digest goes out on the week's first run with news (Monday, mostly), and one
whose send failed is tried again the next day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from tvguide.availability_news import NewsReader, recent_changes

DIGEST_DAYS = 7
MAX_LISTED = 30  # titles named in one email (the rest are counted)
NEWS_READ = 200  # arrivals read per viewer


@dataclass(frozen=True)
class DigestViewer:
    user_id: str
    email: str
    sources: tuple[str, ...]
    genres: frozenset[str]
    last_week: str | None = None  # the ISO week of the last digest sent


class DigestDirectory(Protocol):
    def digest_viewers(self) -> list[DigestViewer]: ...
    def claim_week(self, user_id: str, week: str) -> bool: ...
    def release_week(self, user_id: str, week: str, previous: str | None) -> None: ...


class TitleReader(Protocol):
    def get_many(self, title_ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


def iso_week(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def digest_text(
    arrivals: list[tuple[dict[str, Any], list[str]]], source_names: Mapping[str, str], site_url: str
) -> tuple[str, str]:
    """(subject, plain-text body): each title with where it arrived, best rated first."""
    count = len(arrivals)
    subject = f"This week on your services: {count} new title{'s' if count != 1 else ''}"
    lines = ["New on your streaming services this week:", ""]
    for record, sources in arrivals[:MAX_LISTED]:
        year = f" ({record['year']})" if record.get("year") else ""
        rating = f", rated {record['user_rating']}/10" if record.get("user_rating") else ""
        where = ", ".join(source_names.get(s, f"source {s}") for s in sources)
        lines.append(f"- {record.get('title') or 'A title'}{year}: on {where}{rating}")
    if count > MAX_LISTED:
        lines.append(f"…and {count - MAX_LISTED} more.")
    lines += ["", f"All of them: {site_url.rstrip('/')}/#/main/titles" if site_url else ""]
    lines += ["You get this weekly email because you chose it in your alert settings; change it there."]
    return subject, "\n".join(line for line in lines).strip() + "\n"


def _arrivals(
    viewer: DigestViewer, news: NewsReader, titles: TitleReader, since: str
) -> list[tuple[dict[str, Any], list[str]]]:
    entries = recent_changes(news, viewer.sources, since, "arrived", NEWS_READ)
    records = titles.get_many(e["title_id"] for e in entries)
    found = []
    for entry in entries:
        record = records.get(entry["title_id"])
        if record is None:
            continue
        genres = {str(g) for g in record.get("genre_ids") or ()}
        if viewer.genres and genres and not viewer.genres & genres:
            continue  # outside their genres (a title not enriched yet has none known: kept)
        found.append((record, list(entry["source_ids"])))
    found.sort(key=lambda f: (-float(f[0].get("user_rating") or 0), str(f[0].get("title") or "")))
    return found


@dataclass
class DigestReport:
    viewers: int = 0
    sent: int = 0
    already_sent: int = 0
    nothing_new: int = 0
    errors: list[str] = field(default_factory=list)


def send_digests(
    directory: DigestDirectory,
    news: NewsReader,
    titles: TitleReader,
    mailer: Mailer,
    *,
    source_names: Mapping[str, str],
    now: datetime,
    site_url: str = "",
) -> DigestReport:
    """Send this week's digest to each viewer who wants one and has not had it (a second run in the same
    week sends nothing more). A failed send is released, so the next run tries again."""
    report, week = DigestReport(), iso_week(now)
    since = (now - timedelta(days=DIGEST_DAYS)).isoformat()
    for viewer in directory.digest_viewers():
        report.viewers += 1
        if viewer.last_week == week:
            report.already_sent += 1
            continue
        arrivals = _arrivals(viewer, news, titles, since)
        if not arrivals:
            report.nothing_new += 1
            continue
        if not directory.claim_week(viewer.user_id, week):
            report.already_sent += 1
            continue
        subject, body = digest_text(arrivals, source_names, site_url)
        try:
            mailer.send(viewer.email, subject, body)
        except Exception as exc:
            directory.release_week(viewer.user_id, week, viewer.last_week)
            report.errors.append(f"{viewer.user_id}: {type(exc).__name__}: {exc}")
            continue
        report.sent += 1
    return report
