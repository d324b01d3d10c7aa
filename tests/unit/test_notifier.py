"""Availability alerts: one per watcher per change, only for the watcher's sources, never twice; emails
for those who opted in, sent once even when the change is delivered again."""

import boto3
import pytest

from tests.support.events import FakeContext, dynamodb_record
from tests.unit.test_consumer import consume, left, seen
from tvguide.alerts import alert_settings_key
from tvguide.models import Preferences
from tvguide.repositories import PreferencesRepository
from tvguide_notifier.logic import AlertsNotSent, AvailabilityChange, Watcher, alert_for, email_text, notify

CHANGE = AvailabilityChange("e1", "42", "Amélie", "2026-11-21T10:00:00+00:00", arrived=("203", "409", "26"))


class Directory:
    def __init__(self, watchers):
        self.by_id = {w.user_id: w for w in watchers}

    def watchers(self, title_id):
        return list(self.by_id)

    def profiles(self, user_ids):
        return {u: self.by_id[u] for u in user_ids}


class Alerts:
    def __init__(self):
        self.items = {}

    def create(self, user_id, alert):
        key = (user_id, alert["alert_id"])
        if key in self.items:
            return False
        self.items[key] = dict(alert)
        return True

    def get(self, user_id, alert_id):
        return self.items.get((user_id, alert_id))

    def claim_email(self, user_id, alert_id):  # as AlertWriter's conditional write
        item = self.items[(user_id, alert_id)]
        if "emailed_at" in item or "email_claimed_at" in item:
            return False
        item["email_claimed_at"] = "now"
        return True

    def release_email(self, user_id, alert_id):
        self.items[(user_id, alert_id)].pop("email_claimed_at", None)

    def mark_emailed(self, user_id, alert_id):
        self.items[(user_id, alert_id)]["emailed_at"] = "now"


class Mailer:
    def __init__(self, fail_for=()):
        self.sent, self.fail_for = [], set(fail_for)

    def send(self, to, subject, body):
        if to in self.fail_for:
            raise RuntimeError("SES said no")
        self.sent.append((to, subject, body))


def test_one_alert_per_watcher_naming_only_their_sources():
    ann = Watcher("ann", frozenset({"203", "409"}), email="ann@example.org")
    bob = Watcher("bob", frozenset({"26"}))
    cat = Watcher("cat", frozenset({"372"}))
    assert alert_for(CHANGE, ann)["arrived"] == ["203", "409"]
    assert alert_for(CHANGE, cat) is None
    alerts, mailer = Alerts(), Mailer()
    report = notify(CHANGE, Directory([ann, bob, cat]), alerts, mailer, source_names={"203": "Netflix"})
    assert (report.alerts_created, report.not_their_sources, report.emails_sent) == (2, 1, 1)
    assert sorted(u for u, _ in alerts.items) == ["ann", "bob"]  # five sources at once: one alert each
    [(to, subject, _)] = mailer.sent
    assert to == "ann@example.org" and subject == "Amélie is now on Netflix, source 409"
    # Delivered again: nothing new, no second email.
    again = notify(CHANGE, Directory([ann, bob, cat]), alerts, mailer, source_names={})
    assert (again.alerts_created, again.alerts_existing, again.emails_sent) == (0, 2, 0)
    assert len(mailer.sent) == 1


def test_an_email_that_failed_is_sent_when_the_change_comes_again_and_only_then():
    ann = Watcher("ann", frozenset({"203"}), email="ann@example.org")
    bob = Watcher("bob", frozenset({"203"}), email="bob@example.org")
    alerts = Alerts()
    with pytest.raises(AlertsNotSent) as failed:
        notify(CHANGE, Directory([ann, bob]), alerts, Mailer(fail_for={"ann@example.org"}), source_names={})
    assert failed.value.report.emails_sent == 1 and len(alerts.items) == 2  # bob's went, both alerted
    mailer = Mailer()
    report = notify(CHANGE, Directory([ann, bob]), alerts, mailer, source_names={})
    assert [to for to, _, _ in mailer.sent] == ["ann@example.org"] and report.alerts_created == 0


def test_a_delivery_retried_after_the_email_went_out_does_not_send_it_again():
    """Reproduced: the notifier sent the email, then failed before marking it sent (a throttled write, a
    timeout); the stream delivered the change again and the viewer got the email twice. The email is
    claimed before it is sent, so the retry finds the claim."""

    class Crashing(Alerts):
        def mark_emailed(self, user_id, alert_id):
            raise ConnectionError("throttled after the send")

    ann = Watcher("ann", frozenset({"203"}), email="ann@example.org")
    alerts, mailer = Crashing(), Mailer()
    with pytest.raises(ConnectionError):
        notify(CHANGE, Directory([ann]), alerts, mailer, source_names={})
    again = notify(CHANGE, Directory([ann]), alerts, mailer, source_names={})
    assert len(mailer.sent) == 1 and again.emails_sent == 0


def test_email_text_says_what_changed_and_links_the_watchlist():
    subject, body = email_text(
        {"title": "Heat", "arrived": [], "left": ["203"]}, {"203": "Netflix"}, "https://tv.example/"
    )
    assert subject == "Heat has left Netflix"
    assert "no longer on Netflix" in body and "https://tv.example/#/main/watchlist" in body


def test_the_notifier_alerts_watchers_from_the_stream_and_emails_through_ses(aws_env, monkeypatch):
    from tvguide_notifier.handler import lambda_handler
    from tvguide_preferences_api.store import AlertInbox, WatchlistStore

    ses = boto3.client("ses")
    ses.verify_email_identity(EmailAddress="alerts@tvguide.local")
    monkeypatch.setenv("ALERT_SENDER_EMAIL", "alerts@tvguide.local")
    from tests.conftest import _clear_runtime_caches

    _clear_runtime_caches()
    table = aws_env["table"]
    prefs = PreferencesRepository(table.name)
    prefs.put("ann", Preferences(sources=["203"], genres=[]))
    prefs.put("bob", Preferences(sources=["409"], genres=[]))
    verified = {"email_alerts": True, "email": "ann@example.org", "email_verified": True}
    table.put_item(Item=alert_settings_key("ann") | verified)
    consume(seen("7", ["26"], title="Vertigo"))
    for user in ("ann", "bob"):
        WatchlistStore(table.name).add(user, "7")
    consume(seen("7", ["203", "372"], title="Vertigo"))  # arrives on ann's source (and another)
    change = next(
        i for i in table.scan()["Items"] if i.get("kind") == "AVAILABILITY_CHANGE" and "203" in i["arrived"]
    )
    record = dynamodb_record(change, 1, "INSERT")
    noise = dynamodb_record({"pk": "TITLE#7", "sk": "TITLE", "title": "Vertigo"}, 2)
    assert lambda_handler({"Records": [record, noise]}, FakeContext()) == {"batchItemFailures": []}
    [alert] = AlertInbox(table.name).latest("ann")
    assert alert["arrived"] == ["203"] and alert["title"] == "Vertigo" and alert["emailed_at"]
    assert AlertInbox(table.name).latest("bob") == []  # 203 and 372 are not bob's
    sent = ses.get_send_quota()["SentLast24Hours"]
    assert sent == 1
    lambda_handler({"Records": [record]}, FakeContext())  # re-delivered
    assert len(AlertInbox(table.name).latest("ann")) == 1 and ses.get_send_quota()["SentLast24Hours"] == 1
    consume(left("7", "203"))
    departure = next(i for i in table.scan()["Items"] if i.get("kind") == "AVAILABILITY_CHANGE" and i["left"])
    lambda_handler({"Records": [dynamodb_record(departure, 3, "INSERT")]}, FakeContext())
    latest = AlertInbox(table.name).latest("ann")
    assert sorted(a["left"] for a in latest) == [[], ["203"]]


def test_only_an_address_saved_as_verified_is_mailed(aws_env):
    """Settings saved before the verified-only rule carry no flag: their address is not mailed (the viewer
    turns email alerts on again, with a verified address), while the in-app alert is still made."""
    from tvguide_notifier.store import WatcherStore

    table = aws_env["table"]
    PreferencesRepository(table.name).put("ann", Preferences(sources=["203"], genres=[]))
    PreferencesRepository(table.name).put("bob", Preferences(sources=["203"], genres=[]))
    table.put_item(Item=alert_settings_key("ann") | {"email_alerts": True, "email": "victim@example.org"})
    verified = {"email_alerts": True, "email": "bob@example.org", "email_verified": True}
    table.put_item(Item=alert_settings_key("bob") | verified)
    profiles = WatcherStore(table.name).profiles(["ann", "bob"])
    assert profiles["ann"].email is None and profiles["ann"].sources == {"203"}
    assert profiles["bob"].email == "bob@example.org"
