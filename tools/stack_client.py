"""Talks to a running local stack: AWS clients on the emulator, invocations, and progress probes.

Used by tools/local_cloud.py (make up), tools/bench.py (make bench) and the integration tests.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

REGION = "eu-west-2"


class StackError(RuntimeError):
    pass


@dataclass
class StackClient:
    endpoint: str
    region: str = REGION
    stack: dict[str, Any] | None = None

    @classmethod
    def from_file(cls, path: Path) -> StackClient:
        stack = json.loads(path.read_text())
        return cls(stack["endpoint"], stack["region"], stack)

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id="test",
            # bandit B106: the emulator's fixed test credentials
            aws_secret_access_key="test",  # noqa: S106 (the emulator's fixed test credentials)  # nosec B106
            config=Config(read_timeout=900, retries={"max_attempts": 2}),
        )

    def resource(self, service: str) -> Any:
        return boto3.resource(
            service,
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id="test",
            aws_secret_access_key="test",  # noqa: S106  # nosec B106
        )

    def preferences(self, table: str | None = None) -> Any:
        """The product's own PreferencesRepository, on this stack's table."""
        from tvguide.repositories import PreferencesRepository

        return PreferencesRepository(table or self.info["table"], self.resource("dynamodb"))

    @property
    def info(self) -> dict[str, Any]:
        if self.stack is None:
            raise StackError("no stack description loaded")
        return self.stack

    # --- functions -------------------------------------------------------------------------------------

    def invoke(self, function_name: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        """Invoke synchronously; a function error raises StackError with the function's answer."""
        response = self.client("lambda").invoke(
            FunctionName=function_name, Payload=json.dumps(payload or {}).encode()
        )
        body = response["Payload"].read()
        result = json.loads(body) if body else {}
        if response.get("FunctionError"):
            raise StackError(f"{function_name} failed: {json.dumps(result)[:2000]}")
        return result if isinstance(result, dict) else {"result": result}

    def _json_log_lines(self, log_group: str, pattern: str) -> list[dict[str, Any]]:
        """Every JSON object logged in `log_group` by lines matching the filter `pattern` (all pages)."""
        logs = self.client("logs")
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"logGroupName": log_group, "filterPattern": pattern}
        while True:
            try:
                page = logs.filter_log_events(**kwargs)
            except logs.exceptions.ResourceNotFoundException:
                return found
            for event in page.get("events", []):
                try:
                    record = json.loads(event["message"])
                except ValueError:
                    continue
                if isinstance(record, dict):
                    found.append(record)
            if not page.get("nextToken"):
                return found
            kwargs["nextToken"] = page["nextToken"]

    def log_records(self, log_group: str, message: str) -> list[dict[str, Any]]:
        """The function's structured log lines whose message is `message`."""
        return [r for r in self._json_log_lines(log_group, f'"{message}"') if r.get("message") == message]

    def jobs(self) -> Any:
        """The product's own JobRepository, on this stack's table."""
        from tvguide.jobs import JobRepository

        return JobRepository(self.info["table"], self.resource("dynamodb"))

    def credit_ledger(self) -> Any:
        """The month's Watchmode credits as the product records them, with this stack's budget."""
        from tvguide.watchmode_budget import CreditLedger

        budget = int(self.info["watchmode"].get("monthly_credit_budget") or 0)
        return CreditLedger(self.info["table"], budget, resource=self.resource("dynamodb"))

    def credits_spent(self) -> bool:
        """Whether this stack has a monthly credit budget and none of it is left."""
        state = self.credit_ledger().state()
        return bool(state.budget) and state.remaining == 0

    def active_jobs(self) -> list[str]:
        """Ids of the newest jobs still queued or running."""
        jobs, _ = self.jobs().list(limit=25)
        return [j.job_id for j in jobs if j.active]

    def published_calls(self, log_group: str) -> list[tuple[dict[str, int], dict[str, Any]]]:
        """The AWS calls each invocation published as metrics (its EMF blobs in the log group): pairs of
        ({"dynamodb:Query": n, ...}, the blob's metadata such as the request's path)."""
        found: list[tuple[dict[str, int], dict[str, Any]]] = []
        for blob in self._json_log_lines(log_group, '"_aws"'):
            try:
                names = [m["Name"] for m in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
            except (KeyError, IndexError, TypeError):
                continue
            calls = {
                n.replace(".", ":", 1): int(sum(blob[n]) if isinstance(blob[n], list) else blob[n])
                for n in names
                if "." in n
            }
            if calls:
                found.append((calls, blob))
        return found

    def consumed_records(self) -> int:
        """How many Kinesis records the consumer has processed so far (from its logs)."""
        group = self.info["log_groups"]["consumer"]
        return sum(int(r.get("records", 0)) for r in self.log_records(group, "batch processed"))

    # --- data ------------------------------------------------------------------------------------------

    def feed_size(self, source_id: str) -> int:
        """How many titles the source's feed holds (a counting Query of its partition: a probe, no page)."""
        from tvguide.feed import feed_pk

        client, total = self.client("dynamodb"), 0
        kwargs: dict[str, Any] = {
            "TableName": self.info["table"],
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": feed_pk(source_id)}},
            "Select": "COUNT",
        }
        while True:
            page = client.query(**kwargs)
            total += int(page.get("Count", 0))
            if "LastEvaluatedKey" not in page:
                return total
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def title_counts(self, table: str | None = None) -> dict[str, int]:
        """Titles by enrichment status (a diagnostic for people and tests; a scan is fine here)."""
        client = self.client("dynamodb")
        counts: dict[str, int] = {}
        kwargs: dict[str, Any] = {
            "TableName": table or self.info["table"],
            "FilterExpression": "sk = :t",
            "ExpressionAttributeValues": {":t": {"S": "TITLE"}},
            "ProjectionExpression": "enrichment_status",
        }
        while True:
            page = client.scan(**kwargs)
            for item in page.get("Items", []):
                status = item.get("enrichment_status", {}).get("S", "NONE")
                counts[status] = counts.get(status, 0) + 1
            if "LastEvaluatedKey" not in page:
                return counts
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def fake_watchmode(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """GET (or POST with `body`) a control route of the fake Watchmode server."""
        base = self.info["watchmode"]["url"].removesuffix("/v1/")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{base}{path}", data=data, method="POST" if data is not None else "GET"
        )
        request.add_header("Content-Type", "application/json")
        # bandit B310: http(s) only
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310
            return dict(json.loads(response.read()))


def wait_until(
    check: Callable[[], tuple[bool, str]], seconds: float, what: str, interval: float = 1.0
) -> str:
    """Poll `check` (returns done, description) until done; raise StackError on timeout."""
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        done, last = check()
        if done:
            return last
        time.sleep(interval)
    raise StackError(f"timed out after {seconds:.0f}s waiting for {what} ({last})")


def wait_for_job(stack: StackClient, job_id: str, seconds: float = 600) -> Any:
    """Wait until the job has finished (succeeded or failed); returns it."""
    found: dict[str, Any] = {}

    def check() -> tuple[bool, str]:
        job = stack.jobs().get(job_id)
        found["job"] = job
        return (job is not None and not job.active), (job.model_dump_json() if job else "no such job")

    wait_until(check, seconds, f"job {job_id}")
    return found["job"]


def wait_for_demand_checked(stack: StackClient, preferences: int, seconds: float = 120) -> None:
    """Wait until the new-demand function has checked `preferences` saved preferences in all (its
    "demand checked" lines), so what they asked for is crawled, or known to be covered, before going on."""
    group = stack.info["log_groups"]["demand"]

    def check() -> tuple[bool, str]:
        checked = sum(int(r.get("preferences", 0)) for r in stack.log_records(group, "demand checked"))
        return checked >= preferences, f"{checked}/{preferences} saved preferences checked"

    wait_until(check, seconds, "the new-demand function to see the saved preferences")


def wait_for_pipeline(stack: StackClient, consumed_target: int, seconds: float = 600) -> dict[str, int]:
    """Wait until the consumer has processed `consumed_target` records, no title is queued for enrichment
    (or the month's credits are spent: the rest waits for next month) and no job is still running (the
    pipeline has reported its progress and finished every job)."""

    def check() -> tuple[bool, str]:
        consumed = stack.consumed_records()
        counts = stack.title_counts()
        active = stack.active_jobs()
        settled = counts.get("PENDING", 0) == 0 or stack.credits_spent()
        done = consumed >= consumed_target and settled and not active
        return (
            done,
            f"consumed {consumed}/{consumed_target}, titles {json.dumps(counts)}, jobs running {active}",
        )

    wait_until(check, seconds, "the consumer and enrichment to finish")
    return stack.title_counts()
