"""The Watchmode account's two budgets, shared by every function that calls it, whatever their concurrency.

- **Rate**: one token bucket for the whole account, kept in the table (`WATCHMODE#RATE` / `account`), filled
  at the plan's per-minute limit (paced at 0.95 of it). Every caller (`enrichment`, `ingestion`, `control`
  for reference data and the admin's status call), in every container, leases about a second's worth of
  calls at a time from it with a conditional write, so all of them together never take more than the limit,
  and the rate is work-conserving: a caller alone (enrichment while no crawl runs) gets all of it; callers
  busy at once share it by their demand. Within a container the leased calls are spaced evenly (a
  pause gives back up to a lease's worth: every call still takes a leased token).
  Worst case over any 60 s: the bucket's burst (`BURST_SECONDS` of the rate) plus one leased block per
  container plus 60 seconds of the rate, so the limit paced at 0.95 stays below the limit.
- **Credits**: a monthly budget (`WATCHMODE#CREDITS` / `<yyyy-mm>`). Every caller records what it spent;
  enrichment reserves credits before it spends them (a conditional ADD that fails past the budget) and
  gives back what it did not use, so it never spends past the budget. A budget of 0 means none. Each
  reservation is kept on the month's item (`reserved_<id>`, with an expiry) until it is settled: one that
  a killed invocation never settled is given back by the next worker once it has expired (the calls the
  killed chunk made before it died, fewer than it reserved, then go uncounted).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from tvguide.models import utc_now
from tvguide.repositories import TableRepository, from_dynamo
from tvguide.watchmode import RatePacer

RATE_PK = "WATCHMODE#RATE"
CREDITS_PK = "WATCHMODE#CREDITS"
CALLERS = ("enrichment", "ingestion", "control", "imports")
RATE_BUCKET = "account"  # the one bucket every caller leases from
BURST_SECONDS = 2.0  # the most a bucket holds, in seconds of its rate
LEASE_SECONDS = 1.0  # how much a container takes at a time, in seconds of its rate
RESERVATION_PREFIX = "reserved_"  # a reservation's attribute on its month's credits item


def _dec(value: float) -> Decimal:
    return Decimal(str(round(value, 6)))


class SharedRateLimiter(TableRepository):
    """The account's rate limit, shared by every caller and container (the `pacer` of a WatchmodeClient);
    `caller` names who is calling, for logs and metrics."""

    def __init__(
        self,
        table_name: str,
        caller: str,
        rate_per_second: float,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(table_name, **kwargs)
        if rate_per_second <= 0:
            raise ValueError("a shared rate needs a rate above 0")
        self.caller = caller
        self.rate = rate_per_second
        self.capacity = max(1.0, rate_per_second * BURST_SECONDS)
        self.block = max(1, int(rate_per_second * LEASE_SECONDS))
        self._clock = clock
        self._sleep = sleep
        self._leased = 0
        self._state: tuple[float, Decimal] | None = None  # (tokens, stamp) as this container last wrote it
        self._lock = threading.Lock()
        # Within a container the leased calls are spaced evenly; a pause (between two chunks of work) gives
        # back up to one lease's worth, so the rate is not lost to it (every call still takes a leased token).
        self._spacing = RatePacer(rate_per_second, clock=clock, sleep=sleep, burst_seconds=LEASE_SECONDS)
        self.leases = 0  # conditional writes that took tokens (for tests and metrics)

    @property
    def key(self) -> dict[str, str]:
        return {"pk": RATE_PK, "sk": RATE_BUCKET}

    def acquire(self) -> None:
        with self._lock:
            while self._leased < 1:
                self._lease()
            self._leased -= 1
        self._spacing.acquire()

    def delay(self, seconds: float) -> None:
        """After a 429's Retry-After: this container waits (the bucket is left to the others' pace)."""
        self._spacing.delay(seconds)

    def pending(self) -> float:
        return self._spacing.pending()

    def _read(self) -> tuple[float, Decimal | None]:
        item = self.table.get_item(Key=self.key, ConsistentRead=True).get("Item")
        if not item:
            return self.capacity, None
        return float(item["tokens"]), item["stamp"]

    def _lease(self) -> None:
        """Take up to a block of tokens from the bucket (refilled at the rate since its last write)."""
        tokens, stamp = self._state if self._state else self._read()
        now = self._clock()
        available = tokens if stamp is None else tokens + max(0.0, now - float(stamp)) * self.rate
        available = min(self.capacity, available)
        if available < self.block:
            # Wait for a whole block: taking single tokens would cost a lease (two requests) per call.
            # What this container last wrote stays its guess: if another wrote since, the conditional
            # write below fails and the bucket is read again.
            self._sleep((self.block - available) / self.rate)
            return
        take = self.block
        new_stamp = _dec(now)
        condition = "attribute_not_exists(pk)" if stamp is None else "stamp = :old"
        values: dict[str, Any] = {":t": _dec(available - take), ":s": new_stamp}
        if stamp is not None:
            values[":old"] = stamp
        try:
            self.table.update_item(
                Key=self.key,
                UpdateExpression="SET tokens = :t, stamp = :s",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            self._state = None  # another container wrote first
            return
        self._state = (available - take, new_stamp)
        self._leased += take
        self.leases += 1


@dataclass(frozen=True)
class Reservation:
    """Credits reserved in a month; `name` is its attribute on the month's item ("" when nothing is kept:
    no budget, or nothing granted)."""

    credits: int
    month: str
    name: str = ""


@dataclass(frozen=True)
class CreditState:
    month: str
    budget: int  # 0: no budget
    spent: int
    by_caller: dict[str, int]

    @property
    def remaining(self) -> int | None:
        return None if not self.budget else max(0, self.budget - self.spent)

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "budget": self.budget or None,
            "spent": self.spent,
            "remaining": self.remaining,
            "by_caller": self.by_caller,
        }


class CreditLedger(TableRepository):
    """The month's Watchmode credits: what each caller spent, and reservations against the budget."""

    def __init__(
        self, table_name: str, budget: int, *, now: Callable[[], Any] = utc_now, **kwargs: Any
    ) -> None:
        super().__init__(table_name, **kwargs)
        self.budget = max(0, budget)
        self._now = now

    def month(self) -> str:
        return str(self._now().strftime("%Y-%m"))

    def _key(self, month: str | None = None) -> dict[str, str]:
        return {"pk": CREDITS_PK, "sk": month or self.month()}

    def record(self, caller: str, credits: int) -> None:
        """Credits a caller spent without a reservation (list-titles pages, reference data)."""
        if credits:
            self._add(spent=credits, caller=caller, used=credits)

    def reserve(self, wanted: int, hold_seconds: float = 900.0) -> Reservation:
        """Reserve up to `wanted` credits within the budget (all of them when there is no budget), for at
        most `hold_seconds`: a reservation not settled by then is given back by `return_lapsed`. What is
        reserved counts as spent until `settle` corrects it."""
        month = self.month()
        if wanted <= 0 or not self.budget:
            return Reservation(max(0, wanted), month)
        failed = self.resource.meta.client.exceptions.ConditionalCheckFailedException
        name = f"{RESERVATION_PREFIX}{uuid4().hex[:12]}"
        expires_at = int(self._now().timestamp() + hold_seconds)
        asked = min(wanted, self.budget)  # a month with nothing spent yet has no `spent` to compare
        for _ in range(10):
            try:
                self.table.update_item(
                    Key=self._key(month),
                    UpdateExpression="ADD spent :n SET #r = :r",
                    ConditionExpression="attribute_not_exists(spent) OR spent <= :room",
                    ExpressionAttributeNames={"#r": name},
                    ExpressionAttributeValues={
                        ":n": asked,
                        ":room": self.budget - asked,
                        ":r": {"credits": asked, "expires_at": expires_at},
                    },
                )
                return Reservation(asked, month, name)
            except failed:
                asked = min(wanted, self.budget - self.state().spent)
                if asked <= 0:
                    break
        return Reservation(0, month)

    def settle(self, caller: str, reservation: Reservation, used: int) -> None:
        """After a reservation: record what was really used and give back the rest, in the month the
        reservation was made (a chunk that straddles midnight on the 1st settles last month's)."""
        if not reservation.name:  # nothing reserved, or no budget
            if used:
                self._add(spent=used, caller=caller, used=used, month=reservation.month)
            return
        try:
            self.table.update_item(
                Key=self._key(reservation.month),
                UpdateExpression="ADD spent :s, #c :u REMOVE #r",
                ConditionExpression="attribute_exists(#r)",
                ExpressionAttributeNames={"#c": f"credits_{caller}", "#r": reservation.name},
                ExpressionAttributeValues={":s": used - reservation.credits, ":u": used},
            )
        except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
            # Given back meanwhile as lapsed (this invocation outlived its hold): count only what it used.
            self._add(spent=used, caller=caller, used=used, month=reservation.month)

    def return_lapsed(self) -> int:
        """Give back the reservations of this month and the last that expired unsettled (their invocation
        was killed); returns how many credits came back."""
        now = self._now()
        last_month = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        returned = 0
        for month in (last_month, self.month()):
            item = self.table.get_item(Key=self._key(month), ConsistentRead=True).get("Item") or {}
            for name, held in item.items():
                if not name.startswith(RESERVATION_PREFIX) or int(held["expires_at"]) >= now.timestamp():
                    continue
                try:
                    self.table.update_item(
                        Key=self._key(month),
                        UpdateExpression="ADD spent :back REMOVE #r",
                        ConditionExpression="attribute_exists(#r)",
                        ExpressionAttributeNames={"#r": name},
                        ExpressionAttributeValues={":back": -int(held["credits"])},
                    )
                    returned += int(held["credits"])
                except self.resource.meta.client.exceptions.ConditionalCheckFailedException:
                    continue  # settled or given back by another meanwhile
        return returned

    def _add(self, *, spent: int, caller: str, used: int, month: str | None = None) -> None:
        self.table.update_item(
            Key=self._key(month),
            UpdateExpression="ADD spent :s, #c :u",
            ExpressionAttributeNames={"#c": f"credits_{caller}"},
            ExpressionAttributeValues={":s": spent, ":u": used},
        )

    def state(self) -> CreditState:
        item = from_dynamo(self.table.get_item(Key=self._key(), ConsistentRead=True).get("Item") or {})
        return CreditState(
            month=self.month(),
            budget=self.budget,
            spent=int(item.get("spent") or 0),
            by_caller={
                k.removeprefix("credits_"): int(v) for k, v in item.items() if k.startswith("credits_")
            },
        )
