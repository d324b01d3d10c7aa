import pytest

from tests.support.events import FakeContext
from tvguide.jobs import JobRepository
from tvguide.models import Genre, Source
from tvguide.repositories import ReferenceRepository
from tvguide_reference.handler import lambda_handler
from tvguide_reference.logic import EmptyReferenceData, refresh_reference
from tvguide_reference.store import ReferenceWriter


def test_handler_loads_every_gb_source_and_genre(aws_env, watchmode_env):
    result = lambda_handler({"source": "aws.events", "detail-type": "Scheduled Event"}, FakeContext())
    job_id = result["job_id"]
    assert result == {
        "status": "succeeded",
        "cause": job_id,
        "job_id": job_id,
        "job_status": "succeeded",
        "sources": 49,
        "sources_deactivated": 0,
        "genres": 37,
        "genres_removed": 0,
        # and what is leaving the sources soon (tests/unit/test_departures.py)
        "departures": result["departures"],
        "departures_unreadable": 0,
        "departure_sources_written": result["departure_sources_written"],
        "departures_preview_only": False,
        "departure_pages": 1,
        "departure_notices": result["departure_notices"],  # departures within a week: their watchers' alerts
        # and what is coming to them (tests/unit/test_releases.py)
        "releases": result["releases"],
        "releases_unreadable": 0,
        "release_sources": result["release_sources"],
    }
    assert result["departures"] > 0
    job = JobRepository(aws_env["table"].name).get(job_id)
    assert job.kind == "reference_refresh" and job.requested_by == {"type": "schedule"}
    assert job.result["sources"] == 49 and job.finished_at
    repo = ReferenceRepository(aws_env["table"].name)
    assert {"203", "409"} <= {s.id for s in repo.list_sources()}
    assert len(repo.list_genres()) == 37


class StubCatalogue:
    def __init__(self, sources, genres):
        self._sources, self._genres = sources, genres

    def sources(self, regions=("GB",), types=()):
        return self._sources

    def genres(self):
        return self._genres


def test_rename_updates_the_same_row_and_missing_sources_become_inactive(aws_env):
    repo = ReferenceWriter(aws_env["table"].name)
    genres = [Genre(id="4", name="Comedy")]
    refresh_reference(
        StubCatalogue([Source(id="1", name="Old"), Source(id="2", name="Gone")], genres),
        repo,
        regions=("GB",),
        source_types=(),
    )
    result = refresh_reference(
        StubCatalogue([Source(id="1", name="New name")], [Genre(id="4", name="Comedies")]),
        repo,
        regions=("GB",),
        source_types=(),
    )
    assert result["sources_deactivated"] == 1
    assert [(s.id, s.name) for s in repo.list_sources()] == [("1", "New name")]
    everything = {s.id: s.active for s in repo.list_sources(include_inactive=True)}
    assert everything == {"1": True, "2": False}
    assert [(g.id, g.name) for g in repo.list_genres()] == [("4", "Comedies")]


def test_empty_answer_changes_nothing_and_fails_loudly(aws_env):
    repo = ReferenceWriter(aws_env["table"].name)
    refresh_reference(
        StubCatalogue([Source(id="1", name="A")], [Genre(id="4", name="C")]),
        repo,
        regions=("GB",),
        source_types=(),
    )
    with pytest.raises(EmptyReferenceData):
        refresh_reference(
            StubCatalogue([], [Genre(id="4", name="C")]), repo, regions=("GB",), source_types=()
        )
    assert [s.id for s in repo.list_sources()] == ["1"]


def test_a_much_smaller_answer_changes_nothing_and_fails_loudly(aws_env, watchmode_env, caplog, monkeypatch):
    """Reproduced: Watchmode's answer with most rows unreadable (dropped silently) deactivated every source
    not listed, so viewers' saved services started answering 400. As for a crawl: an answer with under half
    of what is stored changes nothing, fails the job (the function's error alarm) and says why; the
    unreadable rows are logged."""
    repo = ReferenceWriter(aws_env["table"].name)
    lambda_handler({}, FakeContext())
    stored = len(repo.list_sources())
    from tvguide.watchmode import WatchmodeClient

    answer = [{"id": 203, "name": "Netflix", "type": "sub", "regions": ["GB"]}, *[{"name": None}] * 40]
    real_get = WatchmodeClient.get

    def partial_sources(self, path, params=None, *, endpoint, credits):
        return (
            answer
            if endpoint == "sources"
            else real_get(self, path, params, endpoint=endpoint, credits=credits)
        )

    monkeypatch.setattr(WatchmodeClient, "get", partial_sources)
    with pytest.raises(EmptyReferenceData, match="nothing was changed"):
        lambda_handler({}, FakeContext())
    assert len(repo.list_sources()) == stored  # every source still active
    assert "sources: 40 of 41 rows unreadable" in caplog.text
