import json

import pytest

from tests.support import aws
from tests.support.events import FakeContext
from tests.support.stores import TitleStores
from tvguide.models import Demand, Preferences
from tvguide.publisher import KinesisTitlePublisher
from tvguide.repositories import PreferencesRepository
from tvguide_ingestion.handler import lambda_handler
from tvguide_ingestion.logic import IngestionFailed, compute_demand, run_ingestion
from tvguide_ingestion.store import CrawlMisses
from tvguide_reference.handler import lambda_handler as reference_handler


def test_demand_is_per_active_source_with_the_union_of_wanted_genres():
    prefs = [
        Preferences(sources=["203", "26"], genres=["4", "6"]),
        Preferences(sources=["203"], genres=["7"]),
        Preferences(sources=["409"], genres=[]),
        Preferences(sources=["409", "999"], genres=["4"]),
    ]
    assert compute_demand(prefs, {"203", "26", "409"}) == [
        Demand(source_id="26", genre_ids=("4", "6")),
        Demand(source_id="203", genre_ids=("4", "6", "7")),
        Demand(source_id="409", genre_ids=()),
    ]


def _seed(aws_env, users):
    reference_handler({}, FakeContext())
    repo = PreferencesRepository(aws_env["table"].name)
    for i, prefs in enumerate(users):
        repo.put(f"user-{i}", prefs)


def _published():
    return [json.loads(d) for d in aws.read_stream()]


def test_titles_carry_exactly_the_sources_they_were_found_on(aws_env, watchmode_env, monkeypatch):
    monkeypatch.setenv("INGESTION_PAGE_LIMIT", "50")
    _seed(
        aws_env,
        [Preferences(sources=["203", "409"], genres=["4", "6"]), Preferences(sources=["409"], genres=["11"])],
    )
    result = lambda_handler({"job_id": "job-1"}, FakeContext())
    cat = watchmode_env.state.catalogue
    wanted = {203: {4, 6}, 409: {4, 6, 11}}
    expected: dict[str, set[str]] = {}
    for sid, genres in wanted.items():
        for t in cat.matching({sid}, genres):
            expected.setdefault(str(t.id), set()).add(str(sid))
    events = _published()
    assert result["status"] == "succeeded" and result["titles_published"] == len(expected)
    assert {e["payload"]["id"]: set(e["payload"]["source_ids"]) for e in events} == expected
    assert all(e["header"]["cause"] == "job-1" and e["header"]["component"] == "ingestion" for e in events)
    assert len({e["header"]["correlation_id"] for e in events}) == 1
    # paginated to the end: one call per page, per source
    pages = sum(-(-len(cat.matching({s}, g)) // 50) for s, g in wanted.items())
    assert watchmode_env.state.stats()["credits"]["list-titles"] == pages


class ListPublisher:
    def __init__(self):
        self.events = []

    def publish(self, events):
        self.events.extend(events)
        return len(events)


def test_titles_filed_under_a_fully_scanned_source_but_no_longer_listed_leave_it(aws_env, watchmode_env):
    from tvguide.watchmode import WatchmodeClient

    repo = TitleStores(aws_env["table"].name)
    repo.file_availability({"id": "42", "title": "Gone", "genre_ids": ["4"]}, ["203"])
    repo.file_availability({"id": "43", "title": "Other genre", "genre_ids": ["99"]}, ["203"])
    repo.file_availability({"id": "44", "title": "Unknown genres"}, ["203"])
    client = WatchmodeClient(watchmode_env.public_url + "/v1/", "unit-test-key")
    misses = CrawlMisses(aws_env["table"].name)

    def crawl():
        publisher = ListPublisher()
        report = run_ingestion(
            [Demand(source_id="203", genre_ids=("4",))],
            client, repo, publisher, misses=misses, cause="c", correlation_id="x",
        )  # fmt: skip
        left = [e.payload for e in publisher.events if e.header.event_type == "title.left_source"]
        return report, [(p.title_id, p.source_id) for p in left]

    first, left = crawl()  # one complete crawl without it: not yet
    assert left == [] and first.removals_deferred == 1
    second, left = crawl()  # the second in a row: it has left
    assert left == [("42", "203")] and second.removals_published == 1


def test_a_capped_source_is_reported_and_never_used_for_removals(aws_env, watchmode_env):
    from tvguide.watchmode import WatchmodeClient

    repo = TitleStores(aws_env["table"].name)
    repo.file_availability({"id": "42", "title": "Maybe", "genre_ids": ["4"]}, ["203"])
    client = WatchmodeClient(watchmode_env.public_url + "/v1/", "unit-test-key")
    publisher = ListPublisher()
    report = run_ingestion(
        [Demand(source_id="203")],
        client,
        repo,
        publisher,
        misses=CrawlMisses(aws_env["table"].name),
        cause="c",
        correlation_id="x",
        max_pages=1,
        page_limit=10,
    )
    assert report.sources_capped == ["203"] and report.removals_published == 0
    assert report.titles_published == 10


def test_a_run_that_cannot_complete_publishes_what_it_has_and_fails_loudly(aws_env, watchmode_env):
    from fake_watchmode.server import Fault
    from tvguide.watchmode import WatchmodeClient

    watchmode_env.state.faults.append(Fault(kind="status", status=402, count=1, path="/v1/list-titles/"))
    client = WatchmodeClient(watchmode_env.public_url + "/v1/", "unit-test-key")
    publisher = ListPublisher()
    with pytest.raises(IngestionFailed) as failure:
        run_ingestion(
            [Demand(source_id="203"), Demand(source_id="409")],
            client,
            TitleStores(aws_env["table"].name),
            publisher,
            misses=CrawlMisses(aws_env["table"].name),
            cause="c",
            correlation_id="x",
        )
    assert "203" in failure.value.report.sources_failed
    assert failure.value.report.as_dict()["status"] == "failed"


def test_publisher_resends_only_failed_entries(aws_env):
    class FlakyKinesis:
        def __init__(self):
            self.calls = []

        def put_records(self, StreamName, Records):
            self.calls.append([r["PartitionKey"] for r in Records])
            if len(self.calls) == 1:
                return {
                    "FailedRecordCount": 1,
                    "Records": [
                        {"SequenceNumber": "1"},
                        {"ErrorCode": "ProvisionedThroughputExceededException"},
                        {"SequenceNumber": "3"},
                    ],
                }
            return {"FailedRecordCount": 0, "Records": [{"SequenceNumber": "9"} for _ in Records]}

    from tvguide.models import EventHeader, TitleEvent, TitleSummary

    flaky = FlakyKinesis()
    publisher = KinesisTitlePublisher("s", flaky, sleep=lambda s: None)
    events = [
        TitleEvent(
            header=EventHeader(event_type="title.seen", component="t", cause="c", correlation_id="x"),
            payload=TitleSummary(id=str(i), title="T"),
        )
        for i in (1, 2, 3)
    ]
    assert publisher.publish(events) == 3
    assert flaky.calls == [["1", "2", "3"], ["2"]]


def test_publisher_chunks_at_500_records(aws_env):
    from tvguide.models import EventHeader, TitleEvent, TitleSummary

    publisher = KinesisTitlePublisher(aws.STREAM)
    events = [
        TitleEvent(
            header=EventHeader(event_type="title.seen", component="t", cause="c", correlation_id="x"),
            payload=TitleSummary(id=str(i), title="T"),
        )
        for i in range(1201)
    ]
    assert publisher.publish(events) == 1201
    assert publisher.calls == 3
    assert len(aws.read_stream()) == 1201


# --- a bad answer never unfiles titles ---------------------------------------------------------------


class StubCatalogue:
    """list-titles pages as given: (titles, rejected rows) per page; the last page is complete."""

    def __init__(self, pages):
        self.pages = pages

    def iter_titles(self, *, source_id, max_pages, **kwargs):
        from tvguide.models import TitleSummary
        from tvguide.watchmode import TitlePage

        for number, (ids, rejected) in enumerate(self.pages, start=1):
            titles = [TitleSummary(id=i, title=f"T{i}", source_ids=[source_id]) for i in ids]
            page = TitlePage(
                titles=titles, page=number, total_pages=len(self.pages), total_results=0, rejected=rejected
            )
            yield page, number == len(self.pages)


def _filed(aws_env, count):
    repo = TitleStores(aws_env["table"].name)
    for i in range(1, count + 1):
        repo.file_availability({"id": str(i), "title": f"T{i}", "genre_ids": ["4"]}, ["203"])
    return repo


def _run_twice(aws_env, repo, catalogue):
    reports, removed = [], []
    for _ in range(2):
        publisher = ListPublisher()
        reports.append(
            run_ingestion(
                [Demand(source_id="203", genre_ids=("4",))], catalogue, repo, publisher,
                misses=CrawlMisses(aws_env["table"].name), cause="c", correlation_id="x",
            )
        )  # fmt: skip
        removed += [e for e in publisher.events if e.header.event_type == "title.left_source"]
    return reports, removed


def test_a_crawl_with_unreadable_rows_is_not_complete_and_removes_nothing(aws_env):
    """Reproduced: rows that failed to parse were dropped silently and their titles unfiled."""
    repo = _filed(aws_env, 3)
    reports, removed = _run_twice(aws_env, repo, StubCatalogue([(["1", "2"], 1)]))
    assert removed == [] and reports[-1].sources_complete == 0


def test_a_crawl_listing_far_fewer_titles_than_are_filed_removes_nothing_and_says_so(aws_env):
    repo = _filed(aws_env, 20)
    reports, removed = _run_twice(aws_env, repo, StubCatalogue([(["1", "2", "3"], 0)]))
    assert removed == [] and reports[-1].sources_suspicious == {"203": "3 listed, 20 filed"}


def test_a_title_found_again_starts_its_count_over(aws_env):
    repo = _filed(aws_env, 12)
    everyone = [str(i) for i in range(1, 13)]
    _run_twice(aws_env, repo, StubCatalogue([(everyone[:-1], 0)]))  # missed twice: removed
    repo2 = _filed(aws_env, 12)
    misses = CrawlMisses(aws_env["table"].name)
    for listed in (everyone[:-1], everyone, everyone[:-1]):  # missed, found again, missed once more
        publisher = ListPublisher()
        run_ingestion(
            [Demand(source_id="203", genre_ids=("4",))], StubCatalogue([(listed, 0)]), repo2, publisher,
            misses=misses, cause="c", correlation_id="x",
        )  # fmt: skip
        assert not [e for e in publisher.events if e.header.event_type == "title.left_source"]


def test_a_page_without_valid_paging_is_an_error_never_the_end_of_the_list(watchmode_env, monkeypatch):
    """Reproduced: total_pages missing became 0, so the first page passed for the whole list."""
    from tvguide.watchmode import WatchmodeBadResponse, WatchmodeClient

    client = WatchmodeClient(watchmode_env.public_url + "/v1/", "unit-test-key")
    monkeypatch.setattr(client, "_backoff", lambda attempt: 0)
    answers = iter([{"titles": [{"id": 1, "title": "A"}], "page": 1}] * 3)
    monkeypatch.setattr(client, "get", lambda *a, **k: next(answers))
    with pytest.raises(WatchmodeBadResponse, match="paging"):
        list(client.iter_titles(source_id="203", max_pages=5))


def test_an_empty_page_before_the_last_is_retried_then_an_error(watchmode_env, monkeypatch):
    from tvguide.watchmode import WatchmodeBadResponse, WatchmodeClient

    client = WatchmodeClient(watchmode_env.public_url + "/v1/", "unit-test-key")
    monkeypatch.setattr(client, "_backoff", lambda attempt: 0)
    calls = []

    def answer(*args, **kwargs):
        calls.append(args)
        return {"titles": [], "page": 1, "total_pages": 4, "total_results": 900}

    monkeypatch.setattr(client, "get", answer)
    with pytest.raises(WatchmodeBadResponse, match="empty"):
        list(client.iter_titles(source_id="203", max_pages=5))
    assert len(calls) == 3  # asked again before giving up


# --- sources that did not complete are retried by the product itself ------------------------------------

SCHEDULE = {"source": "aws.events", "detail-type": "Scheduled Event"}


def test_a_source_that_failed_is_retried_by_the_next_scheduled_run_and_only_it(
    aws_env, watchmode_env, monkeypatch
):
    """Reproduced: sustained 429s lost a source's titles until the next day's run."""
    from tvguide.runtime import watchmode_client
    from tvguide_ingestion import handler
    from tvguide_ingestion.store import CrawlStates

    monkeypatch.setenv("WATCHMODE_MAX_RETRIES", "0")
    from tests.conftest import _clear_runtime_caches

    _clear_runtime_caches()
    _seed(aws_env, [Preferences(sources=["203", "409"], genres=["4"])])
    # 409's first page fails for good (a 503 after the client's retries); 203 goes through.
    calls = {"n": 0}
    client = watchmode_client("ingestion", handler.settings())
    real_list = client.list_titles

    def flaky(**kwargs):
        if kwargs["source_id"] == "409" and calls["n"] == 0:
            calls["n"] += 1
            from tvguide.watchmode import WatchmodeServerError

            raise WatchmodeServerError("list-titles: 503 Service Unavailable", 503)
        return real_list(**kwargs)

    monkeypatch.setattr(client, "list_titles", flaky)
    with pytest.raises(IngestionFailed):
        lambda_handler({"job_id": "first"}, FakeContext())
    states = CrawlStates(aws_env["table"].name).all()
    assert states["203"]["failures"] == 0 and "last_complete_at" in states["203"]
    assert states["409"]["failures"] == 1 and "503" in states["409"]["last_error"]

    # The next scheduled run is due for 409 only (203 was refreshed); the backoff of a first failure is
    # an hour, so pretend it passed.
    table = aws_env["table"]
    table.update_item(
        Key={"pk": "CRAWLS", "sk": "SOURCE#409"},
        UpdateExpression="SET last_attempt_at = :t",
        ExpressionAttributeValues={":t": "2020-01-01T00:00:00+00:00"},
    )
    result = lambda_handler(SCHEDULE, FakeContext())
    assert result["status"] == "succeeded" and result["sources_refreshed"] == ["409"]
    assert CrawlStates(aws_env["table"].name).all()["409"]["failures"] == 0
    # Nothing is due now: the hourly run records no job at all.
    assert lambda_handler(SCHEDULE, FakeContext()) == {"status": "skipped", "reason": "nothing due"}


def test_the_hourly_run_ends_a_stuck_job_and_counts_it_for_the_alarm(aws_env, capsys):
    """Even when nothing is due, the scheduled run ends the jobs that are stuck and publishes `StuckJobs`."""
    from datetime import timedelta

    from tvguide.jobs import JobKind, JobRepository, JobStatus

    jobs = JobRepository(aws_env["table"].name)
    lost = jobs.create(JobKind.REFERENCE_REFRESH, {"type": "schedule"}, timedelta(hours=1))
    aws_env["table"].update_item(  # its function never started, and its lease lapsed
        Key={"pk": "JOBLOCK#reference_refresh", "sk": "LOCK"},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": 1},
    )
    assert lambda_handler(SCHEDULE, FakeContext()) == {"status": "skipped", "reason": "nothing due"}
    assert jobs.get(lost.job_id).status == JobStatus.FAILED
    metric = next(json.loads(line) for line in capsys.readouterr().out.splitlines() if '"StuckJobs"' in line)
    assert metric["StuckJobs"] == [1.0]


def test_what_a_scheduled_run_crawls():
    from datetime import UTC, datetime

    from tvguide_ingestion.logic import stale_demands

    now = datetime(2026, 11, 21, 12, tzinfo=UTC)
    demands = [Demand(source_id=s) for s in ("1", "2", "3", "4", "5", "6", "7")]
    fresh = "2026-11-21T10:00:00+00:00"  # complete 2 h ago
    states = {
        "1": {"last_complete_at": fresh, "failures": 0},  # fresh
        "2": {"last_complete_at": "2026-11-20T10:00:00+00:00", "failures": 0},  # older than 20 h
        "3": {"last_attempt_at": "2026-11-21T11:30:00+00:00", "failures": 1},  # failed 30 min ago: wait 1 h
        "4": {"last_attempt_at": "2026-11-21T09:00:00+00:00", "failures": 2},  # failed 3 h ago: waited 2 h
        # "5": never crawled
        # Reproduced: an admin's refresh failed (a 429 storm) after a complete crawl 2 h earlier; once the
        # backoff is over the source is retried, not left until its complete crawl is 20 h old.
        "6": {"last_complete_at": fresh, "last_attempt_at": "2026-11-21T10:30:00+00:00", "failures": 1},
        "7": {"last_complete_at": fresh, "last_attempt_at": "2026-11-21T11:30:00+00:00", "failures": 1},
    }
    assert [d.source_id for d in stale_demands(demands, states, now, 20)] == ["2", "4", "5", "6"]
