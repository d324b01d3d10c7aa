"""What a local stack instance is (ports, name prefix, state folder) and how the tools report progress."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
TERRAFORM_DIR = ROOT / "terraform"
EMULATOR = os.environ.get("EMULATOR", "ministack")
FAKE_API_KEY = "local-fake-watchmode-key"


@dataclass(frozen=True)
class Instance:
    name: str
    emulator_port: int
    fake_port: int
    catalogue_size: int
    fake_rate_limit: int
    credit_budget: int = 0  # Watchmode credits per month (0: no budget)

    @property
    def state_dir(self) -> Path:
        return LOCAL / self.name

    @property
    def stack_file(self) -> Path:
        return LOCAL / "stack.json" if self.name == "dev" else self.state_dir / "stack.json"

    @property
    def endpoint(self) -> str:
        return f"http://localhost:{self.emulator_port}"

    @property
    def fake_url(self) -> str:
        return f"http://localhost:{self.fake_port}"

    @property
    def name_prefix(self) -> str:
        return f"tvguide-{self.name}"


INSTANCES = {
    "dev": Instance("dev", 4566, 8566, catalogue_size=3000, fake_rate_limit=3000),
    "test": Instance("test", 4567, 8567, catalogue_size=3000, fake_rate_limit=3000),
    "bench": Instance("bench", 4568, 8568, catalogue_size=3000, fake_rate_limit=1200),
    # A fourth, for a second test or bench run beside the others (STACK_INSTANCE=spare make test,
    # BENCH_INSTANCE=spare make bench).
    "spare": Instance("spare", 4569, 8569, catalogue_size=3000, fake_rate_limit=3000),
}


# --- output --------------------------------------------------------------------------------------------


@contextmanager
def step(message: str) -> Iterator[None]:
    print(f"==> {message} ...", flush=True)
    started = time.monotonic()
    yield
    print(f"    done in {time.monotonic() - started:.1f}s", flush=True)


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(1)
