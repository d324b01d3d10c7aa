"""The Watchmode budget: callers share the rate limit whatever their concurrency, enrichment never spends
past the month's credits and spends them on the titles in the most viewers' feeds first, and ingestion
does bounded work per invocation."""

from datetime import UTC, datetime, timedelta

from tests.conftest import _clear_runtime_caches
from tests.support.events import FakeContext
from tests.support.stores import TitleStores
from tests.unit.test_consumer import seen
from tests.unit.test_enrichment import drain, ingest
from tvguide.models import Preferences
from tvguide.repositories import enrichment_rank
from tvguide.watchmode_budget import CreditLedger, SharedRateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


def _calls_per_minute_never_exceed(calls: list[float], start: float, limit: float) -> None:
    for window_start in range(int(start), int(start) + 60, 5):
        assert len([t for t in calls if window_start <= t < window_start + 60]) <= limit


def test_every_caller_and_container_together_never_exceed_the_rate(aws_env):
    """Enrichment's worker and two ingestion containers, calling as fast as they are let: together within
    the account's rate (plus the bucket's burst and one leased block per container), and each gets calls."""
    clock = FakeClock()
    table = aws_env["table"].name
    rate = 2.0  # calls per second for the whole account, whatever the callers and containers
    containers = [
        SharedRateLimiter(table, caller, rate, clock=clock, sleep=clock.sleep)
        for caller in ("enrichment", "ingestion", "ingestion")
    ]
    calls: dict[int, list[float]] = {n: [] for n in range(len(containers))}
    start = clock.now
    while clock.now - start < 120:
        for n, container in enumerate(containers):
            container.acquire()
            calls[n].append(clock.now)
    every = sorted(t for times in calls.values() for t in times)
    block = containers[0].block
    _calls_per_minute_never_exceed(every, start, rate * 60 + containers[0].capacity + block * len(containers))
    assert len(every) >= rate * 110  # the rate is really used
    assert all(len(times) >= rate * 110 / len(containers) * 0.8 for times in calls.values())  # none starves


def test_a_caller_alone_gets_the_whole_rate(aws_env):
    """Work-conserving: with no crawl running, enrichment takes all of the account's rate (a fixed share
    left a quarter of it unused)."""
    clock = FakeClock()
    enrichment = SharedRateLimiter(aws_env["table"].name, "enrichment", 2.0, clock=clock, sleep=clock.sleep)
    calls: list[float] = []
    start = clock.now
    while clock.now - start < 120:
        enrichment.acquire()
        calls.append(clock.now)
    _calls_per_minute_never_exceed(calls, start, 2.0 * 60 + enrichment.capacity + enrichment.block)
    assert len(calls) >= 2.0 * 118


def test_reservations_never_pass_the_budget_and_unused_credits_come_back(aws_env):
    table = aws_env["table"].name
    ledger = CreditLedger(table, 100, now=lambda: datetime(2026, 11, 29, tzinfo=UTC))
    ledger.record("ingestion", 30)
    first = ledger.reserve(50)
    second = ledger.reserve(50)
    assert (first.credits, second.credits) == (50, 20)  # only what is left
    assert ledger.reserve(5).credits == 0
    ledger.settle("enrichment", first, used=50)
    ledger.settle("enrichment", second, used=10)  # 10 reserved but not spent come back
    state = ledger.state()
    assert state.spent == 90 and state.remaining == 10
    assert state.by_caller == {"ingestion": 30, "enrichment": 60}
    # A new month starts from nothing.
    december = CreditLedger(table, 100, now=lambda: datetime(2026, 12, 1, tzinfo=UTC))
    assert december.state().spent == 0 and december.reserve(100).credits == 100
    # A reservation made on the 31st is settled in its own month, even after midnight.
    clock = {"now": datetime(2027, 2, 28, 23, 59, tzinfo=UTC)}
    straddling = CreditLedger(table, 100, now=lambda: clock["now"])
    reservation = straddling.reserve(10)
    assert reservation.credits == 10 and reservation.month == "2027-02"
    clock["now"] = datetime(2027, 3, 1, 0, 1, tzinfo=UTC)
    straddling.settle("enrichment", reservation, used=4)
    february = CreditLedger(table, 100, now=lambda: datetime(2027, 2, 2, tzinfo=UTC)).state()
    assert february.spent == 4 and february.by_caller == {"enrichment": 4}
    assert straddling.state().spent == 0  # March starts with nothing: the 6 unused went back to February
    # Reproduced: a month's first reservation was granted whole, past the budget (nothing to compare).
    january = CreditLedger(table, 10, now=lambda: datetime(2027, 1, 1, tzinfo=UTC))
    assert january.reserve(30).credits == 10 and january.state().spent == 10


def test_credits_a_killed_invocation_reserved_come_back_once_its_hold_expires(aws_env):
    """Reproduced: an invocation killed mid-chunk never settled its reservation, so its credits counted as
    spent for the rest of the month. Reservations are kept with an expiry; the next run gives back those
    that lapsed, and a settlement that comes after that counts only what was used."""
    clock = {"now": datetime(2026, 12, 31, 23, 50, tzinfo=UTC)}
    ledger = CreditLedger(aws_env["table"].name, 100, now=lambda: clock["now"])
    killed = ledger.reserve(50, hold_seconds=360)
    running = ledger.reserve(30, hold_seconds=3600)
    assert ledger.return_lapsed() == 0 and ledger.state().spent == 80  # nothing has expired yet
    clock["now"] = datetime(2027, 1, 1, 0, 5, tzinfo=UTC)  # the killed one's hold is over (last month's)
    assert ledger.return_lapsed() == 50 and ledger.return_lapsed() == 0  # given back once
    december = CreditLedger(aws_env["table"].name, 100, now=lambda: datetime(2026, 12, 2, tzinfo=UTC))
    assert december.state().spent == 30  # only the running reservation is still held
    ledger.settle("enrichment", running, used=30)
    ledger.settle("enrichment", killed, used=5)  # it woke after all: what it used still counts, once
    state = december.state()
    assert state.spent == 35 and state.by_caller == {"enrichment": 35}
    item = aws_env["table"].get_item(Key={"pk": "WATCHMODE#CREDITS", "sk": "2026-12"})["Item"]
    assert not [k for k in item if k.startswith("reserved_")]  # nothing left reserved


def test_without_a_budget_everything_is_granted_and_still_counted(aws_env):
    ledger = CreditLedger(aws_env["table"].name, 0)
    reservation = ledger.reserve(10_000)
    assert reservation.credits == 10_000
    ledger.settle("enrichment", reservation, used=42)
    assert ledger.state().spent == 42 and ledger.state().remaining is None


def test_rank_puts_more_viewers_first_then_popularity():
    ranks = [
        enrichment_rank("a", 3, None),
        enrichment_rank("b", 10, 20.0),
        enrichment_rank("c", 10, 95.5),
        enrichment_rank("d", 0, 99.0),
    ]
    assert [r.rsplit("#", 1)[1] for r in sorted(ranks)] == ["c", "b", "a", "d"]


def test_ingestion_tells_how_many_viewers_feeds_each_title_is_in():
    from tvguide_ingestion.logic import Audience

    audience = Audience(
        [
            Preferences(sources=["203", "409"], genres=["4"]),
            Preferences(sources=["203"], genres=[]),
            Preferences(sources=["26"], genres=[]),
        ]
    )
    assert audience(["203"]) == 2 and audience(["203", "409"]) == 2  # distinct viewers, not sources
    assert audience(["26", "409"]) == 2 and audience(["999"]) == 0


def _budget_env(monkeypatch, credits: int) -> None:
    monkeypatch.setenv("WATCHMODE_MONTHLY_CREDIT_BUDGET", str(credits))
    _clear_runtime_caches()


def test_a_short_budget_is_spent_on_the_titles_in_the_most_feeds(aws_env, watchmode_env, monkeypatch):
    """30 new titles wait, the month has 20 credits (10 titles' details with their offers): the 10 titles
    in the most viewers' feeds are
    enriched, whatever order they arrived in; the others stay queued in rank order (no write to defer
    them), and not one credit more is spent. A running titles job stops waiting for them."""
    from tvguide.jobs import JobKind, JobRepository

    _budget_env(monkeypatch, 20)
    repo = TitleStores(aws_env["table"].name)
    jobs = JobRepository(aws_env["table"].name)
    job = jobs.create(JobKind.TITLES_REFRESH, {"sub": "schedule"}, timeout=timedelta(hours=1))
    jobs.start(job.job_id)
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:30]]
    events = []
    for n, title_id in enumerate(ids):
        event = seen(title_id, ["203"])
        event = event.model_copy(update={"header": event.header.model_copy(update={"cause": job.job_id})})
        events.append(event.model_copy(update={"audience": n}))  # the last title is in the most feeds
    ingest(*events)
    jobs.add_progress(job.job_id, {"events_published": 30}, dispatch_complete=True)
    best = set(ids[-10:])

    report = drain()
    assert report["stopped"] == "credits" and report["credits_used"] == 20
    assert {t for t in ids if repo.get(t)["enrichment_status"] == "ENRICHED"} == best
    assert watchmode_env.state.stats()["calls"]["title-details"] == 10
    waiting = [t for t in reversed(ids) if t not in best]
    assert repo.next_pending(30) == waiting  # still queued, best rank first
    assert {repo.get(t)["enrichment_status"] for t in waiting} == {"PENDING"}
    ledger = CreditLedger(aws_env["table"].name, 20)
    assert ledger.state().spent == 20 and ledger.state().by_caller["enrichment"] == 20
    # The job stored everything and its other titles wait for next month's credits: it ends.
    finished = jobs.get(job.job_id)
    assert finished is not None and finished.status == "succeeded"
    assert finished.progress["titles_enriched"] == 10 and finished.progress["titles_enrich_deferred"] == 20

    # Spent: a later run (the schedule's, or a nudge for a new title) spends nothing.
    ingest(seen("999999", ["203"]))
    assert drain()["stopped"] == "credits"
    assert repo.get("999999")["enrichment_status"] == "PENDING"
    assert watchmode_env.state.stats()["calls"]["title-details"] == 10


def test_a_budget_that_covers_everything_waiting_enriches_at_once(aws_env, watchmode_env, monkeypatch):
    _budget_env(monkeypatch, 1000)
    repo = TitleStores(aws_env["table"].name)
    ids = [str(t.id) for t in watchmode_env.state.catalogue.titles[:5]]
    ingest(*(seen(t, ["203"]) for t in ids))
    assert drain()["stopped"] == "empty"
    assert {repo.get(t)["enrichment_status"] for t in ids} == {"ENRICHED"}
    assert (
        CreditLedger(aws_env["table"].name, 1000).state().spent == 10
    )  # reserved 10, used 10 (5 titles' details with offers)


class RecordingLambda:
    def __init__(self) -> None:
        self.payloads: list[dict] = []

    def invoke(self, **kwargs):
        import json

        self.payloads.append(json.loads(kwargs["Payload"]))


def test_a_titles_refresh_crawls_a_few_sources_per_invocation_and_continues(
    aws_env, watchmode_env, monkeypatch
):
    from tests.unit.test_ingestion import _published, _seed
    from tvguide.jobs import JobRepository
    from tvguide_ingestion import handler

    monkeypatch.setenv("INGESTION_SOURCES_PER_INVOCATION", "2")
    _clear_runtime_caches()
    recorder = RecordingLambda()
    monkeypatch.setattr(handler, "lambda_client", lambda: recorder)
    _seed(aws_env, [Preferences(sources=["26", "203", "372", "409", "413"], genres=["4"])])

    first = handler.lambda_handler({"job_id": "refresh-1"}, FakeContext())
    assert first["sources_refreshed"] == ["26", "203"] and first["sources_left"] == ["372", "409", "413"]
    second = handler.lambda_handler(recorder.payloads[-1], FakeContext())
    assert second["sources_refreshed"] == ["372", "409"]
    third = handler.lambda_handler(recorder.payloads[-1], FakeContext())
    assert third["sources_refreshed"] == ["413"] and len(recorder.payloads) == 2  # no fourth invocation

    job = JobRepository(aws_env["table"].name).get(first["job_id"])
    assert job is not None and job.dispatch_complete
    assert job.progress["sources_requested"] == 5 and job.progress["sources_complete"] == 5
    published = _published()
    assert job.progress["events_published"] == len(published)
    # Every event says how many viewers' feeds its title is in (one viewer here).
    assert {event.get("audience") for event in published} == {1}
    # The credits the crawl spent are in the month's ledger.
    pages = sum(r["pages"] for r in (first, second, third))
    assert CreditLedger(aws_env["table"].name, 0).state().by_caller["ingestion"] == pages
