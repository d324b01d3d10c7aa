"""Availability alerts, independent of Lambda and DynamoDB.

A change says a title arrived on some sources and left others (the consumer's), or that it will leave a
source on a date (`leaving`, `leaving_on`: the reference job's notice of a departure within a week). Each
viewer who watchlisted the title and has one of those sources gets one alert for the whole change (five
sources at once make one alert), keyed on the change, so a re-delivered change creates nothing new; an
opted-in viewer also gets one email, sent only while the alert says it has not been emailed, and one push
on each device they turned notifications on for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from tvguide.web_push import GONE, PushDevice


@dataclass(frozen=True)
class AvailabilityChange:
    change_id: str
    title_id: str
    title: str
    at: str
    arrived: tuple[str, ...] = ()
    left: tuple[str, ...] = ()
    leaving: tuple[str, ...] = ()
    leaving_on: str | None = None

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> AvailabilityChange:
        """From the consumer's availability-change item (KeyError/ValueError when it is not one)."""
        return cls(
            change_id=str(item["change_id"]),
            title_id=str(item["title_id"]),
            title=str(item.get("title") or "A title on your watchlist"),
            at=str(item["at"]),
            arrived=tuple(str(s) for s in item.get("arrived") or ()),
            left=tuple(str(s) for s in item.get("left") or ()),
            leaving=tuple(str(s) for s in item.get("leaving") or ()),
            leaving_on=str(item["leaving_on"]) if item.get("leaving_on") else None,
        )


@dataclass(frozen=True)
class Watcher:
    user_id: str
    sources: frozenset[str]
    email: str | None = None  # set only when the viewer opted in to email alerts
    devices: tuple[PushDevice, ...] = ()  # the devices they turned notifications on for


class WatcherDirectory(Protocol):
    def watchers(self, title_id: str) -> list[str]: ...
    def profiles(self, user_ids: Iterable[str]) -> dict[str, Watcher]: ...


class AlertStore(Protocol):
    def create(self, user_id: str, alert: Mapping[str, Any]) -> bool: ...
    def get(self, user_id: str, alert_id: str) -> dict[str, Any] | None: ...
    def claim_email(self, user_id: str, alert_id: str) -> bool: ...
    def release_email(self, user_id: str, alert_id: str) -> None: ...
    def mark_emailed(self, user_id: str, alert_id: str) -> None: ...
    def claim_push(self, user_id: str, alert_id: str) -> bool: ...


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


class Pusher(Protocol):
    def push(self, device: PushDevice, payload: Mapping[str, Any]) -> int: ...
    def forget(self, user_id: str, device: PushDevice) -> None: ...


def alert_id(change: AvailabilityChange) -> str:
    """Newest first when sorted descending; unique per change."""
    return f"{change.at}#{change.change_id}"


def alert_for(change: AvailabilityChange, watcher: Watcher) -> dict[str, Any] | None:
    """The watcher's alert for this change, or None when none of the change's sources is theirs."""
    arrived = [s for s in change.arrived if s in watcher.sources]
    left = [s for s in change.left if s in watcher.sources]
    leaving = [s for s in change.leaving if s in watcher.sources]
    if not arrived and not left and not leaving:
        return None
    return {
        "alert_id": alert_id(change),
        "change_id": change.change_id,
        "title_id": change.title_id,
        "title": change.title,
        "arrived": arrived,
        "left": left,
        "at": change.at,
    } | ({"leaving": leaving, "leaving_on": change.leaving_on} if leaving else {})


def _day(iso: str) -> str:
    """ "Monday 7 December" from an ISO date."""
    when = date.fromisoformat(iso)
    return f"{when:%A} {when.day} {when:%B}"


def email_text(alert: Mapping[str, Any], source_names: Mapping[str, str], site_url: str) -> tuple[str, str]:
    """(subject, plain-text body) of an alert's email."""

    def names(ids: Iterable[str]) -> str:
        return ", ".join(source_names.get(s, f"source {s}") for s in ids)

    title = alert["title"]
    leaving = alert.get("leaving") or []
    if alert["arrived"]:
        subject = f"{title} is now on {names(alert['arrived'])}"
    elif leaving:
        subject = f"{title} leaves {names(leaving)} on {_day(alert['leaving_on'])}"
    else:
        subject = f"{title} has left {names(alert['left'])}"
    lines = [f"{title}, on your UK TV Guide watchlist:", ""]
    if alert["arrived"]:
        lines.append(f"- now streaming on {names(alert['arrived'])}")
    if alert["left"]:
        lines.append(f"- no longer on {names(alert['left'])}")
    if leaving:
        lines.append(f"- leaving {names(leaving)} on {_day(alert['leaving_on'])}: watch it before then")
    lines += ["", f"Your watchlist: {site_url.rstrip('/')}/#/main/watchlist" if site_url else ""]
    lines += ["You get these emails because you turned on email alerts; turn them off on your watchlist."]
    return subject, "\n".join(lines).strip() + "\n"


@dataclass
class NotifyReport:
    watchers: int = 0
    alerts_created: int = 0
    alerts_existing: int = 0  # re-delivered: already alerted
    emails_sent: int = 0
    not_their_sources: int = 0
    pushes_sent: int = 0
    pushes_failed: int = 0  # logged; the alert is in the app whatever happens to its pushes
    devices_gone: int = 0  # removed: their push service said 404/410
    push_errors: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def notify(
    change: AvailabilityChange,
    directory: WatcherDirectory,
    alerts: AlertStore,
    mailer: Mailer | None,
    *,
    source_names: Mapping[str, str],
    site_url: str = "",
    pusher: Pusher | None = None,
) -> NotifyReport:
    """Alert every watcher of the title for whom the change matters; email those who opted in. Raises
    after trying everyone if an email could not be sent (the change is delivered again; alerts already
    made and emails already sent are not repeated)."""
    report = NotifyReport()
    user_ids = directory.watchers(change.title_id)
    report.watchers = len(user_ids)
    for watcher in directory.profiles(user_ids).values():
        alert = alert_for(change, watcher)
        if alert is None:
            report.not_their_sources += 1
            continue
        if alerts.create(watcher.user_id, alert):
            report.alerts_created += 1
            stored: Mapping[str, Any] | None = alert
        else:
            report.alerts_existing += 1
            stored = alerts.get(watcher.user_id, alert["alert_id"])
        if watcher.devices and pusher is not None:
            push_alert(watcher, alert, alerts, pusher, source_names=source_names, report=report)
        if not watcher.email or mailer is None or (stored or {}).get("emailed_at"):
            continue
        # Claimed before sending: a delivery retried after the send (and before it was marked) finds the
        # claim and sends nothing. At most one email; an invocation that dies between the claim and the
        # send loses that email (the alert itself is in the app).
        if not alerts.claim_email(watcher.user_id, alert["alert_id"]):
            continue
        subject, body = email_text(alert, source_names, site_url)
        try:
            mailer.send(watcher.email, subject, body)
        except Exception as exc:
            alerts.release_email(watcher.user_id, alert["alert_id"])
            report.errors.append(f"{watcher.user_id}: {type(exc).__name__}: {exc}")
            continue
        alerts.mark_emailed(watcher.user_id, alert["alert_id"])
        report.emails_sent += 1
    if report.errors:
        raise AlertsNotSent(report)
    return report


def push_payload(alert: Mapping[str, Any], source_names: Mapping[str, str]) -> dict[str, Any]:
    """What a device shows: the email's subject as the title, a line, and where a tap leads."""
    subject, _ = email_text(alert, source_names, "")
    return {
        "title": subject,
        "body": "A title on your UK TV Guide watchlist",
        "url": "/#/main/watchlist",
        "tag": str(alert["alert_id"]),
    }


def push_alert(
    watcher: Watcher,
    alert: Mapping[str, Any],
    alerts: AlertStore,
    pusher: Pusher,
    *,
    source_names: Mapping[str, str],
    report: NotifyReport,
) -> None:
    """Push the alert to each of the watcher's devices, once: claimed first (a re-delivered change pushes
    nothing again). A device its push service says is gone is forgotten; any other failure is counted and
    logged, never retried: the alert is in the app, and a late push would only repeat it."""
    if not alerts.claim_push(watcher.user_id, str(alert["alert_id"])):
        return
    payload = push_payload(alert, source_names)
    for device in watcher.devices:
        try:
            status = pusher.push(device, payload)
        except Exception as exc:
            report.pushes_failed += 1
            report.push_errors.append(f"{watcher.user_id}: {type(exc).__name__}: {exc}")
            continue
        if status in GONE:
            pusher.forget(watcher.user_id, device)
            report.devices_gone += 1
        elif 200 <= status < 300:
            report.pushes_sent += 1
        else:
            report.pushes_failed += 1
            report.push_errors.append(f"{watcher.user_id}: push service answered {status}")


class AlertsNotSent(RuntimeError):
    def __init__(self, report: NotifyReport) -> None:
        super().__init__(f"{len(report.errors)} alert email(s) not sent: {report.errors[:3]}")
        self.report = report
