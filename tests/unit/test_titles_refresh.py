"""The titles refresh's orchestration without Lambda or AWS: a fake crawler and crawl-state store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tvguide.models import Demand, Preferences
from tvguide_ingestion.logic import IngestionReport, NewDemand
from tvguide_ingestion.refresh import CrawlCursor, TitlesRefresh, crawl_new_demand

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


class States:
    def __init__(self, states: dict[str, dict[str, Any]] | None = None) -> None:
        self.states = states or {}
        self.recorded: list[tuple[str, bool, str | None, tuple[str, ...] | None]] = []
        self.extended: list[tuple[str, tuple[str, ...]]] = []

    def all(self) -> dict[str, dict[str, Any]]:
        return self.states

    def record(self, source_id, *, refreshed, error, now, genre_ids=None) -> None:
        assert now == NOW.isoformat(timespec="seconds")
        self.recorded.append((source_id, refreshed, error, genre_ids))

    def add_genres(self, source_id, genre_ids, *, now) -> None:
        self.extended.append((source_id, genre_ids))


class Crawler:
    """Crawls `per_call` sources a call; the sources in `failing` fail."""

    def __init__(self, per_call: int, failing: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.per_call, self.failing = per_call, failing
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self, demands, *, cause, correlation_id, baseline, audience, remove_missing=True, should_stop=None
    ):
        self.calls.append({"sources": [d.source_id for d in demands], "baseline": list(baseline)})
        done = demands[: self.per_call]
        report = IngestionReport(sources_requested=len(demands), sources_left=list(demands[self.per_call :]))
        for demand in done:
            if demand.source_id in self.failing:
                report.sources_failed[demand.source_id] = "503"
            else:
                report.sources_refreshed.append(demand.source_id)
                report.sources_complete += 1
                report.titles_published += 10
        return report


def refresh(states: States, crawler: Crawler) -> TitlesRefresh:
    return TitlesRefresh(
        active_sources=lambda: {"203", "372", "409"},
        crawl_states=states,
        crawl=crawler,
        refresh_hours=20,
        now=lambda: NOW,
    )


VIEWERS = [Preferences(sources=["203", "372"], genres=["4"]), Preferences(sources=["409", "999"], genres=[])]


def test_a_refresh_runs_in_steps_carrying_failures_to_the_last_one() -> None:
    states, crawler = States(), Crawler(per_call=2, failing={"372"})
    titles = refresh(states, crawler)
    cursor = titles.first_cursor(VIEWERS, scheduled=False)
    assert [d.source_id for d in cursor.demands] == ["203", "372", "409"]  # 999 is not an active source
    assert cursor.baseline == ["203", "372", "409"]  # never crawled: what is on them is not news

    first = titles.step(cursor, VIEWERS, cause="job", correlation_id="c", should_stop=lambda n: False)
    assert first.counters["sources_requested"] == 3 and first.counters["events_published"] == 10
    assert first.following is not None and [d.source_id for d in first.following.demands] == ["409"]
    assert first.failed == {"372": "503"}
    # The cursor survives the trip through the continuation's payload.
    following = CrawlCursor.model_validate_json(first.following.model_dump_json())

    last = titles.step(following, VIEWERS, cause="job", correlation_id="c", should_stop=lambda n: False)
    assert last.following is None and last.failed == {"372": "503"}
    assert last.counters["sources_requested"] == 0  # counted once, by the first invocation
    assert crawler.calls[1]["baseline"] == ["203", "372", "409"]
    assert states.recorded == [
        ("203", True, None, ("4",)),
        ("372", False, "503", None),
        ("409", True, None, ()),
    ]


def test_a_scheduled_refresh_crawls_only_what_is_due() -> None:
    fresh = (NOW - timedelta(hours=2)).isoformat()
    just_failed = (NOW - timedelta(minutes=30)).isoformat()  # a first failure waits an hour
    states = States(
        {
            "203": {"last_complete_at": fresh, "all_genres": True},
            "372": {"last_complete_at": (NOW - timedelta(hours=21)).isoformat(), "all_genres": True},
            "409": {"last_complete_at": fresh, "failures": 1, "last_attempt_at": just_failed},
        }
    )
    titles = refresh(states, Crawler(per_call=3))
    assert [d.source_id for d in titles.wanted_now(VIEWERS, scheduled=True)] == ["372"]
    assert len(titles.wanted_now(VIEWERS, scheduled=False)) == 3
    cursor = titles.first_cursor(VIEWERS, scheduled=True)
    assert cursor.baseline == []  # 372 was crawled for every genre before: its changes are news


def test_new_demand_records_a_new_source_and_extends_one_already_crawled() -> None:
    states, crawler = States(), Crawler(per_call=3, failing={"409"})
    found = [
        NewDemand(demand=Demand(source_id="203", genre_ids=("4",)), extends=False),
        NewDemand(demand=Demand(source_id="372", genre_ids=("7",)), extends=True),
        NewDemand(demand=Demand(source_id="409", genre_ids=()), extends=False),
    ]
    report = crawl_new_demand(
        found,
        VIEWERS,
        crawl=crawler,
        crawl_states=states,
        cause="u",
        correlation_id="c",
        now=NOW.isoformat(timespec="seconds"),
    )
    assert report.sources_failed == {"409": "503"}
    assert crawler.calls[0]["baseline"] == ["203", "372", "409"]  # all of it newly wanted
    assert states.recorded == [("203", True, None, ("4",)), ("409", False, "503", None)]
    assert states.extended == [("372", ("7",))]
