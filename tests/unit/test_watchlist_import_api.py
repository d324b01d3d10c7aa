"""An import through the viewer API (moto, the fake Watchmode): matched, searched at a cost said first,
added without duplicates, undone in one step; and the watchlist exported as CSV."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.events import FakeContext, kinesis_record
from tests.unit.test_preferences_api import SOURCES, call
from tvguide.models import EventHeader, TitleEvent, TitleSummary


@pytest.fixture
def guide(api_env, watchmode_env):
    """The fake's titles on SOURCES, stored by the consumer as ingestion publishes them (with their ids)."""
    from tvguide_consumer.handler import lambda_handler as consumer

    cat = watchmode_env.state.catalogue
    on = [t for t in cat.titles if set(t.source_ids) & {int(s) for s in SOURCES}]
    events = [
        TitleEvent(
            header=EventHeader(
                event_type="title.seen", component="ingestion", cause="job", correlation_id="c"
            ),
            payload=TitleSummary.model_validate(t.summary() | {"source_ids": [str(s) for s in t.source_ids]}),
        )
        for t in on
    ]
    records = [kinesis_record(e.model_dump_json().encode(), n) for n, e in enumerate(events, 1)]
    consumer({"Records": records}, FakeContext())
    return cat


def _imdb_csv(titles):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Position", "Const", "Created", "Modified", "Description", "Title", "URL", "Title Type", "Year"]
    )
    for n, t in enumerate(titles, 1):
        url = f"https://www.imdb.com/title/{t.imdb_id}/"
        writer.writerow([n, t.imdb_id, "2023-01-01", "2023-01-01", "", t.title, url, "Movie", t.year or ""])
    return out.getvalue()


def test_an_imdb_list_is_matched_searched_added_once_and_undone(guide, watchmode_env):
    cat, fake_server = guide, watchmode_env
    mine = [t for t in cat.matching({int(s) for s in SOURCES}) if t.imdb_id][:3]
    elsewhere = [t for t in cat.titles if t.imdb_id and not set(t.source_ids) & {int(s) for s in SOURCES}][:2]
    user = "importer"
    # One of them is on the watchlist already: the import must neither duplicate nor, undone, remove it.
    assert call("PUT", f"/watchlist/{mine[0].id}", sub=user)[0] == 200
    content = _imdb_csv([*mine, *elsewhere, mine[1]])
    status, report, _ = call(
        "POST", "/watchlist/imports", sub=user, body={"filename": "x.csv", "content": content}
    )
    assert status == 201, report
    assert report["status"] == "preview" and report["format"] == "imdb" and report["duplicates"] == 1
    assert sorted(m["title_id"] for m in report["matched"]) == sorted(str(t.id) for t in mine)
    assert {m["how"] for m in report["matched"]} == {"imdb"}
    assert [u["imdb_id"] for u in report["unmatched"]] == [t.imdb_id for t in elsewhere]
    assert report["search"] == {"titles": 2, "credits": 2, "credits_left": None}  # the cost, said first
    import_id = report["import_id"]
    assert len(call("GET", "/watchlist", sub=user)[1]["items"]) == 1  # nothing added yet

    spent = fake_server.state.credits_used
    status, searched, _ = call("POST", f"/watchlist/imports/{import_id}/search", sub=user, body={"titles": 5})
    assert status == 200, searched
    assert fake_server.state.credits_used - spent == 2 and searched["search"]["titles"] == 0
    assert {m["title_id"] for m in searched["matched"] if m["how"] == "watchmode"} == {
        str(t.id) for t in elsewhere
    }

    status, added, _ = call("POST", f"/watchlist/imports/{import_id}/add", sub=user)
    assert status == 200 and added["status"] == "added" and added["added"] == 4, added
    listed = call("GET", "/watchlist", sub=user)[1]["items"]
    assert sorted(i["id"] for i in listed) == sorted({str(t.id) for t in mine + elsewhere})
    unknown = next(i for i in listed if i["id"] == str(elsewhere[0].id))
    assert unknown["title"] == elsewhere[0].title and not unknown["streamable"]  # known by its import's name
    assert call("POST", f"/watchlist/imports/{import_id}/add", sub=user)[0] == 409  # once

    exported = call_raw("GET", "/watchlist/export", sub=user)
    assert exported["headers"]["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported["body"])))
    assert {r["imdb_id"] for r in rows} == {t.imdb_id for t in mine + elsewhere}

    status, undone, _ = call("DELETE", f"/watchlist/imports/{import_id}", sub=user)
    assert status == 200 and undone["removed"] == 4
    assert [i["id"] for i in call("GET", "/watchlist", sub=user)[1]["items"]] == [str(mine[0].id)]


def test_a_spreadsheet_never_reads_an_exported_name_as_a_formula():
    from tvguide_preferences_api.import_routes import _cell

    assert [_cell(v) for v in ("=HYPERLINK(1)", "+1", "-2", "@x", "Heat", None, 1995)] == [
        "'=HYPERLINK(1)", "'+1", "'-2", "'@x", "Heat", "", "1995",
    ]  # fmt: skip


def call_raw(method, path, **kwargs):
    from tests.support.events import FakeContext, api_event
    from tvguide_preferences_api import handler as api

    response = api.lambda_handler(api_event(method, path, **kwargs), FakeContext())
    headers = {
        k: (v[0] if isinstance(v, list) else v) for k, v in (response.get("multiValueHeaders") or {}).items()
    }
    return response | {"headers": headers | (response.get("headers") or {})}


def test_a_watchmode_failure_mid_search_keeps_what_was_found(guide, watchmode_env, monkeypatch):
    from fake_watchmode.state import Fault
    from tests.conftest import _clear_runtime_caches

    monkeypatch.setenv("WATCHMODE_MAX_RETRIES", "0")
    _clear_runtime_caches()
    cat, fake_server = guide, watchmode_env
    unknown = [t for t in cat.titles if t.imdb_id and not set(t.source_ids) & {int(s) for s in SOURCES}][:3]
    user = "searcher"
    status, report, _ = call("POST", "/watchlist/imports", sub=user, body={"content": _imdb_csv(unknown)})
    assert status == 201 and report["search"]["titles"] == 3
    calls = iter(range(10))

    # The second search fails (a 500 with no retry left): the first one's find is kept.
    original = fake_server.state.take_fault

    def second_fails(path):
        if path.startswith("/v1/search/") and next(calls) == 1:
            return Fault(kind="status", status=500, count=1, path="/v1/search/")
        return original(path)

    monkeypatch.setattr(fake_server.state, "take_fault", second_fails)
    status, failed, _ = call(
        "POST", f"/watchlist/imports/{report['import_id']}/search", sub=user, body={"titles": 3}
    )
    assert status == 502 and "after 1 title" in failed["message"], failed
    status, kept, _ = call("GET", f"/watchlist/imports/{report['import_id']}", sub=user)
    assert [m["title_id"] for m in kept["matched"]] == [str(unknown[0].id)] and kept["search"]["titles"] == 2
    status, rest, _ = call(
        "POST", f"/watchlist/imports/{report['import_id']}/search", sub=user, body={"titles": 3}
    )
    assert status == 200 and rest["search"]["titles"] == 0 and len(rest["matched"]) == 3
