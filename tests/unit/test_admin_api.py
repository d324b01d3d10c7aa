"""The admin API: admins only (checked on every route), jobs that start once, audit, summary, logs,
dead letters and Watchmode credits — on moto and the in-process fake Watchmode."""

import base64
import json
import re
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tests.support import aws
from tests.support.events import FakeContext, api_event
from tvguide.identity import parse_groups
from tvguide.jobs import JobKind, JobRepository, JobStatus
from tvguide.models import Preferences
from tvguide.repositories import PreferencesRepository

ADMINS = "[SecurityAdmins other-group]"  # as AWS passes cognito:groups through a REST authorizer
ARN_PREFIX = "arn:aws:lambda:eu-west-2:123456789012:function:"


class RecordingInvoker:
    calls: list = []

    def __init__(self, client=None):
        pass

    def invoke_async(self, function_name, payload):
        RecordingInvoker.calls.append((function_name, dict(payload)))


@pytest.fixture
def admin(aws_env, monkeypatch):
    from tvguide_admin_api import handler

    for name in ("store", "launcher", "redriver"):
        getattr(handler, name).cache_clear()
    RecordingInvoker.calls = []
    monkeypatch.setattr(handler, "LambdaInvoker", RecordingInvoker)
    aws.create_queue("tvguide-test-async-dlq")

    def call(method, path, *, groups=ADMINS, sub="admin-sub", **kwargs):
        event = api_event(method, path, sub=sub, groups=groups, **kwargs)
        response = handler.lambda_handler(event, FakeContext())
        body = json.loads(response["body"]) if response.get("body") else None
        return response["statusCode"], body

    yield call
    for name in ("store", "launcher", "redriver"):
        getattr(handler, name).cache_clear()


def _routes():
    from tvguide_admin_api.handler import app

    for route in app._static_routes + app._dynamic_routes:
        path = re.sub(r"<(\w+)>", lambda m: "consumer" if m.group(1) == "queue" else "some-id", route.path)
        yield route.method, path


def test_every_route_is_for_admins_only(admin):
    routes = sorted(set(_routes()))
    assert len(routes) >= 15  # every route the resolver knows, aliases included
    for method, path in routes:
        status, body = admin(method, path, groups="[Viewers]", body={})
        assert status == 403 and "SecurityAdmins" in body["message"], (method, path, status)
        status, body = admin(method, path, sub=None, body={})
        assert status == 401, (method, path, status)
    assert admin("GET", "/admin/jobs", groups="SecurityAdmins")[0] == 200


def test_groups_are_read_as_aws_passes_them_and_as_lists():
    assert parse_groups("[SecurityAdmins Viewers]") == {"SecurityAdmins", "Viewers"}
    assert parse_groups(["SecurityAdmins"]) == {"SecurityAdmins"}
    assert parse_groups(None) == set() and parse_groups("[]") == set()


def test_a_group_whose_name_has_a_comma_is_not_an_admin(admin):
    """Reproduced: the claim was split on commas too, so a group called "x,SecurityAdmins" (Cognito allows
    punctuation in names) passed as SecurityAdmins."""
    assert parse_groups("[x,SecurityAdmins Viewers]") == {"x,SecurityAdmins", "Viewers"}
    assert parse_groups(["x,SecurityAdmins"]) == {"x,SecurityAdmins"}
    assert admin("GET", "/admin/jobs", groups="[x,SecurityAdmins]")[0] == 403


def test_the_audit_records_the_sub_and_only_a_verified_email(admin):
    """An email the user changed without verifying it would have been recorded as who acted."""
    from tvguide_admin_api import handler

    event = api_event("POST", "/admin/titles/refresh", sub="admin-sub", groups=ADMINS, email_verified=False)
    assert handler.lambda_handler(event, FakeContext())["statusCode"] == 202
    [action] = admin("GET", "/admin/audit")[1]["actions"]
    assert action["sub"] == "admin-sub" and action["email"] == ""


def test_an_access_token_is_not_an_admin(admin):
    from tvguide_admin_api import handler

    event = api_event("GET", "/admin/jobs", sub="admin-sub", groups=ADMINS)
    event["requestContext"]["authorizer"]["claims"]["token_use"] = "access"
    assert handler.lambda_handler(event, FakeContext())["statusCode"] == 401


def test_a_job_starts_once_is_audited_and_its_aliases_work(admin, aws_env):
    status, body = admin("POST", "/admin/titles/refresh")
    assert status == 202 and body["job_id"] and body["message"]
    assert RecordingInvoker.calls == [("t-ingestion", {"job_id": body["job_id"]})]
    status, again = admin("POST", "/admin/data/titles/refresh")  # the original site's path
    assert status == 409 and again["job_id"] == body["job_id"]
    job = JobRepository(aws_env["table"].name).get(body["job_id"])
    assert job.status == JobStatus.QUEUED
    assert job.requested_by == {"type": "admin", "sub": "admin-sub", "email": "admin-sub@example.com"}
    for path, function in (
        ("/admin/data/reference/refresh", "t-reference"),
        ("/admin/data/titles/enrich", "t-enrichment-backfill"),
        ("/admin/system/dynamodb/summary", "t-admin-api"),
    ):
        status, _ = admin("POST", path)
        assert status == 202 and RecordingInvoker.calls[-1][0] == function
    status, trail = admin("GET", "/admin/audit")
    assert [a["action"] for a in trail["actions"]][-1] == "start titles_refresh"
    assert all(a["sub"] == "admin-sub" and a["email"] == "admin-sub@example.com" for a in trail["actions"])
    assert trail["actions"][-1]["job_id"] == body["job_id"]


def test_a_job_whose_function_cannot_be_invoked_is_failed_and_frees_its_kind(admin, aws_env, monkeypatch):
    from tvguide_admin_api import handler

    class Broken(RecordingInvoker):
        def invoke_async(self, function_name, payload):
            raise ConnectionError("lambda unreachable")

    handler.launcher.cache_clear()
    monkeypatch.setattr(handler, "LambdaInvoker", Broken)
    status, body = admin("POST", "/admin/reference/refresh")
    assert status == 502 and "lambda unreachable" in body["message"]
    jobs, _ = JobRepository(aws_env["table"].name).list()
    assert jobs[0].status == JobStatus.FAILED and "could not start" in jobs[0].error
    handler.launcher.cache_clear()
    monkeypatch.setattr(handler, "LambdaInvoker", RecordingInvoker)
    assert admin("POST", "/admin/reference/refresh")[0] == 202


def test_jobs_are_listed_newest_first_and_read_one_by_one(admin):
    ids = [admin("POST", path)[1]["job_id"] for path in ("/admin/reference/refresh", "/admin/titles/enrich")]
    status, page = admin("GET", "/admin/jobs", query={"limit": "1"})
    assert status == 200 and [j["job_id"] for j in page["jobs"]] == ids[1:]
    status, rest = admin("GET", "/admin/jobs", query={"limit": "1", "cursor": page["next_cursor"]})
    assert [j["job_id"] for j in rest["jobs"]] == ids[:1]
    status, job = admin("GET", f"/admin/jobs/{ids[0]}")
    assert status == 200 and job["kind"] == "reference_refresh" and job["progress"]["titles_enriched"] == 0
    assert admin("GET", "/admin/jobs/no-such-job")[0] == 404
    assert admin("GET", "/admin/jobs", query={"limit": "0"})[0] == 400


def test_the_summary_job_counts_every_kind_and_the_summary_returns_it(admin, aws_env):
    from tests.unit.test_consumer import consume, seen
    from tvguide_admin_api.handler import lambda_handler

    table = aws_env["table"]
    consume(seen("1", ["203", "409"]), seen("2", ["203"]), seen("3", ["203"]))
    for title_id, status in (("2", "ENRICHED"), ("3", "DEFERRED")):
        table.update_item(
            Key={"pk": f"TITLE#{title_id}", "sk": "TITLE"},
            UpdateExpression="SET enrichment_status = :e",
            ExpressionAttributeValues={":e": status},
        )
    PreferencesRepository(table.name).put("viewer-1", Preferences(sources=["203"], genres=[]))
    table.put_item(
        Item={"pk": "REF#SOURCE", "sk": "SOURCE#203", "id": "203", "name": "Netflix", "active": True}
    )
    table.put_item(Item={"pk": "REF#SOURCE", "sk": "SOURCE#1", "id": "1", "name": "Gone", "active": False})
    table.put_item(Item={"pk": "REF#GENRE", "sk": "GENRE#4", "id": "4", "name": "Comedy"})

    status, before = admin("GET", "/admin/dynamodb/summary")
    assert status == 200 and before["counts"] is None and "generate" in before["message"]
    assert before["tables"][0]["name"] == table.name
    status, started = admin("POST", "/admin/dynamodb/summary")
    result = lambda_handler({"admin_job": "summary", "job_id": started["job_id"]}, FakeContext())
    assert result["job_status"] == "succeeded"
    status, summary = admin("GET", "/admin/dynamodb/summary")
    assert summary["counts"] == {
        "titles": {"total": 3, "enriched": 1, "pending": 1, "failed": 0, "deferred": 1},
        "sources": {"active": 1, "inactive": 1},
        "genres": 1,
        "viewers_with_preferences": 1,
        "households": 0,
        "availability_rows": 4,
        "jobs": 1,
    }
    assert summary["counts_job_id"] == started["job_id"] and summary["counts_generated_at"]
    assert "1 queued for enrichment, 0 failed, 1 deferred before the queue" in summary["message"]
    assert summary["credits"]["spent"] == 0 and summary["credits"]["budget"] is None
    assert {"name", "item_count", "size_bytes"} <= summary["tables"][0].keys()


def test_logs_only_for_the_products_functions_bounded_and_redacted(admin):
    logs = boto3.client("logs")
    group = "/aws/lambda/t-consumer"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="2026/11/21/[$LATEST]abc")
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    now = int(datetime.now(UTC).timestamp() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="2026/11/21/[$LATEST]abc",
        logEvents=[
            {"timestamp": now, "message": f"Authorization: Bearer {token}"},
            {"timestamp": now + 1, "message": "x" * 10_000},
        ],
    )
    status, body = admin(
        "POST", "/admin/system/lambdas/logs", body={"function_arn": ARN_PREFIX + "t-consumer"}
    )
    assert status == 200 and body["log_group"] == group and body["stream_name"] == "2026/11/21/[$LATEST]abc"
    assert [e["timestamp"] for e in body["events"]] == [now, now + 1]
    assert token not in json.dumps(body) and "***" in body["events"][0]["message"]
    assert len(body["events"][1]["message"]) < 4100
    assert admin("POST", "/admin/system/lambdas/logs", body={})[0] == 400
    for foreign in (
        ARN_PREFIX + "someone-elses",
        "arn:aws:lambda:us-east-1:999999999999:function:t-consumer",
    ):
        assert admin("POST", "/admin/system/lambdas/logs", body={"function_arn": foreign})[0] == 403
    status, trail = admin("GET", "/admin/audit")
    assert trail["actions"][-1]["action"] == "read logs"


def test_dead_letters_are_listed_with_reasons_and_redriven_to_the_stream(admin, aws_env):
    from tests.unit.test_consumer import seen

    sqs = boto3.client("sqs")
    good = seen("77", ["203"]).model_dump_json().encode()
    record = {
        "kinesis": {"data": base64.b64encode(good).decode(), "partitionKey": "77", "sequenceNumber": "9"}
    }
    sqs.send_message(
        QueueUrl=aws_env["queue_url"],
        MessageBody=json.dumps({"component": "consumer", "reason": "ValueError: boom", "record": record}),
    )
    sqs.send_message(QueueUrl=aws_env["queue_url"], MessageBody="not json at all")
    status, body = admin("GET", "/admin/dead-letters")
    queues = {q["queue"]: q for q in body["queues"]}
    assert status == 200 and set(queues) == {"consumer", "async"}
    assert queues["consumer"]["messages"] == 2
    assert "consumer: ValueError: boom" in {m["reason"] for m in queues["consumer"]["newest"]}

    status, result = admin("POST", "/admin/dead-letters/consumer/redrive")
    assert status == 200 and result["redriven"] == 1 and result["kept"] == 1
    assert aws.read_stream() == [good]
    after = {q["queue"]: q for q in admin("GET", "/admin/dead-letters")[1]["queues"]}
    assert after["consumer"]["messages"] == 1  # the unreadable one stays
    assert admin("POST", "/admin/dead-letters/nope/redrive")[0] == 400


def test_watchmode_credits_come_from_the_free_status_endpoint(admin, watchmode_env):
    watchmode_env.state.account_quota = 1000
    watchmode_env.state.credits_used = 250
    status, body = admin("GET", "/admin/watchmode/quota")
    assert status == 200
    assert body["credits_quota"] == 1000 and body["credits_used"] == 250 and body["credits_left"] == 750
    # The product's own budget: none set here, nothing spent this month (the status call costs nothing).
    assert body["budget"]["budget"] is None and body["budget"]["spent"] == 0


def test_function_health_sums_counts_per_window_and_never_invents_durations():
    from tvguide_admin_api.logic import function_health

    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

    class Metrics:
        def lambda_series(self, names, metrics, start, end, period):
            assert start == now - timedelta(hours=24) and period == 300
            recent, old = now - timedelta(minutes=10), now - timedelta(hours=5)
            return {
                ("p-ingestion", "Invocations"): [(recent, 3.0), (old, 4.0)],
                ("p-ingestion", "Errors"): [(recent, 1.0)],
                ("p-ingestion", "Duration"): [(recent, 120.0), (old, 900.0)],
            }

    rows = function_health({"ingestion": "p-ingestion", "consumer": "p-consumer"}, ARN_PREFIX, Metrics(), now)
    ingestion = next(r for r in rows if r["name"] == "ingestion")
    assert ingestion["arn"] == ARN_PREFIX + "p-ingestion"
    assert (ingestion["invocations_1h"], ingestion["errors_1h"], ingestion["success_count_1h"]) == (3, 1, 2)
    assert (ingestion["invocations_24h"], ingestion["duration_p95_ms_1h"]) == (7, 120.0)
    assert ingestion["duration_p95_ms_24h"] == 900.0
    consumer = next(r for r in rows if r["name"] == "consumer")
    assert consumer["invocations_24h"] == 0 and consumer["duration_p95_ms_24h"] is None


def test_preflight_answers_every_admin_path(admin):
    from tvguide_admin_api import handler

    event = api_event("OPTIONS", "/admin/jobs", sub=None)
    event["headers"]["Access-Control-Request-Method"] = "POST"
    response = handler.lambda_handler(event, FakeContext())
    headers = response.get("multiValueHeaders") or response.get("headers")
    assert response["statusCode"] in (200, 204) and headers["Access-Control-Allow-Origin"]


def test_job_kinds_match_the_functions_that_run_them():
    from tvguide_admin_api.logic import JOB_FUNCTIONS

    assert set(JOB_FUNCTIONS) == set(JobKind)


def test_published_admin_openapi_document_matches_the_code_and_covers_every_route():
    from openapi import ADMIN_DOCUMENT, generate_admin

    assert ADMIN_DOCUMENT.read_text() == generate_admin(), "docs/openapi-admin.json is stale: make openapi"
    document = json.loads(ADMIN_DOCUMENT.read_text())
    documented = {
        (method.upper(), path) for path, operations in document["paths"].items() for method in operations
    }
    routes = {(m, re.sub(r"<(\w+)>", r"{\1}", p)) for m, p in _routes_raw()}
    assert documented == routes
    for operations in document["paths"].values():
        for operation in operations.values():
            assert operation["security"] == [{"cognito": []}] and "403" in operation["responses"]


def _routes_raw():
    from tvguide_admin_api.handler import app

    return [(route.method, route.path) for route in app._static_routes + app._dynamic_routes]


def test_the_summary_shows_sources_whose_last_crawl_failed(admin, aws_env):
    from tvguide_ingestion.store import CrawlStates

    states = CrawlStates(aws_env["table"].name)
    states.record("203", refreshed=True, error=None, now="2026-11-21T10:00:00+00:00")
    states.record(
        "409", refreshed=False, error="list-titles: 429 Too Many Requests", now="2026-11-21T10:00:00+00:00"
    )
    status, summary = admin("GET", "/admin/dynamodb/summary")
    assert status == 200 and [s["source_id"] for s in summary["sources_not_refreshed"]] == ["409"]
    assert (
        summary["sources_not_refreshed"][0]["failures"] == 1
        and "429" in summary["sources_not_refreshed"][0]["error"]
    )
    assert "1 source(s) not refreshed" in summary["message"]


def test_the_enrichment_queue_shows_the_titles_next_in_line_the_worker_and_the_credits(admin, aws_env):
    """The admin screen's view of the queue: best rank first (the titles in more viewers' feeds), how many
    wait and failed, and whether a worker holds the lease now."""
    import time

    from tests.unit.test_consumer import consume, seen
    from tvguide_enrichment.store import WorkerLease

    table = aws_env["table"]
    consume(*(seen(str(n), ["203"]).model_copy(update={"audience": n}) for n in range(1, 4)))
    table.update_item(  # one failed for good: out of the queue
        Key={"pk": "TITLE#1", "sk": "TITLE"},
        UpdateExpression="SET enrichment_status = :f, gsi1pk = :i",
        ExpressionAttributeValues={":f": "FAILED", ":i": "ENRICH#FAILED"},
    )
    status, idle = admin("GET", "/admin/enrichment/queue")
    assert status == 200
    assert [t["id"] for t in idle["next"]] == ["3", "2"] and [t["viewers"] for t in idle["next"]] == [3, 2]
    assert (idle["queued"], idle["failed"], idle["queued_more"]) == (2, 1, False)
    assert idle["worker"]["running"] is False and idle["credits"]["spent"] == 0
    assert WorkerLease(table.name, "req-worker", 120).acquire(now=time.time())
    status, busy = admin("GET", "/admin/enrichment/queue")
    assert busy["worker"]["running"] is True and busy["worker"]["owner"] == "req-worker"
    assert admin("GET", "/admin/enrichment/queue", groups=None)[0] == 403


def test_an_admin_cancels_a_running_job_and_its_kind_may_start_again_at_once(admin, aws_env, watchmode_env):
    """Reproduced need: a job whose run was killed held its kind's lock until its deadline (6 h). Cancelling
    ends it as failed, releases the lock, and its continuations stop."""
    from tvguide_ingestion.handler import lambda_handler as ingestion

    jobs = JobRepository(aws_env["table"].name)
    job = jobs.create(JobKind.TITLES_REFRESH, {"type": "schedule"}, timedelta(hours=6))
    jobs.start(job.job_id)
    assert admin("POST", "/admin/titles/refresh")[0] == 409  # held
    status, body = admin("POST", f"/admin/jobs/{job.job_id}/cancel")
    assert status == 200 and body["job"]["status"] == "failed"
    assert body["job"]["error"] == "cancelled by admin-sub@example.com"  # the admin's email
    assert admin("POST", f"/admin/jobs/{job.job_id}/cancel")[0] == 409  # already ended
    assert admin("POST", "/admin/jobs/no-such-job/cancel")[0] == 404
    continuation = ingestion({"job_id": job.job_id, "cursor": "{}"}, FakeContext())
    assert continuation["status"] == "skipped" and "failed" in continuation["reason"]
    status, started = admin("POST", "/admin/titles/refresh")
    assert status == 202 and started["job_id"] != job.job_id  # the lock was released
    actions = [a["action"] for a in admin("GET", "/admin/audit")[1]["actions"]]
    assert "cancel job" in actions


class _ExpiredStream:
    """A title stream whose retained records start after a dead batch's (Kinesis keeps 24 h)."""

    def __init__(self, retained):
        self.retained, self.put_records = retained, []

    def put(self, data, partition_key):
        self.put_records.append(data)

    def read_range(self, shard_id, first, last):
        return [r for r in self.retained if int(first) <= int(r[1]) <= int(last)]


def test_a_dead_batch_whose_records_the_stream_no_longer_keeps_is_kept_not_deleted(aws_env):
    """Reproduced: redrive re-read an on-failure batch from the stream, found nothing (past Kinesis's 24 h),
    re-published nothing, and deleted the message anyway (SQS keeps them 14 days)."""
    from tests.support.aws import create_queue
    from tvguide.identity import Caller
    from tvguide_admin_api.cloud import SqsQueues
    from tvguide_admin_api.dead_letters import Redriver
    from tvguide_admin_api.logic import JobLauncher

    url = create_queue("tvguide-test-consumer-dlq-2")
    sqs = boto3.client("sqs")
    info = {"shardId": "shardId-000", "startSequenceNumber": "10", "endSequenceNumber": "12", "batchSize": 3}
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"KinesisBatchInfo": info}))
    stream = _ExpiredStream([(b"b", "11"), (b"c", "12")])  # record 10 has expired
    launcher = JobLauncher(JobRepository(aws_env["table"].name), None, {}, timedelta(hours=1))
    redriver = Redriver({"consumer": url}, SqsQueues(sqs), stream, launcher, None, {})
    result = redriver.redrive("consumer", Caller(sub="admin"))
    assert result["redriven"] == 0 and result["kept"] == 1 and stream.put_records == []
    assert "2 of 3 record(s) still in the stream" in result["messages"][0]["note"]
    assert (
        int(
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"][
                "ApproximateNumberOfMessages"
            ]
        )
        == 1
    )
    stream.retained.insert(0, (b"a", "10"))  # all three still there: re-published, then deleted
    assert redriver.redrive("consumer", Caller(sub="admin"))["redriven"] == 1
    assert stream.put_records == [b"a", b"b", b"c"]


def test_reading_a_dead_batch_back_goes_past_empty_pages_mid_shard():
    """GetRecords may answer an empty page while the shard has records after it (MillisBehindLatest)."""
    from tvguide_admin_api.cloud import KinesisTitleStream

    pages = [
        {"Records": [], "NextShardIterator": "i1", "MillisBehindLatest": 5000},
        {"Records": [{"Data": b"a", "PartitionKey": "1", "SequenceNumber": "10"}], "NextShardIterator": "i2"},
        {"Records": [], "NextShardIterator": "i3", "MillisBehindLatest": 1000},
        {"Records": [{"Data": b"b", "PartitionKey": "2", "SequenceNumber": "11"},
                     {"Data": b"x", "PartitionKey": "3", "SequenceNumber": "13"}], "NextShardIterator": "i4"},
    ]  # fmt: skip

    class Kinesis:
        def get_shard_iterator(self, **kwargs):
            return {"ShardIterator": "i0"}

        def get_records(self, **kwargs):
            return pages.pop(0)

    assert KinesisTitleStream(Kinesis(), "titles").read_range("shard", "10", "12") == [
        (b"a", "1"),
        (b"b", "2"),
    ]
