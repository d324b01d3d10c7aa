"""Plan-level checks of the admin API and the job functions: what IAM the emulator cannot enforce."""

import json

from tests.plan.conftest import of_type

JOB_FUNCTIONS = ("reference", "ingestion", "enrichment-backfill", "feed-rebuild", "admin-api")


def _policy(resources, role):
    policy = next(
        p
        for p in of_type(resources, "aws_iam_role_policy")
        if p["values"]["name"] == f"{role}-least-privilege"
    )
    return {s["Sid"]: s for s in json.loads(policy["values"]["policy"])["Statement"]}


def _list(value):
    return value if isinstance(value, list) else [value]


def _function_arns(resources):
    return {
        f["values"]["function_name"]: f["values"]["arn"] for f in of_type(resources, "aws_lambda_function")
    }


def test_the_admin_function_may_invoke_only_the_job_functions(resources, prefix):
    statements = _policy(resources, f"{prefix}-admin-api")
    invoke = statements["StartJobs"]
    assert _list(invoke["Action"]) == ["lambda:InvokeFunction"]
    arns = _function_arns(resources)
    assert sorted(_list(invoke["Resource"])) == sorted(arns[f"{prefix}-{name}"] for name in JOB_FUNCTIONS)
    others = [s for sid, s in statements.items() if sid != "StartJobs"]
    assert not [s for s in others if any(a.startswith("lambda:") for a in _list(s["Action"]))]


def test_the_admin_function_reads_only_the_products_logs_queues_and_table(resources, prefix):
    statements = _policy(resources, f"{prefix}-admin-api")
    functions = {f["values"]["function_name"] for f in of_type(resources, "aws_lambda_function")}
    logs = _list(statements["ReadProductLogs"]["Resource"])
    assert sorted(r.split(":log-group:")[1] for r in logs) == sorted(f"/aws/lambda/{f}:*" for f in functions)
    queues = {q["values"]["arn"] for q in of_type(resources, "aws_sqs_queue")}
    assert set(_list(statements["DeadLetters"]["Resource"])) == queues and len(queues) == 2
    table = next(t for t in of_type(resources, "aws_dynamodb_table"))["values"]["arn"]
    assert set(_list(statements["JobsAuditAndSummary"]["Resource"])) == {table, f"{table}/index/gsi1"}
    reads = set(_list(statements["JobsAuditAndSummary"]["Action"]))
    assert not reads & {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    # Reproduced (issue 19): it could write anywhere in the table; it writes only its own items now.
    writes = statements["WriteJobsAuditAndSummary"]
    keys = _list(writes["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
    assert sorted(keys) == ["AUDIT#*", "JOB#*", "JOBLOCK#*", "REPORT#SUMMARY", "WATCHMODE#RATE"]
    stream = next(s for s in of_type(resources, "aws_kinesis_stream"))["values"]["arn"]
    assert _list(statements["RedriveTitleEvents"]["Resource"]) == [stream]
    assert _list(statements["ReadFunctionMetrics"]["Action"]) == ["cloudwatch:GetMetricData"]


def test_job_functions_are_never_retried_by_lambda_and_fail_into_the_async_dlq(resources, prefix):
    configs = {
        c["values"]["function_name"]: c["values"]
        for c in of_type(resources, "aws_lambda_function_event_invoke_config")
    }
    # The job functions, the enrichment queue's worker (a failed run leaves the queue as it was) and the
    # digest (daily: a digest not sent is sent by the next day's run).
    assert set(configs) == {f"{prefix}-{name}" for name in (*JOB_FUNCTIONS, "enrichment", "notifier-digest")}
    assert all(c["maximum_retry_attempts"] == 0 for c in configs.values())
    async_dlq = next(
        q for q in of_type(resources, "aws_sqs_queue") if q["values"]["name"] == f"{prefix}-async-dlq"
    )
    for function in of_type(resources, "aws_lambda_function"):
        if function["values"]["function_name"] in configs:
            targets = [d["target_arn"] for d in function["values"]["dead_letter_config"]]
            assert targets == [async_dlq["values"]["arn"]], function["values"]["function_name"]


def test_job_records_are_the_only_items_the_tracking_statement_reaches(resources, prefix):
    for role in ("reference", "ingestion", "consumer", "enrichment", "enrichment-backfill"):
        statement = _policy(resources, f"{prefix}-{role}")["TrackJobs"]
        condition = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        assert sorted(_list(condition)) == ["JOB#*", "JOBLOCK#*"], role
        assert not {a for a in _list(statement["Action"]) if a in ("dynamodb:Scan", "dynamodb:Query")}
    continuation = _policy(resources, f"{prefix}-enrichment-backfill")["ContinueInANewInvocation"]
    assert _list(continuation["Resource"]) == [_function_arns(resources)[f"{prefix}-enrichment-backfill"]]


def test_the_admin_api_is_its_own_rest_api_behind_the_cognito_authorizer(resources, prefix):
    apis = {a["values"]["name"]: a for a in of_type(resources, "aws_api_gateway_rest_api")}
    assert set(apis) == {f"{prefix}-preferences-api", f"{prefix}-admin-api"}
    admin_methods = [
        m for m in of_type(resources, "aws_api_gateway_method") if m["address"].startswith("module.admin_api")
    ]
    non_preflight = [m for m in admin_methods if m["values"]["http_method"] != "OPTIONS"]
    assert non_preflight and all(m["values"]["authorization"] == "COGNITO_USER_POOLS" for m in non_preflight)
    authorizers = [
        a
        for a in of_type(resources, "aws_api_gateway_authorizer")
        if a["address"].startswith("module.admin_api")
    ]
    assert [a["values"]["type"] for a in authorizers] == ["COGNITO_USER_POOLS"]


def test_the_admin_api_url_is_an_output(plan):
    outputs = plan["planned_values"]["outputs"]
    assert {"rest_api_id", "stage", "invoke_url"} <= outputs["admin_api"]["value"].keys()
