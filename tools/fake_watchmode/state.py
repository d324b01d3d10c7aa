"""The fake Watchmode's state: catalogue, rate-limit window, call and credit counters, injected faults."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from fake_watchmode.catalogue import Catalogue


@dataclass
class Fault:
    kind: str  # "status" | "slow" | "malformed"
    count: int
    path: str = ""
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0


@dataclass
class FakeState:
    api_key: str
    rate_limit_per_minute: int
    account_quota: int
    catalogue: Catalogue
    lock: threading.Lock = field(default_factory=threading.Lock)
    window: deque[float] = field(default_factory=deque)
    calls: Counter[str] = field(default_factory=Counter)
    credits: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    credits_used: int = 0
    first_call: dict[str, float] = field(default_factory=dict)
    last_call: dict[str, float] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    availability_changes: list[dict[str, Any]] = field(default_factory=list)  # kept by reset: catalogue data
    plan: str = "paid"  # "free": leaving dates are a preview of the next 10
    today: date | None = None  # the fake's date (None: the real UTC date)
    moved_departures: dict[tuple[int, int], date | None] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def current_date(self) -> date:
        return self.today or datetime.now(UTC).date()

    def reset(self) -> None:
        with self.lock:
            self.window.clear()
            self.calls.clear()
            self.credits.clear()
            self.rate_limited = 0
            self.faults.clear()
            self.first_call.clear()
            self.last_call.clear()
            self.plan, self.today = "paid", None
            self.moved_departures.clear()

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault.path) and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def admit(self) -> tuple[bool, int, float]:
        """Sliding 60 s window. Returns (admitted, remaining, retry_after_seconds)."""
        with self.lock:
            now = time.monotonic()
            while self.window and now - self.window[0] >= 60:
                self.window.popleft()
            if len(self.window) >= self.rate_limit_per_minute:
                self.rate_limited += 1
                return False, 0, 60 - (now - self.window[0])
            self.window.append(now)
            return True, self.rate_limit_per_minute - len(self.window), 0.0

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "calls": dict(self.calls),
                "credits": dict(self.credits),
                "total_calls": sum(self.calls.values()),
                "total_credits": sum(self.credits.values()),
                "rate_limited": self.rate_limited,
                "first_call": dict(self.first_call),
                "last_call": dict(self.last_call),
                "rate_limit_per_minute": self.rate_limit_per_minute,
                "account_quota": self.account_quota,
                "account_quota_used": self.credits_used,
                "catalogue": {"seed": self.catalogue.seed, "size": self.catalogue.size},
            }
