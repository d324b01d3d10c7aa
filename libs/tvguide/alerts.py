"""Keys of a viewer's availability alerts and alert settings, and of the watchers index.

| item | pk | sk | gsi1pk / gsi1sk |
|---|---|---|---|
| watchlist entry | `USER#<sub>` | `WATCH#<title id>` | `WATCHERS#<title id>` / `USER#<sub>` |
| alert | `USER#<sub>` | `ALERT#<ISO time>#<change id>` | |
| alert settings | `USER#<sub>` | `ALERT_SETTINGS` | `DIGESTS#WEEKLY` / `USER#<sub>` (a weekly digest) |

The notifier creates alerts (one per watcher per change, keyed on the change, so never twice) and marks
them emailed; the viewer API lists them, marks them read, and keeps the settings (email opt-in, the
address to use, and how often: each alert at once, or a weekly digest); the digest function finds the
viewers who want a digest with one Query, and marks on their settings the week it sent. Alerts carry
`purge_at` (the table's TTL): kept `ALERT_RETENTION_DAYS`.
"""

from __future__ import annotations

ALERT_PREFIX = "ALERT#"
ALERT_RETENTION_DAYS = 90
WATCHERS_PREFIX = "WATCHERS#"
WEEKLY_DIGESTS = "DIGESTS#WEEKLY"
EMAIL_FREQUENCIES = ("instant", "weekly")


def alert_key(user_id: str, alert_id: str) -> dict[str, str]:
    return {"pk": f"USER#{user_id}", "sk": f"{ALERT_PREFIX}{alert_id}"}


def alert_settings_key(user_id: str) -> dict[str, str]:
    return {"pk": f"USER#{user_id}", "sk": "ALERT_SETTINGS"}


def preferences_key(user_id: str) -> dict[str, str]:
    return {"pk": f"USER#{user_id}", "sk": "PREFERENCES"}


def watchers_index_key(title_id: str, user_id: str) -> dict[str, str]:
    """The gsi1 attributes of a watchlist entry: a title's watchers are one Query on gsi1."""
    return {"gsi1pk": f"{WATCHERS_PREFIX}{title_id}", "gsi1sk": f"USER#{user_id}"}
