"""The local stack's processes: the emulator (MiniStack) and the fake Watchmode server, started on loopback
and stopped only when they are really ours."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from local_instance import FAKE_API_KEY, LOCAL, ROOT, Instance, fail
from stack_client import REGION

MINISTACK_VERSION = "1.5.33"


# --- processes -----------------------------------------------------------------------------------------


def http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        # bandit B310: http(s) only
        with urllib.request.urlopen(url, timeout=timeout) as response:  # nosec B310
            return bool(response.status == 200)
    except OSError:
        return False


def wait_for(url: str, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if http_ok(url):
            return
        time.sleep(0.2)
    fail(f"{what} did not become healthy at {url} within {seconds:.0f}s")


def pid_path(instance: Instance, name: str) -> Path:
    return instance.state_dir / f"{name}.pid"


def start_process(instance: Instance, name: str, command: list[str], env: dict[str, str]) -> None:
    instance.state_dir.mkdir(parents=True, exist_ok=True)
    log = open(instance.state_dir / f"{name}.log", "ab")  # noqa: SIM115 (handed to the child)
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True
    )
    pid_path(instance, name).write_text(str(process.pid))


# What each started process's command line contains: a pid file whose process is something else now
# (the pid was reused after a reboot) is never signalled.
PROCESS_MARKERS = {"emulator": "ministack", "fake-watchmode": "fake_watchmode"}


def is_ours(pid: int, name: str) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return PROCESS_MARKERS[name] in command


def stop_process(instance: Instance, name: str) -> bool:
    pid_file = pid_path(instance, name)
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text())
    pid_file.unlink()
    if not is_ours(pid, name):
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    for _ in range(50):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)
    return True


def emulator_python() -> Path:
    python = LOCAL / "emulator-venv" / "bin" / "python"
    if not python.exists():
        fail("the emulator's virtualenv is missing: run `make emulator-venv` (make up does it for you)")
    return python


def start_emulator(instance: Instance) -> bool:
    """Start MiniStack unless it is already healthy. Returns True when a fresh emulator was started."""
    health = f"{instance.endpoint}/_ministack/health"
    if http_ok(health, timeout=3):
        return False
    pid_file = pid_path(instance, "emulator")
    if pid_file.exists() and is_ours(int(pid_file.read_text()), "emulator"):
        # Running but slow to answer (busy with a large apply or a soak): wait for it, never wipe its state.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if http_ok(health, timeout=3):
                return False
            time.sleep(1)
    stop_process(instance, "emulator")
    data = instance.state_dir / "emulator"
    shutil.rmtree(data, ignore_errors=True)
    (data / "tmp").mkdir(parents=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data),
        "GATEWAY_PORT": str(instance.emulator_port),
        "BIND_HOST": "127.0.0.1",
        "IOT_MTLS_ENABLED": "0",
        "SFTP_ENABLED": "0",
        "MINISTACK_REGION": REGION,
        "TMPDIR": str(data / "tmp"),
        "STATE_DIR": str(data / "state"),
        "S3_DATA_DIR": str(data / "s3"),
        "LOG_LEVEL": "WARNING",
    }
    start_process(instance, "emulator", [str(emulator_python()), "-m", "ministack"], env)
    wait_for(health, 30, "MiniStack")
    return True


def check_localstack(instance: Instance) -> bool:
    """LocalStack (EMULATOR=localstack) is started by its own CLI, with Docker and an auth token; we only
    check it is there. Untested on the project's machines (no Docker there): see README."""
    if not http_ok(f"{instance.endpoint}/_localstack/health"):
        fail(
            "LocalStack is not running on "
            f"{instance.endpoint}. Start it first: `LOCALSTACK_AUTH_TOKEN=... localstack start -d` "
            "(needs Docker and a LocalStack account; Cognito and API Gateway v2 need a paid edition)."
        )
    return not (instance.state_dir / "terraform.tfstate").exists()


def start_fake_watchmode(instance: Instance) -> None:
    if http_ok(f"{instance.fake_url}/_fake/health"):
        return
    stop_process(instance, "fake-watchmode")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tools"))
    command = [
        sys.executable, "-m", "fake_watchmode",
        "--port", str(instance.fake_port),
        "--api-key", FAKE_API_KEY,
        "--rate-limit", str(instance.fake_rate_limit),
        "--size", str(instance.catalogue_size),
    ]  # fmt: skip
    start_process(instance, "fake-watchmode", command, env)
    wait_for(f"{instance.fake_url}/_fake/health", 20, "the fake Watchmode server")
