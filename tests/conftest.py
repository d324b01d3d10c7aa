"""Shared fixtures: a fake Watchmode server in a thread, and moto-backed AWS resources."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Every service's package is importable by tests, found by folder (adding a service is one folder).
for _service in sorted(Path(__file__).resolve().parent.parent.glob("services/*")):
    if str(_service) not in sys.path:
        sys.path.insert(0, str(_service))

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-2")
# Read once, when the viewer API module is imported (as in Lambda, where the environment comes first).
os.environ.setdefault("CORS_ALLOWED_ORIGINS", "http://localhost:8080,http://site.example")
# The admin API's own settings, validated when its module is imported (see tests/support/aws.py).
os.environ.setdefault("TABLE_NAME", "tvguide-test-data")
os.environ.setdefault("TITLE_STREAM_NAME", "tvguide-test-titles")
# Every function's settings are validated when its entry module is imported (its cold start).
os.environ.setdefault("DLQ_URL", "https://sqs.eu-west-2.amazonaws.com/123456789012/tvguide-test-consumer-dlq")
os.environ.setdefault("WATCHMODE_API_KEY", "unit-test-key")
os.environ.setdefault("WEB_PUSH_SECRET_ARN", "tvguide-test/web-push-vapid-keys")
os.environ.setdefault("PUSH_SERVICE_ORIGINS", "https://fcm.googleapis.com,http://127.0.0.1:*")
os.environ.setdefault("PUSH_CONTACT", "mailto:alerts@tvguide.test")
os.environ.setdefault(
    "FUNCTIONS",
    '{"reference": "t-reference", "ingestion": "t-ingestion", "consumer": "t-consumer", '
    '"enrichment": "t-enrichment", "backfill": "t-enrichment-backfill", '
    '"preferences_api": "t-preferences-api", "admin_api": "t-admin-api"}',
)
os.environ.setdefault(
    "DLQ_URLS",
    '{"consumer": "https://sqs.eu-west-2.amazonaws.com/123456789012/tvguide-test-consumer-dlq", '
    '"async": "https://sqs.eu-west-2.amazonaws.com/123456789012/tvguide-test-async-dlq"}',
)

from fake_watchmode.server import FakeServer, make_server  # noqa: E402 (after the paths and settings above)


def _serialise_moto() -> None:
    """One mocked AWS call at a time. Functions call AWS from several threads (the enrichment worker takes
    its next chunk while a writer stores the last; the consumer writes titles side by side), which AWS
    serves concurrently; moto's in-memory tables are not thread-safe ("dictionary changed size during
    iteration" in a Query beside a write made `make test` flake)."""
    from moto.core.botocore_stubber import BotocoreStubber

    if getattr(BotocoreStubber, "_tvguide_serialised", False):
        return
    lock = threading.RLock()
    original = BotocoreStubber.__call__

    def call(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, event_name, request, **kwargs)

    BotocoreStubber.__call__ = call  # type: ignore[method-assign]
    BotocoreStubber._tvguide_serialised = True  # type: ignore[attr-defined]


_serialise_moto()

FAKE_KEY = "unit-test-key"


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeServer]:
    server = make_server(api_key=FAKE_KEY, rate_limit_per_minute=100_000, size=1500, seed=7)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake(fake_server: FakeServer) -> Iterator[FakeServer]:
    """The shared fake, with stats, faults and rate limit reset around each test."""
    fake_server.state.reset()
    fake_server.state.rate_limit_per_minute = 100_000
    yield fake_server
    fake_server.state.reset()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Moto-mocked AWS with the product's table, stream and queue, and the settings a function reads."""
    from moto import mock_aws

    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    with mock_aws():
        from tests.support import aws

        table = aws.create_table()
        aws.create_stream()
        queue_url = aws.create_queue()
        monkeypatch.setenv("TABLE_NAME", aws.TABLE)
        monkeypatch.setenv("TITLE_STREAM_NAME", aws.STREAM)
        monkeypatch.setenv("DLQ_URL", queue_url)
        _clear_runtime_caches()
        yield {"table": table, "queue_url": queue_url}
        _clear_runtime_caches()


@pytest.fixture
def watchmode_env(fake: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    monkeypatch.setenv("WATCHMODE_BASE_URL", fake.public_url + "/v1/")
    monkeypatch.setenv("WATCHMODE_API_KEY", FAKE_KEY)
    monkeypatch.setenv("WATCHMODE_RATE_LIMIT_PER_MINUTE", "100000")
    _clear_runtime_caches()
    return fake


def _clear_runtime_caches() -> None:
    """Forget every per-container cache (settings, clients, stores) of the shared layer and the services."""
    import sys

    from tvguide import runtime

    runtime.forget_vapid_keys()
    modules = [runtime] + [m for n, m in list(sys.modules.items()) if n.startswith("tvguide_")]
    for module in modules:
        for name in dir(module):
            fn = getattr(module, name)
            if hasattr(fn, "cache_clear") and getattr(fn, "__module__", None) == module.__name__:
                fn.cache_clear()
