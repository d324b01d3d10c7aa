"""The weekly digest (issue 22's "how often"): a viewer who chose it gets no email per alert but one a week
of what arrived on their services (their genres, best rated first); once a week however often it runs; a
failed send is tried again; nothing new, no email."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.events import FakeContext, api_event
from tvguide.alerts import alert_settings_key
from tvguide.availability_news import AvailabilityNewsReader, news_key
from tvguide.repositories import TitleRepository, title_key
from tvguide_notifier.digest import iso_week, send_digests
from tvguide_notifier.store import DigestStore, WatcherStore

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


class Mailer:
    def __init__(self, failing=False):
        self.sent, self.failing = [], failing

    def send(self, to, subject, body):
        if self.failing:
            raise RuntimeError("SES said no")
        self.sent.append((to, subject, body))


def settings(sub, **body):
    from tvguide_preferences_api import handler as api

    response = api.lambda_handler(
        api_event("PUT", "/notifications/settings", body=body, sub=sub), FakeContext()
    )
    assert response["statusCode"] == 200, response["body"]
    return json.loads(response["body"])


@pytest.fixture
def digest_env(aws_env):
    table = aws_env["table"]
    table.put_item(Item={"pk": "USER#ann", "sk": "PREFERENCES", "sources": ["203"], "genres": ["4"]})
    table.put_item(Item={"pk": "USER#bob", "sk": "PREFERENCES", "sources": ["203"], "genres": []})
    titles = [("1", "Heat", 8.1, ["4"]), ("2", "Amélie", 7.2, ["4"]), ("3", "Not my genre", 9.0, ["9"])]
    for title_id, name, rating, genres in titles:
        table.put_item(
            Item=title_key(title_id)
            | {"id": title_id, "title": name, "year": 1995, "user_rating": str(rating), "genre_ids": genres}
        )
        at = (NOW - timedelta(days=2)).isoformat()
        table.put_item(
            Item=news_key("203", at, title_id, "arrived")
            | {"at": at, "title_id": title_id, "source_id": "203", "change": "arrived"}
        )
    old = (NOW - timedelta(days=20)).isoformat()
    table.put_item(
        Item=news_key("203", old, "4", "arrived")
        | {"at": old, "title_id": "4", "source_id": "203", "change": "arrived"}
    )
    return aws_env


def run(table, mailer, now=NOW):
    return send_digests(
        DigestStore(table.name),
        AvailabilityNewsReader(table.name),
        TitleRepository(table.name),
        mailer,
        source_names={"203": "Netflix"},
        now=now,
        site_url="http://site.example/",
    )


def test_a_weekly_viewer_gets_one_digest_a_week_and_no_email_per_alert(digest_env):
    table = digest_env["table"]
    saved = settings("ann", email_alerts=True, email_frequency="weekly")
    assert saved["email_frequency"] == "weekly" and saved["email"] == "ann@example.com"
    settings("bob", email_alerts=True)  # each alert at once (the default)
    # The notifier emails bob's alerts, not ann's: she chose the digest.
    profiles = WatcherStore(table.name).profiles(["ann", "bob"])
    assert profiles["ann"].email is None and profiles["bob"].email == "bob@example.com"

    mailer = Mailer()
    report = run(table, mailer)
    assert (report.viewers, report.sent) == (1, 1)
    [(to, subject, body)] = mailer.sent
    assert to == "ann@example.com" and subject == "This week on your services: 2 new titles"
    assert body.index("Heat (1995): on Netflix, rated 8.1/10") < body.index("Amélie")  # best rated first
    assert "Not my genre" not in body and "http://site.example/#/main/titles" in body
    item = table.get_item(Key=alert_settings_key("ann"))["Item"]
    assert item["digest_week"] == iso_week(NOW)

    assert run(table, mailer).sent == 0 and len(mailer.sent) == 1  # again this week: nothing
    assert run(table, mailer, NOW + timedelta(days=7)).sent == 0  # next week: nothing new, no email
    settings("ann", email_alerts=True, email_frequency="weekly")  # saving again keeps the week sent
    assert table.get_item(Key=alert_settings_key("ann"))["Item"]["digest_week"] == iso_week(NOW)


def test_a_failed_digest_is_sent_by_the_next_run_and_leaving_the_digest_stops_it(digest_env):
    table = digest_env["table"]
    settings("ann", email_alerts=True, email_frequency="weekly")
    failed = run(table, Mailer(failing=True))
    assert failed.sent == 0 and failed.errors
    assert "digest_week" not in table.get_item(Key=alert_settings_key("ann"))["Item"]  # released
    mailer = Mailer()
    assert run(table, mailer).sent == 1
    settings("ann", email_alerts=True, email_frequency="instant")
    item = table.get_item(Key=alert_settings_key("ann"))["Item"]
    assert "gsi1pk" not in item and item["email_frequency"] == "instant"  # off the digest index
    assert run(table, Mailer(), NOW + timedelta(days=7)).viewers == 0
