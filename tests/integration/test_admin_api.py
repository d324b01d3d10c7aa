"""The admin API through the local API Gateway with real Cognito tokens: admins only, jobs that run to the
end with the pipeline's own progress, the summary, function health, logs, dead letters, credits."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
import requests
import schemathesis
from boto3.dynamodb.conditions import Key
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from stack_client import wait_for_pipeline, wait_until
from tests.integration.test_viewer_api import ORIGIN, sign_in
from tests.support.stack_items import get_title
from tvguide.repositories import from_dynamo

ADMIN_DOCUMENT = Path("docs/openapi-admin.json")
JOB_STARTS = re.compile(r"/(refresh|enrich|summary)$")


def user(stack, role):
    return next(u for u in stack.info["users"] if u["role"] == role)


@pytest.fixture(scope="module")
def admin_token(stack):
    admin = user(stack, "admin")
    return sign_in(stack, admin["email"], admin["password"])


@pytest.fixture(scope="module")
def viewer_token(stack):
    viewer = user(stack, "viewer")
    return sign_in(stack, viewer["email"], viewer["password"])


@pytest.fixture(scope="module")
def admin_api(stack):
    base = stack.info["admin_api"]["url"]

    def call(method, path, token=None, **kwargs):
        headers = {"Origin": ORIGIN} | kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = token
        return requests.request(method, base + path, headers=headers, timeout=60, **kwargs)

    return call


def run_job(admin_api, token, path, seconds=300):
    """Start a job, then poll it until it ends; returns (job at start, every distinct view seen, final)."""
    started = admin_api("POST", path, token)
    assert started.status_code == 202, started.text
    body = started.json()
    assert body["job_id"] and body["message"]
    seen = []

    def done():
        job = admin_api("GET", f"/admin/jobs/{body['job_id']}", token).json()
        if not seen or seen[-1]["progress"] != job["progress"] or seen[-1]["status"] != job["status"]:
            seen.append(job)
        return job["status"] in ("succeeded", "failed"), json.dumps(job)

    wait_until(done, seconds, f"job {body['job_id']}", interval=0.5)
    return body, seen, seen[-1]


def titles_needing_enrichment(table):
    """Titles queued for enrichment or failed (out of the queue until the enrich job requests them)."""
    rows = 0
    for index_key in ("ENRICH#PENDING", "ENRICH#FAILED"):
        kwargs = {"IndexName": "gsi1", "KeyConditionExpression": Key("gsi1pk").eq(index_key)}
        while True:
            page = table.query(**kwargs)
            rows += len(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return rows


def all_paths():
    document = json.loads(ADMIN_DOCUMENT.read_text())
    for path, operations in document["paths"].items():
        concrete = path.replace("{queue}", "consumer").replace("{job_id}", "some-job")
        for method in operations:
            yield method.upper(), concrete


def test_a_viewer_gets_403_and_a_stranger_401_on_every_admin_route(admin_api, viewer_token):
    routes = list(all_paths())
    assert len(routes) >= 17
    for method, path in routes:
        response = admin_api(method, path, viewer_token, json={})
        assert response.status_code == 403, (method, path, response.text)
        assert "SecurityAdmins" in response.json()["message"]
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert admin_api(method, path, None, json={}).status_code == 401, (method, path)


def test_a_reference_refresh_runs_to_success(admin_api, admin_token):
    _, _, job = run_job(admin_api, admin_token, "/admin/reference/refresh", seconds=120)
    assert job["status"] == "succeeded" and job["kind"] == "reference_refresh"
    assert job["result"]["sources"] == 49 and job["result"]["genres"] == 37
    assert job["requested_by"]["email"] == "admin@tvguide.local" and job["finished_at"]


def test_a_titles_refresh_reports_real_progress_and_succeeds_only_when_enriched(
    stack, admin_api, admin_token, table, catalogue
):
    """Ten titles the guide does not know arrive on one of the admin's sources (the fake's control route);
    three details calls fail for good (404), so the job counts them; a second refresh while it runs is
    refused with the running job's id."""
    viewer_api = stack.info["preferences_api"]["url"]
    headers = {"Authorization": admin_token}
    mine = requests.get(f"{viewer_api}/preferences", headers=headers, timeout=30).json()
    source, genres = int(mine["sources"][0]), {int(g) for g in mine["genres"]}
    arriving = [
        t
        for t in catalogue.titles
        if source not in t.source_ids and genres & set(t.genres) and not get_title(table, str(t.id))
    ][:10]
    assert len(arriving) == 10
    for title in arriving:
        change = {"title_id": title.id, "source_id": source, "available": True}
        stack.fake_watchmode("/_fake/availability", change)
    stack.fake_watchmode("/_fake/faults", {"kind": "status", "status": 404, "count": 3, "path": "/v1/title/"})
    started = admin_api("POST", "/admin/titles/refresh", admin_token)
    assert started.status_code == 202
    job_id = started.json()["job_id"]
    second = admin_api("POST", "/admin/data/titles/refresh", admin_token)  # the original site's path
    assert second.status_code == 409 and second.json()["job_id"] == job_id
    seen = []

    def done():
        job = admin_api("GET", f"/admin/jobs/{job_id}", admin_token).json()
        seen.append(job)
        return job["status"] in ("succeeded", "failed"), json.dumps(job)

    wait_until(done, 300, f"job {job_id}", interval=0.5)
    job = seen[-1]
    progress = job["progress"]
    assert job["status"] == "succeeded", job
    assert progress["sources_requested"] == progress["sources_complete"] > 0
    assert progress["events_stored"] >= progress["events_published"] > 0
    assert progress["titles_pending"] == 10  # the titles that arrived were new
    assert progress["titles_enrich_failed"] == 3
    assert progress["titles_enriched"] + progress["titles_enrich_failed"] == progress["titles_pending"]
    # Watched while running: never "succeeded" before the pipeline had stored and settled everything.
    running = [j for j in seen if j["status"] == "running"]
    assert running and all(
        j["progress"]["titles_enriched"] + j["progress"]["titles_enrich_failed"] <= progress["titles_pending"]
        for j in running
    )
    assert job["elapsed_seconds"] >= 0 and job["dispatch_complete"]
    failed = [  # out of the queue, where the enrich job finds them
        from_dynamo(i)
        for i in table.query(IndexName="gsi1", KeyConditionExpression=Key("gsi1pk").eq("ENRICH#FAILED"))[
            "Items"
        ]
    ]
    assert len([t for t in failed if t.get("enrichment_status") == "FAILED"]) == 3


def test_the_enrich_job_settles_every_title_that_needs_it(admin_api, admin_token, table):
    before = titles_needing_enrichment(table)
    assert before > 0  # the three the previous refresh could not enrich
    _, _, job = run_job(admin_api, admin_token, "/admin/titles/enrich")
    assert job["status"] == "succeeded", job
    assert job["progress"]["titles_pending"] == before
    assert job["progress"]["titles_enriched"] == before
    assert titles_needing_enrichment(table) == 0


def test_the_summary_counts_equal_what_is_in_the_table(stack, admin_api, admin_token, table):
    _, _, job = run_job(admin_api, admin_token, "/admin/dynamodb/summary", seconds=120)
    assert job["status"] == "succeeded"
    summary = admin_api("GET", "/admin/dynamodb/summary", admin_token).json()
    counts = dict.fromkeys(("titles", "enriched", "pending", "failed", "deferred", "active", "inactive"), 0)
    counts["genres"] = 0
    viewers = 0
    kwargs = {"ProjectionExpression": "pk, sk, enrichment_status, active"}
    while True:
        page = table.scan(**kwargs)
        for item in page["Items"]:
            if item["sk"] == "TITLE":
                counts["titles"] += 1
                counts[item.get("enrichment_status", "PENDING").lower()] += 1
            elif item["pk"] == "REF#SOURCE":
                counts["active" if item.get("active", True) else "inactive"] += 1
            elif item["pk"] == "REF#GENRE":
                counts["genres"] += 1
            elif item["sk"] == "PREFERENCES":
                viewers += 1
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    got = summary["counts"]
    assert got["titles"] == {
        "total": counts["titles"],
        "enriched": counts["enriched"],
        "pending": counts["pending"],
        "failed": counts["failed"],
        "deferred": counts["deferred"],
    }
    assert (
        got["sources"] == {"active": counts["active"], "inactive": counts["inactive"]}
        and counts["active"] == 49
    )
    assert got["genres"] == counts["genres"] == 37 and got["viewers_with_preferences"] == viewers >= 2
    table_row = summary["tables"][0]
    assert table_row["name"] == stack.info["table"] and {"item_count", "size_bytes"} <= table_row.keys()
    assert summary["counts_job_id"] == job["job_id"] and "titles" in summary["message"]
    # The month's Watchmode credits as the product recorded them (no budget on the test stack).
    assert summary["credits"]["budget"] is None and summary["credits"]["spent"] > 0
    assert set(summary["credits"]["by_caller"]) >= {"control", "ingestion", "enrichment"}


def test_jobs_are_listed_newest_first_with_the_scheduled_kind_of_runs(admin_api, admin_token):
    first = admin_api("GET", "/admin/jobs", admin_token, params={"limit": "2"}).json()
    rest = admin_api(
        "GET", "/admin/jobs", admin_token, params={"limit": "50", "cursor": first["next_cursor"]}
    )
    jobs = first["jobs"] + rest.json()["jobs"]
    created = [j["created_at"] for j in jobs]
    assert created == sorted(created, reverse=True) and len({j["job_id"] for j in jobs}) == len(jobs)
    # make up's own runs were recorded like scheduled ones: requested by an invocation, not an admin.
    assert any(j["requested_by"].get("type") == "invocation" for j in jobs)


def test_function_health_reports_what_cloudwatch_recorded(stack, admin_api, admin_token):
    """The emulator records AWS/Lambda metrics for calls of the Invoke API only (make up invoked reference
    and ingestion synchronously; the admin API invoked jobs asynchronously, which it records without a
    duration). Stream and API Gateway invocations are not recorded there, and read 0, never invented."""
    body = admin_api("GET", "/admin/system/lambdas", admin_token).json()
    rows = {r["name"]: r for r in body["lambdas"]}
    assert set(rows) == set(stack.info["functions"]) - {"viewer_api"}  # the old name is an alias
    for row in rows.values():
        assert row["arn"].endswith(f":function:{row['function_name']}")
        for window in ("1h", "24h"):
            assert row[f"success_count_{window}"] == row[f"invocations_{window}"] - row[f"errors_{window}"]
            assert row[f"throttles_{window}"] >= 0
    for role in ("reference", "ingestion"):
        row = rows[role]
        assert row["invocations_24h"] >= row["invocations_1h"] > 0, row
        assert row["duration_p95_ms_1h"] is not None and row["duration_p95_ms_1h"] > 0, row
    assert rows["backfill"]["invocations_1h"] > 0  # the enrich job, invoked asynchronously


def test_logs_of_a_product_function_and_only_of_those(stack, admin_api, admin_token):
    arn = stack.client("lambda").get_function(FunctionName=stack.info["functions"]["consumer"])[
        "Configuration"
    ]["FunctionArn"]
    response = admin_api("POST", "/admin/system/lambdas/logs", admin_token, json={"function_arn": arn})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["log_group"] == stack.info["log_groups"]["consumer"] and body["stream_name"]
    assert body["events"] and all({"timestamp", "message"} <= e.keys() for e in body["events"])
    assert "eyJ" not in json.dumps(body)
    foreign = arn.rsplit(":", 1)[0] + ":someone-elses-function"
    assert (
        admin_api(
            "POST", "/admin/system/lambdas/logs", admin_token, json={"function_arn": foreign}
        ).status_code
        == 403
    )
    assert admin_api("POST", "/admin/system/lambdas/logs", admin_token, json={}).status_code == 400


def test_a_poison_record_is_redriven_back_to_the_dlq_and_a_good_one_is_stored(
    stack, admin_api, admin_token, table, catalogue
):
    sqs = stack.client("sqs")
    url = stack.info["dlq_urls"]["consumer"]
    stored_ids = {i["pk"] for i in table.scan(ProjectionExpression="pk")["Items"]}
    title = next(t for t in catalogue.titles if f"TITLE#{t.id}" not in stored_ids)
    good = {
        "header": {"event_type": "title.seen", "component": "it", "cause": "it-dlq", "correlation_id": "it"},
        "payload": {"id": title.id, "title": title.title, "type": "movie", "source_ids": [445]},
    }
    for data, key in ((json.dumps(good).encode(), str(title.id)), (b"{poison", "poison")):
        record = {"kinesis": {"data": base64.b64encode(data).decode(), "partitionKey": key}}
        sqs.send_message(
            QueueUrl=url,
            MessageBody=json.dumps({"component": "consumer", "reason": "it: simulated", "record": record}),
        )
    listed = {q["queue"]: q for q in admin_api("GET", "/admin/dead-letters", admin_token).json()["queues"]}
    assert set(listed) == {"consumer", "async"}
    assert listed["consumer"]["messages"] == 2
    assert {m["reason"] for m in listed["consumer"]["newest"]} == {"consumer: it: simulated"}

    result = admin_api("POST", "/admin/dead-letters/consumer/redrive", admin_token).json()
    assert result["redriven"] == 2 and result["kept"] == 0

    def settled():
        stored = table.get_item(Key={"pk": f"TITLE#{title.id}", "sk": "TITLE"}).get("Item")
        queue = {q["queue"]: q for q in admin_api("GET", "/admin/dead-letters", admin_token).json()["queues"]}
        back = queue["consumer"]["newest"]
        poisoned = len(back) == 1 and "JSONDecodeError" in back[0]["reason"]
        return bool(stored) and poisoned, f"stored={bool(stored)} dlq={back}"

    wait_until(settled, 120, "the good record stored and the poison back in the DLQ")
    sqs.purge_queue(QueueUrl=url)


def test_watchmode_credits_used_and_left(stack, admin_api, admin_token):
    body = admin_api("GET", "/admin/watchmode/quota", admin_token).json()
    fake = stack.fake_watchmode("/_fake/stats")
    assert body["credits_used"] == fake["account_quota_used"] > 0
    assert body["credits_quota"] == fake["account_quota"]
    assert body["credits_left"] == body["credits_quota"] - body["credits_used"]


def test_every_admin_action_is_in_the_audit_trail(admin_api, admin_token):
    actions = admin_api("GET", "/admin/audit", admin_token).json()["actions"]
    kinds = {a["action"] for a in actions}
    assert {"start reference_refresh", "start titles_refresh", "start titles_enrich", "read logs"} <= kinds
    assert all(a["email"] == "admin@tvguide.local" and a["sub"] for a in actions)


def test_fuzzing_the_admin_openapi_finds_no_server_error(stack, admin_token):
    """Schema-driven fuzzing as the admin of every route but the four that start jobs (they take no
    input and are exercised above): never a 5xx."""
    schema = schemathesis.openapi.from_path(str(ADMIN_DOCUMENT))
    seen: dict[str, set[int]] = {}

    def fuzz(operation, mode):
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def exercise(case):
            response = case.call(
                base_url=stack.info["admin_api"]["url"], headers={"Authorization": admin_token}
            )
            seen.setdefault(operation.label, set()).add(response.status_code)
            assert response.status_code < 500, (case.method, case.path, case.query, case.body, response.text)

        try:
            exercise()
        except Unsatisfiable:
            assert mode == GenerationMode.NEGATIVE

    for operation in (result.ok() for result in schema.get_all_operations()):
        if operation.method.upper() == "POST" and JOB_STARTS.search(operation.path):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode)
    assert len(seen) >= 8
    assert 400 in seen["POST /admin/system/lambdas/logs"] or 403 in seen["POST /admin/system/lambdas/logs"]
    wait_for_pipeline(stack, 0, seconds=300)  # whatever the fuzzing set in motion has finished
