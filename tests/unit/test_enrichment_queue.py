"""The enrichment queue at a real first crawl's scale, with AWS's timing: 20,000 titles paced at Watchmode's
plan limit take hours, far past a stream mapping's one-hour record age. The queue is durable state, so no
title is lost to age: the worker drains it across many invocations (each within Lambda's time limit,
continuing in a fresh one), best rank first, and a credit budget that runs out leaves the rest queued.

In-memory stand-ins for the table (the logic knows its store only by its protocol) and a fake clock keep
this fast; the DynamoDB store itself is tested in test_enrichment.py."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from tvguide.models import EnrichmentStatus, TitleDetails
from tvguide.watchmode import DETAILS_CREDITS
from tvguide.watchmode_budget import Reservation
from tvguide_enrichment.logic import QueueWorker, StopReason, TitleEnricher

TITLES = 20_000
RATE_PER_MINUTE = 120  # Watchmode's plan limit
RECORD_AGE_SECONDS = 3600  # what the old stream mapping discarded records after
LAMBDA_SECONDS = 300


class Clock:
    def __init__(self) -> None:
        self.now = 0.0


@dataclass
class Titles:
    """The title records and the queue (the pending index: rank -> title), as the store keeps them."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    def queue(self, title_id: str, rank: str) -> None:
        self.items[title_id] = {
            "id": title_id,
            "enrichment_status": EnrichmentStatus.PENDING.value,
            "gsi1sk": rank,
            "source_ids": ["203"],
        }

    # EnrichmentQueue
    def next_pending(self, limit: int, skip: Any = ()) -> list[str]:
        queued = sorted(
            (item["gsi1sk"], title_id)
            for title_id, item in self.items.items()
            if item["enrichment_status"] == EnrichmentStatus.PENDING.value and title_id not in skip
        )
        return [title_id for _, title_id in queued[:limit]]

    # EnrichmentStore
    def get_many(self, title_ids: Any) -> dict[str, dict[str, Any]]:
        return {t: dict(self.items[t]) for t in title_ids if t in self.items}

    def apply_enrichment(
        self, details: TitleDetails, *, rank: str | None = None, offers_due: str | None = None
    ) -> tuple[list[str], list[str]]:
        self.items[details.id]["enrichment_status"] = EnrichmentStatus.ENRICHED.value
        return [], list(self.items[details.id]["source_ids"])

    def set_availability_details(self, rows: Any) -> int:
        return len(list(rows))

    def mark_enrichment_failed(self, title_id: str, reason: str) -> list[str]:
        self.items[title_id]["enrichment_status"] = EnrichmentStatus.FAILED.value
        return []

    def pending(self) -> int:
        return sum(1 for i in self.items.values() if i["enrichment_status"] == EnrichmentStatus.PENDING.value)


class PacedDetails:
    """Watchmode's details at the plan's rate limit: each call takes 60 / RATE_PER_MINUTE seconds."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.calls = 0
        self.credits = 0
        self.enriched_at: dict[str, float] = {}

    def title_details(self, title_id: str, region: str = "GB") -> TitleDetails:
        self.clock.now += 60 / RATE_PER_MINUTE
        self.calls += 1
        self.credits += DETAILS_CREDITS  # the details with their offers
        self.enriched_at[title_id] = self.clock.now
        return TitleDetails(id=title_id, genres=("4",), user_rating=7.0)

    def take_credits(self) -> int:
        spent, self.credits = self.credits, 0
        return spent


class Ledger:
    """The month's credits; atomic, as the table's conditional writes are (the worker reserves the next
    chunk's credits while it settles the chunk before)."""

    def __init__(self, budget: int = 0) -> None:
        self.budget = budget
        self.spent = 0
        self.lock = threading.Lock()

    def reserve(self, wanted: int, hold_seconds: float = 900.0) -> Reservation:
        with self.lock:
            granted = wanted if not self.budget else max(0, min(wanted, self.budget - self.spent))
            self.spent += granted
        return Reservation(granted, "2026-12", "reserved_1")

    def settle(self, caller: str, reservation: Reservation, used: int) -> None:
        assert reservation.month == "2026-12"
        with self.lock:
            self.spent += used - reservation.credits

    def return_lapsed(self) -> int:
        return 0


class Lease:
    def renew(self, now: float | None = None) -> bool:
        return True


def run_until_drained(titles: Titles, ledger: Ledger) -> tuple[PacedDetails, list[StopReason]]:
    """Invocations of the worker, each with Lambda's time limit, each continuing the last (as the handler
    invokes itself), until one stops for another reason than time."""
    clock = Clock()
    details = PacedDetails(clock)
    stops: list[StopReason] = []
    while not stops or stops[-1] == StopReason.TIME:
        started = clock.now
        worker = QueueWorker(
            enricher=TitleEnricher(details, titles),
            queue=titles,
            lease=Lease(),
            ledger=ledger,
            time_left=lambda started=started: LAMBDA_SECONDS - (clock.now - started),
            credits_used=details.take_credits,
            workers=1,
        )
        stops.append(worker.drain().stopped)
        assert len(stops) < 1000
    return details, stops


def queued(count: int) -> Titles:
    titles = Titles()
    for n in range(count):
        titles.queue(f"{100000 + n}", f"{n:07d}#000.00#{100000 + n}")  # 100000 is the best ranked
    return titles


def test_twenty_thousand_titles_are_all_enriched_hours_after_they_were_queued():
    titles = queued(TITLES)
    details, stops = run_until_drained(titles, Ledger())
    assert titles.pending() == 0 and details.calls == TITLES  # none lost, none fetched twice
    assert stops[-1] == StopReason.EMPTY and len(stops) > 1  # many invocations, each continuing the last
    late = [t for t, at in details.enriched_at.items() if at > RECORD_AGE_SECONDS]
    assert len(late) > TITLES / 2  # most were enriched past the record age that used to lose them
    order = sorted(details.enriched_at, key=details.enriched_at.__getitem__)
    assert order == sorted(order)  # best rank first, throughout


def test_a_budget_that_runs_out_halfway_enriches_the_best_ranked_half_and_the_rest_waits():
    titles = queued(TITLES)
    details, stops = run_until_drained(titles, Ledger(budget=TITLES // 2 * DETAILS_CREDITS))
    assert stops[-1] == StopReason.CREDITS
    assert details.calls == TITLES // 2 and titles.pending() == TITLES // 2  # waiting, none failed
    assert set(details.enriched_at) == {f"{100000 + n}" for n in range(TITLES // 2)}
    assert titles.next_pending(1) == [f"{100000 + TITLES // 2}"]  # next month starts where this one stopped


def test_a_chunk_is_written_while_the_next_one_is_fetched_and_progress_follows_the_writes():
    """Reproduced: the worker fetched a chunk, then waited for its writes before fetching the next, so the
    paced calls idled while DynamoDB was written (0.34 of the rate limit measured under load). The writes
    now run beside the next chunk's calls: here the first chunk's writes wait until the second chunk's
    first call has been made, which a worker that writes before it fetches again would never do."""
    titles = queued(6)
    second_chunk_fetched = threading.Event()
    overlapped: list[bool] = []

    class SlowStore(Titles):
        def set_availability_details(self, rows: Any) -> int:
            rows = list(rows)
            if rows and rows[0][0] == "100000":  # the first chunk's writes
                overlapped.append(second_chunk_fetched.wait(timeout=10))
            return len(rows)

    store = SlowStore(items=titles.items)
    clock = Clock()

    class Details(PacedDetails):
        def title_details(self, title_id: str, region: str = "GB") -> TitleDetails:
            if title_id == "100003":  # the second chunk's first title
                second_chunk_fetched.set()
            return super().title_details(title_id, region)

    details = Details(clock)
    reported: list[int] = []
    worker = QueueWorker(
        enricher=TitleEnricher(details, store),
        queue=store,
        lease=Lease(),
        ledger=Ledger(),
        time_left=lambda: LAMBDA_SECONDS,
        credits_used=details.take_credits,
        chunk=3,
        workers=1,
        after_chunk=lambda enricher: reported.append(6 - store.pending()),
    )
    report = worker.drain()
    assert overlapped == [True]
    assert report.stopped == StopReason.EMPTY and report.outcomes == {"enriched": 6} and details.calls == 6
    assert reported == [3, 6]  # each chunk's progress once its writes are done, in order


def test_the_next_chunk_is_taken_while_this_one_is_fetched():
    """Reproduced: between two chunks the paced calls waited for the lease's renewal, the queue's Query,
    the credits' reservation and the batch read (about 1 s a chunk on the emulator: 0.68 of the rate limit
    measured). The next chunk is now taken beside the calls: here the second chunk's Query happens before
    the first chunk's last call, which a worker that takes a chunk only after fetching one never does."""
    titles = queued(6)
    taken_during_the_calls: list[bool] = []
    second_taken = threading.Event()

    class Queue(Titles):
        def next_pending(self, limit: int, skip: Any = ()) -> list[str]:
            chunk = super().next_pending(limit, skip)
            if chunk[:1] == ["100003"]:
                second_taken.set()
            return chunk

    store = Queue(items=titles.items)

    class Details(PacedDetails):
        def title_details(self, title_id: str, region: str = "GB") -> TitleDetails:
            if title_id == "100002":  # the first chunk's last title
                taken_during_the_calls.append(second_taken.wait(timeout=10))
            return super().title_details(title_id, region)

    details = Details(Clock())
    worker = QueueWorker(
        enricher=TitleEnricher(details, store),
        queue=store,
        lease=Lease(),
        ledger=Ledger(budget=5 * DETAILS_CREDITS),
        time_left=lambda: LAMBDA_SECONDS,
        credits_used=details.take_credits,
        chunk=3,
        workers=1,
    )
    report = worker.drain()
    assert taken_during_the_calls == [True]
    # The budget still holds: 5 credits, the second chunk cut to 2, the sixth title waits.
    assert report.stopped == StopReason.CREDITS and details.calls == 5 and store.pending() == 1
