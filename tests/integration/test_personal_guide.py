"""The guide as each viewer's own, end to end on the local stack: a new service's titles arrive with no
ingestion run; a watchlisted title made available by an ingestion run alerts its watcher exactly once (in
the app and by email); search finds it by an unaccented prefix; it is new on the viewer's services; and
when it leaves, the watcher hears that too."""

from __future__ import annotations

import json
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from stack_client import wait_for_job, wait_until
from tests.integration.test_viewer_api import ORIGIN, sign_in

# Two small services nobody else in the tests picks, and a title with an accented name on neither.
FIRST, SECOND, TITLE = "369", "421", "1001060"  # TITLE is "Café Society", on source 181 only


def new_viewer(stack, sources, genres=()):
    """A signed-up viewer (with an email address) who saved these sources and these genres (none: every
    genre)."""
    cognito, pool = stack.client("cognito-idp"), stack.info["cognito"]["user_pool_id"]
    email, password = f"it-{uuid.uuid4().hex[:8]}@tvguide.local", "Guide-Local-2026!x"
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=email,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    token = sign_in(stack, email, password)
    viewer = Viewer(stack.info["preferences_api"]["url"], token, email)
    saved = viewer("PUT", "/preferences", json={"sources": sources, "genres": list(genres)})
    assert saved.status_code == 200, saved.text
    return viewer


class Viewer:
    def __init__(self, base, token, email):
        self.base, self.token, self.email = base, token, email

    def __call__(self, method, path, **kwargs):
        headers = {"Authorization": self.token, "Origin": ORIGIN}
        return requests.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

    def get(self, path, **params):
        response = self(method="GET", path=path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


def run_ingestion(stack):
    report = stack.invoke(stack.info["functions"]["ingestion"], {"requested_by": "test_personal_guide"})
    job = wait_for_job(stack, report["job_id"], seconds=300)
    assert job.status == "succeeded", job.error


def put_on(stack, source, available):
    change = {"title_id": int(TITLE), "source_id": int(source), "available": available}
    stack.fake_watchmode("/_fake/availability", change)


def ses_messages(stack, to):
    # bandit B310: the local emulator's http endpoint
    with urllib.request.urlopen(f"{stack.endpoint}/_ministack/ses/messages", timeout=10) as response:  # nosec B310
        found = json.loads(response.read())
    return [m for per_account in found["messages"].values() for m in per_account if to in m["To"]]


@pytest.fixture(scope="module")
def viewers(stack):
    put_on(stack, SECOND, True)  # the second viewer's service gets the title before they pick it
    second = new_viewer(stack, [SECOND])
    first = new_viewer(stack, [FIRST])
    yield first, second
    for viewer in (first, second):  # later tests expect the seeded viewers' demand only
        viewer("PUT", "/preferences", json={"sources": [], "genres": []})


def test_a_service_nobody_had_fills_within_seconds_without_an_ingestion_run(stack, viewers, catalogue):
    first, second = viewers
    for viewer, source in ((first, FIRST), (second, SECOND)):
        expected = {str(t.id) for t in catalogue.matching({int(source)})}
        ready = lambda v=viewer: (v.get("/titles/status")["ready"], "fetching")  # noqa: E731
        wait_until(ready, 180, "the fetch to finish")

        def listed(v=viewer, want=expected):
            got = {t["id"] for t in v.get("/titles", limit=100)}
            return got == want, f"{len(got)}/{len(want)}"

        wait_until(listed, 180, f"source {source}'s titles")
    assert TITLE in {t["id"] for t in second.get("/titles", limit=100)}


def test_a_watchlisted_title_arriving_on_my_service_alerts_me_once_in_the_app_and_by_email(stack, viewers):
    first, second = viewers
    assert first("PUT", "/notifications/settings", json={"email_alerts": True}).json()["email"] == first.email
    for viewer in viewers:
        assert viewer("PUT", f"/watchlist/{TITLE}").status_code == 200
    [item] = first.get("/watchlist")["items"]
    # (181 is not among the guide's sources: only those are named)
    assert not item["streamable"] and [s["id"] for s in item["elsewhere"]] == [SECOND]
    put_on(stack, FIRST, True)
    run_ingestion(stack)
    wait_until(lambda: (first.get("/notifications")["unread"] > 0, "no alert yet"), 180, "the alert")
    alerts = first.get("/notifications")
    [alert] = [a for a in alerts["items"] if a["title_id"] == TITLE]
    assert alert["title"] == "Café Society" and [s["id"] for s in alert["arrived"]] == [FIRST]
    assert second.get("/notifications")["items"] == []  # the title did not come to the second's service
    wait_until(lambda: (len(ses_messages(stack, first.email)) == 1, "no email yet"), 120, "the email")
    run_ingestion(stack)  # nothing changed: no second alert, no second email
    assert len([a for a in first.get("/notifications")["items"] if a["title_id"] == TITLE]) == 1
    assert len(ses_messages(stack, first.email)) == 1
    assert first.get("/watchlist", streamable="true")["items"][0]["id"] == TITLE


def test_search_finds_it_by_an_unaccented_prefix_with_where_to_watch(viewers):
    first, _ = viewers
    found = first.get("/search", q="cafe soc")["items"]
    assert found[0]["id"] == TITLE and [s["id"] for s in found[0]["on_your_sources"]] == [FIRST]
    assert [s["id"] for s in found[0]["elsewhere"]] == [SECOND]


def test_a_weekly_digest_viewer_gets_what_arrived_this_week_once(stack, viewers):
    """Issue 22: the first viewer switches to a weekly digest; the digest function (its weekly schedule, run
    here at once) emails them what arrived on their services this week, once however often it runs."""
    first, _ = viewers
    saved = first("PUT", "/notifications/settings", json={"email_alerts": True, "email_frequency": "weekly"})
    assert saved.status_code == 200 and saved.json()["email_frequency"] == "weekly"
    digest = stack.info["functions"]["notifier_digest"]
    for _ in range(2):
        report = stack.invoke(digest, {})
        assert not report.get("errorMessage"), report
    digests = [m for m in ses_messages(stack, first.email) if m["Subject"].startswith("This week on")]
    assert len(digests) == 1, digests
    assert "Café Society" in json.dumps(digests[0], ensure_ascii=False)
    first("PUT", "/notifications/settings", json={"email_alerts": True, "email_frequency": "instant"})


def test_it_is_new_on_my_services_and_when_it_leaves_i_hear_that_too(stack, viewers):
    first, _ = viewers
    assert [t["id"] for t in first.get("/titles/new", days=7)["items"]] == [
        TITLE
    ]  # the first fetch is not news
    first("POST", "/notifications/read", json={})
    put_on(stack, FIRST, False)
    run_ingestion(stack)  # one complete crawl without it: not yet removed
    run_ingestion(stack)  # two: it has left
    wait_until(
        lambda: (first.get("/notifications")["unread"] == 1, "no alert yet"), 180, "the departure alert"
    )
    [departure] = [a for a in first.get("/notifications")["items"] if not a["read"]]
    assert [s["id"] for s in departure["left"]] == [FIRST] and departure["arrived"] == []
    assert [t["id"] for t in first.get("/titles/leaving", days=30)["items"]] == [TITLE]


def test_a_watchlisted_title_leaving_my_service_within_a_week_alerts_me_once(stack, viewers):
    """Issue 21: the daily reference job reads the title's departure from the second viewer's service in three
    days; the viewer hears it once, however often the job runs; the first viewer (not on it) never does."""
    first, second = viewers
    second("POST", "/notifications/read", json={})
    leaving = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    move = {"title_id": int(TITLE), "source_id": int(SECOND)}
    stack.fake_watchmode("/_fake/departures", move | {"leaving_date": leaving})
    try:
        for _ in range(2):
            result = stack.invoke(
                stack.info["functions"]["reference"], {"requested_by": "test_personal_guide"}
            )
            assert result["status"] == "succeeded", result

        def alerted():
            unread = [a for a in second.get("/notifications")["items"] if not a["read"]]
            return bool(unread), unread

        wait_until(alerted, 180, "the leaving-soon alert")
        [alert] = [a for a in second.get("/notifications")["items"] if a.get("leaving")]
        assert alert["title_id"] == TITLE and [s["id"] for s in alert["leaving"]] == [SECOND]
        assert alert["leaving_on"] == leaving
        assert not [a for a in first.get("/notifications")["items"] if a.get("leaving")]
        soon = second.get("/titles/leaving-soon", days=7)["items"]
        assert [t["id"] for t in soon if t["id"] == TITLE] == [TITLE]
    finally:
        stack.fake_watchmode("/_fake/departures", move | {"restore": True})
        stack.invoke(stack.info["functions"]["reference"], {"requested_by": "test_personal_guide: restored"})
