import json

import pytest
from pydantic import ValidationError

from tvguide.models import (
    EventHeader,
    EventType,
    Preferences,
    TitleDetails,
    TitleEvent,
    TitleLeftSource,
    TitleSummary,
)


def test_ids_are_strings_whether_given_as_numbers_or_digit_strings():
    prefs = Preferences(sources=[203, "349"], genres=["4"])
    assert prefs.sources == ("203", "349")
    with pytest.raises(ValidationError):
        Preferences(sources=["netflix"])
    with pytest.raises(ValidationError):
        Preferences(sources=[True])


def test_absent_details_stay_absent_and_na_is_not_a_value():
    details = TitleDetails.model_validate(
        {"id": 5, "plot_overview": "N/A", "poster": "", "user_rating": None, "genres": None, "extra": 1}
    )
    assert details.plot_overview is None
    assert details.poster is None
    assert details.genres == ()


def test_title_summary_sources_are_sorted_unique_and_fingerprint_ignores_order():
    a = TitleSummary(id="1", title="A", source_ids=[409, "203", 203])
    b = TitleSummary(id="1", title="A", source_ids=["203", "409"])
    assert a.source_ids == ("203", "409")
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != a.model_copy(update={"title": "B"}).fingerprint()


def test_title_event_round_trips_each_payload_type():
    seen = TitleEvent(
        header=EventHeader(event_type=EventType.TITLE_SEEN, component="t", cause="c", correlation_id="x"),
        payload=TitleSummary(id="9", title="Nine", source_ids=["203"]),
    )
    left = TitleEvent(
        header=EventHeader(
            event_type=EventType.TITLE_LEFT_SOURCE, component="t", cause="c", correlation_id="x"
        ),
        payload=TitleLeftSource(title_id="9", source_id="203"),
    )
    for event in (seen, left):
        parsed = TitleEvent.parse(event.model_dump_json())
        assert parsed == event
        assert parsed.title_id == "9"


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"null",
        b"[]",
        b'{"payload": {}}',
        json.dumps({"header": {"event_type": "nope"}}).encode(),
    ],
)
def test_malformed_events_are_rejected(raw):
    with pytest.raises((ValueError, ValidationError)):
        TitleEvent.parse(raw)


def test_a_function_without_a_setting_it_needs_says_which(monkeypatch):
    """Each function's settings name every variable missing or unreadable (its entry module loads them when
    the container starts: see test_architecture)."""
    from tests.conftest import _clear_runtime_caches
    from tests.support.events import FakeContext
    from tvguide.settings import MissingSettings
    from tvguide_consumer.handler import lambda_handler
    from tvguide_consumer.settings import ConsumerSettings
    from tvguide_enrichment.settings import WorkerSettings
    from tvguide_ingestion.settings import RefreshSettings

    with pytest.raises(MissingSettings, match=r"ConsumerSettings: TABLE_NAME: not set; DLQ_URL: not set"):
        ConsumerSettings.from_env({})
    with pytest.raises(MissingSettings, match="WATCHMODE_SECRET_ARN is not set"):
        WorkerSettings.from_env({"TABLE_NAME": "t"})
    with pytest.raises(MissingSettings, match="INGESTION_REFRESH_HOURS"):
        RefreshSettings.from_env(
            {
                "TABLE_NAME": "t",
                "TITLE_STREAM_NAME": "s",
                "WATCHMODE_SECRET_ARN": "a",
                "INGESTION_REFRESH_HOURS": "x",
            }
        )
    settings = RefreshSettings.from_env(
        {"TABLE_NAME": "t", "TITLE_STREAM_NAME": "s", "WATCHMODE_SECRET_ARN": "a", "REGIONS": "GB, IE"}
    )
    assert settings.regions == ("GB", "IE") and settings.job_timeout.total_seconds() == 6 * 3600

    monkeypatch.delenv("DLQ_URL", raising=False)
    monkeypatch.setenv("TABLE_NAME", "t")
    _clear_runtime_caches()
    with pytest.raises(MissingSettings, match="DLQ_URL"):
        lambda_handler({"Records": []}, FakeContext())
    _clear_runtime_caches()
