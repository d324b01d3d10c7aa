"""Waiting for the pipeline to settle and the local emulator to be idle before the bench times the read path.

The emulator is one CPU-bound process (with its Lambda workers in the same session): after a burst of
writes it still works through the table's stream (the new-demand and notifier mappings) for a while, and a
read timed meanwhile measures that work, not the read path. The bench waits until the emulator's session
has used under `busy_share` of one core for `quiet_seconds` in a row (at most `limit` seconds).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from local_instance import LOCAL
from stack_client import StackClient

TICKS = os.sysconf("SC_CLK_TCK")


def session_cpu_seconds(session: int) -> float:
    """CPU seconds used so far by every live process of a session (the emulator and its workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[3]) == session:  # after the command: state, ppid, pgrp, session, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def wait_until_idle(
    pid_file: Path, *, busy_share: float = 0.15, quiet_seconds: float = 5, limit: float = 180
) -> float | None:
    """Seconds waited for the emulator to go quiet; None when its pid is unknown (nothing is waited for)."""
    if not pid_file.exists():
        return None
    session = int(pid_file.read_text())
    started = time.monotonic()
    quiet_since = time.monotonic()
    used, at = session_cpu_seconds(session), time.monotonic()
    while time.monotonic() - started < limit:
        time.sleep(1)
        now_used, now = session_cpu_seconds(session), time.monotonic()
        if (now_used - used) / (now - at) > busy_share:
            quiet_since = now
        elif now - quiet_since >= quiet_seconds:
            break
        used, at = now_used, now
    return time.monotonic() - started


def wait_until_settled(stack: StackClient, limit: float = 1800) -> None:
    """Wait for the pipeline to finish the new source's titles (none pending, unless the month's credits are
    spent), so the read path is timed on an idle emulator whatever the catalogue's size: the emulator is one
    CPU-bound process."""
    started = time.monotonic()
    while (
        (pending := stack.title_counts().get("PENDING", 0))
        and not stack.credits_spent()
        and time.monotonic() - started < limit
    ):
        time.sleep(10)
    waited = time.monotonic() - started
    state = f"{pending} titles still pending" if pending else "nothing pending"
    instance = os.environ.get("STACK_INSTANCE", "dev")
    quiet = wait_until_idle(LOCAL / instance / "emulator.pid")
    idle = f"; the emulator quiet after {quiet:.0f} s more" if quiet is not None else ""
    print(f"pipeline settled        waited {waited:.0f} s ({state}){idle}, then timed the read path")
