"""Plan-level checks of what the emulator cannot enforce: IAM, stream failure handling, retention, names."""

import json

from tests.plan.conftest import of_type
from tests.plan.test_admin_plan import _function_arns, _policy

MAPPING_RULES = {
    "function_response_types": ["ReportBatchItemFailures"],
    "bisect_batch_on_function_error": True,
}


def test_every_stream_mapping_reports_partial_failures_bisects_retries_boundedly_and_has_a_dlq(resources):
    """And none discards a record for its age: AWS sends records older than the mapping's record age to the
    on-failure destination, failed or not, so a reader that fell behind would lose its backlog there."""
    mappings = of_type(resources, "aws_lambda_event_source_mapping")
    assert len(mappings) == 3  # the consumer's (Kinesis); new demand's and the notifier's (the table)
    for mapping in mappings:
        values = mapping["values"]
        for key, expected in MAPPING_RULES.items():
            assert values[key] == expected, (mapping["address"], key)
        assert 0 <= values["maximum_retry_attempts"] <= 10
        assert values["maximum_record_age_in_seconds"] == -1, mapping["address"]
        destination = values["destination_config"][0]["on_failure"][0]["destination_arn"]
        assert destination, mapping["address"]


def test_at_most_two_readers_on_the_tables_stream_and_each_mapping_has_an_iterator_age_alarm(
    resources, prefix
):
    """AWS advises at most two readers per DynamoDB stream shard; enrichment reads its queue, not the
    stream. A mapping that falls behind shows on its IteratorAge alarm instead of losing records."""
    mappings = of_type(resources, "aws_lambda_event_source_mapping")
    on_table = [m for m in mappings if ":dynamodb:" in m["values"]["event_source_arn"]]
    assert len(on_table) == 2  # new demand and the notifier
    assert not [m for m in mappings if "enrichment" in m["address"]]
    alarms = {
        a["values"]["dimensions"]["FunctionName"]: a["values"]
        for a in of_type(resources, "aws_cloudwatch_metric_alarm")
        if a["values"]["metric_name"] == "IteratorAge"
    }
    readers = {f"{prefix}-{name}" for name in ("consumer", "ingestion-demand", "notifier")}
    assert set(alarms) == readers
    for alarm in alarms.values():
        assert alarm["namespace"] == "AWS/Lambda" and alarm["statistic"] == "Maximum"
        assert alarm["alarm_actions"] and 0 < alarm["threshold"] <= 3_600_000


def test_the_consumer_stores_several_batches_of_a_shard_at_once_and_the_stream_readers_one(resources):
    """A new source's thousands of title events were stored one batch after another (one shard, factor 1).
    Title events are keyed by title id and Lambda keeps a key's records in order, so the consumer takes
    several batches at once; the DynamoDB stream readers (one item's changes in order) keep one."""
    factors = {
        m["address"].split(".")[1]: m["values"]["parallelization_factor"]
        for m in of_type(resources, "aws_lambda_event_source_mapping")
    }
    assert factors.pop("consumer") > 1
    assert set(factors.values()) == {1}


def test_the_enrichment_worker_runs_on_its_schedule_nudged_by_the_consumer_and_the_enrich_job(
    resources, prefix
):
    functions = _function_arns(resources)
    worker = functions[f"{prefix}-enrichment"]
    for role in ("consumer", "enrichment-backfill"):
        nudge = _policy(resources, f"{prefix}-{role}")["NudgeEnrichmentWorker"]
        assert _as_list(nudge["Action"]) == ["lambda:InvokeFunction"]
        assert _as_list(nudge["Resource"]) == [worker]
    continuation = _policy(resources, f"{prefix}-enrichment")["ContinueInANewInvocation"]
    assert _as_list(continuation["Resource"]) == [worker]
    rules = {r["values"]["name"]: r["values"] for r in of_type(resources, "aws_cloudwatch_event_rule")}
    assert rules[f"{prefix}-enrichment-schedule"]["schedule_expression"] == "rate(1 minute)"
    config = next(
        c["values"]
        for c in of_type(resources, "aws_lambda_function_event_invoke_config")
        if c["values"]["function_name"] == f"{prefix}-enrichment"
    )
    assert config["maximum_retry_attempts"] == 0  # a failed run leaves the queue as it was


def test_the_new_demand_mapping_sees_only_saved_preferences(resources):
    mapping = next(
        r for r in of_type(resources, "aws_lambda_event_source_mapping") if "ingestion" in r["address"]
    )
    pattern = json.loads(mapping["values"]["filter_criteria"][0]["filter"][0]["pattern"])
    assert pattern == {
        "eventName": ["INSERT", "MODIFY"],
        "dynamodb": {"NewImage": {"sk": {"S": ["PREFERENCES"]}}},
    }


def test_the_notifier_sees_only_new_availability_changes_and_sends_only_as_the_sender(resources, prefix):
    mapping = next(
        r for r in of_type(resources, "aws_lambda_event_source_mapping") if "notifier" in r["address"]
    )
    pattern = json.loads(mapping["values"]["filter_criteria"][0]["filter"][0]["pattern"])
    assert pattern == {
        "eventName": ["INSERT"],
        "dynamodb": {"NewImage": {"kind": {"S": ["AVAILABILITY_CHANGE"]}}},
    }
    statements = [s for name, s in _statements(resources) if name == f"{prefix}-notifier-least-privilege"]
    [email] = [s for s in statements if "ses:SendEmail" in _as_list(s["Action"])]
    assert email["Condition"] == {"StringEquals": {"ses:FromAddress": "alerts@tvguide.local"}}
    writes = [s for s in statements if "dynamodb:PutItem" in _as_list(s["Action"])]
    assert writes and all(
        s["Condition"]["ForAllValues:StringLike"] == {"dynamodb:LeadingKeys": "USER#*"} for s in writes
    )


def _statements(resources):
    for policy in of_type(resources, "aws_iam_role_policy"):
        for statement in json.loads(policy["values"]["policy"])["Statement"]:
            yield policy["values"]["name"], statement


def test_no_iam_statement_uses_wildcard_actions_or_resources(resources, prefix):
    """The one exception: cloudwatch:GetMetricData, which has no resource-level permissions (admin only)."""
    statements = list(_statements(resources))
    assert len(statements) >= 15
    on_everything = []
    for name, statement in statements:
        actions = _as_list(statement["Action"])
        resources_ = _as_list(statement["Resource"])
        assert all("*" not in a for a in actions), (name, actions)
        if "*" in resources_:
            on_everything.append((name, actions, resources_))
    assert on_everything == [(f"{prefix}-admin-api-least-privilege", ["cloudwatch:GetMetricData"], ["*"])]


def test_each_function_has_its_own_role_with_only_what_it_uses(resources, prefix):
    grants, queues, unconditional = {}, {}, {}
    for name, statement in _statements(resources):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        role = name.removesuffix("-least-privilege")
        grants.setdefault(role, set()).update(actions)
        if "Condition" not in statement:
            unconditional.setdefault(role, set()).update(actions)
        if "sqs:SendMessage" in actions:
            queues.setdefault(role, set()).update(_as_list(statement["Resource"]))
    p = prefix + "-"
    assert not {a for a in grants[p + "reference"] if a.startswith("kinesis:")}
    for role in (
        "reference",
        "ingestion",
        "enrichment",
        "enrichment-backfill",
        "ingestion-demand",
        "notifier",
        "notifier-digest",
    ):  # async DLQ
        assert [q.rsplit(":", 1)[1] for q in queues[p + role]] == [f"{p}async-dlq"], role
    assert [q.rsplit(":", 1)[1] for q in queues[p + "consumer"]] == [f"{p}consumer-dlq"]
    assert p + "preferences-api" not in queues
    assert "kinesis:PutRecords" in grants[p + "ingestion"]
    # Beyond Query, ingestion writes only job records (the TrackJobs statement, pinned below).
    assert not {
        a for a in unconditional[p + "ingestion"] if a.startswith("dynamodb:") and a != "dynamodb:Query"
    }
    assert "lambda:InvokeFunction" in unconditional[p + "ingestion"]  # a titles refresh continues
    assert "secretsmanager:GetSecretValue" not in grants[p + "consumer"]
    assert "kinesis:PutRecords" not in grants[p + "consumer"]
    assert unconditional[p + "enrichment-backfill"] == {
        "dynamodb:Query",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sqs:SendMessage",
        "lambda:InvokeFunction",
    }  # fmt: skip (its UpdateItem holds to title records: test_enrichment_writes_only_the_partitions_it_owns)
    # The new-demand function reads crawl states and sources, records crawls, and publishes; no job.
    assert unconditional[p + "ingestion-demand"] == {
        "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams",
        "secretsmanager:GetSecretValue", "kinesis:PutRecords", "sqs:SendMessage",
        "logs:CreateLogStream", "logs:PutLogEvents",
    }  # fmt: skip
    assert grants[p + "ingestion-demand"] - unconditional[p + "ingestion-demand"] == {
        "dynamodb:Query",
        "dynamodb:UpdateItem",
        "dynamodb:GetItem",  # the Watchmode budget's items only (pinned below)
    }


def test_watchmode_callers_share_the_budget_through_its_items_only(resources, prefix):
    """Every function that calls Watchmode reads and updates the shared rate and credit items, and the
    statement that lets it names those partitions and nothing else."""
    budget = [
        (name.removesuffix("-least-privilege").removeprefix(prefix + "-"), s)
        for name, s in _statements(resources)
        if s.get("Sid") == "ShareWatchmodeBudget"
    ]
    callers = {role for role, _ in budget}
    assert callers == {"reference", "ingestion", "ingestion-demand", "enrichment", "preferences-api"}
    for _, statement in budget:
        assert sorted(_as_list(statement["Action"])) == ["dynamodb:GetItem", "dynamodb:UpdateItem"]
        assert statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == [
            "WATCHMODE#RATE",
            "WATCHMODE#CREDITS",
        ]
    roles = of_type(resources, "aws_iam_role")
    assert len(roles) == len({r["values"]["name"] for r in roles}) == len(SETTINGS)


def test_every_log_group_has_retention_and_every_function_its_log_group(resources):
    groups = of_type(resources, "aws_cloudwatch_log_group")
    functions = of_type(resources, "aws_lambda_function")
    assert groups and all(g["values"]["retention_in_days"] > 0 for g in groups)
    assert {g["values"]["name"] for g in groups} >= {
        f"/aws/lambda/{f['values']['function_name']}" for f in functions
    }


def test_every_physical_name_carries_the_prefix(resources, prefix):
    named = [
        (r["address"], r["values"].get(key))
        for r in resources
        for key in ("name", "function_name", "alarm_name", "layer_name")
        if isinstance(r["values"].get(key), str)
        # a role's inline policy and the pool's group (named by the contract) live inside their parent
        and r["type"] not in ("aws_iam_role_policy", "aws_cognito_user_group")
    ]
    assert len(named) > 20
    for address, name in named:
        assert prefix in name, (address, name)


def test_alarms_cover_function_errors_dlq_depth_iterator_age_and_stuck_jobs(resources):
    alarms = {r["values"]["metric_name"] for r in of_type(resources, "aws_cloudwatch_metric_alarm")}
    assert {"Errors", "ApproximateNumberOfMessagesVisible", "GetRecords.IteratorAgeMilliseconds"} <= alarms
    assert "StuckJobs" in alarms  # issue 19: overdue jobs reached no one
    functions = of_type(resources, "aws_lambda_function")
    errors = [
        r for r in of_type(resources, "aws_cloudwatch_metric_alarm") if r["values"]["metric_name"] == "Errors"
    ]
    assert len(errors) == len(functions)


# Every Watchmode caller shares the account's rate limit and counts its credits against the budget.
WATCHMODE_PACED = {
    "WATCHMODE_BASE_URL",
    "WATCHMODE_SECRET_ARN",
    "WATCHMODE_RATE_LIMIT_PER_MINUTE",
    "WATCHMODE_PACE_FRACTION",
    "WATCHMODE_MONTHLY_CREDIT_BUDGET",
}
POWERTOOLS = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL"}
# What each function reads, and so all it is given: no function gets a setting (a secret's ARN, a stream) it
# does not use.
SETTINGS = {
    "reference": {"TABLE_NAME", "REGIONS"} | WATCHMODE_PACED,
    "ingestion": {
        "TABLE_NAME",
        "TITLE_STREAM_NAME",
        "REGIONS",
        "INGESTION_MAX_PAGES_PER_SOURCE",
        "INGESTION_REFRESH_HOURS",
        "INGESTION_SOURCES_PER_INVOCATION",
        "JOB_TIMEOUT_MINUTES",
    }
    | WATCHMODE_PACED,
    "ingestion-demand": {"TABLE_NAME", "TITLE_STREAM_NAME", "REGIONS", "INGESTION_MAX_PAGES_PER_SOURCE"}
    | WATCHMODE_PACED,
    "consumer": {"TABLE_NAME", "ENRICHMENT_STALE_DAYS", "DLQ_URL", "ENRICHMENT_FUNCTION_NAME"},
    "notifier": {
        "TABLE_NAME",
        "ALERT_SENDER_EMAIL",
        "SITE_URL",
        "WEB_PUSH_SECRET_ARN",
        "PUSH_SERVICE_ORIGINS",
        "PUSH_CONTACT",
    },
    "notifier-digest": {"TABLE_NAME", "ALERT_SENDER_EMAIL", "SITE_URL"},
    "feed-rebuild": {"TABLE_NAME", "JOB_TIMEOUT_MINUTES"},
    "enrichment": {"TABLE_NAME", "REGIONS", "ENRICHMENT_WORKERS"} | WATCHMODE_PACED,
    "enrichment-backfill": {"TABLE_NAME", "JOB_TIMEOUT_MINUTES", "ENRICHMENT_FUNCTION_NAME"},
    "preferences-api": {"TABLE_NAME", "CORS_ALLOWED_ORIGINS", "WEB_PUSH_SECRET_ARN", "PUSH_SERVICE_ORIGINS"}
    | WATCHMODE_PACED,  # an import's search
    "admin-api": {
        "TABLE_NAME",
        "TITLE_STREAM_NAME",
        "FUNCTIONS",
        "DLQ_URLS",
        "ADMIN_GROUP",
        "CORS_ALLOWED_ORIGINS",
        "JOB_TIMEOUT_MINUTES",
    }
    | WATCHMODE_PACED,
}


def test_each_function_gets_exactly_the_settings_it_reads_and_all_share_one_layer(resources, prefix):
    """The opposite of one environment for all: the consumer and the viewer API no longer receive the
    Watchmode secret's ARN, nor the API a stream's name."""
    functions = {f["values"]["function_name"]: f["values"] for f in of_type(resources, "aws_lambda_function")}
    layers = of_type(resources, "aws_lambda_layer_version")
    assert len(layers) == 1 and len(functions) == len(SETTINGS)
    for role, wanted in SETTINGS.items():
        function = functions[f"{prefix}-{role}"]
        assert set(function["environment"][0]["variables"]) == wanted | POWERTOOLS, role
        assert function["runtime"] == "python3.12" and function["source_code_hash"]


def _settings_models() -> dict[str, type]:
    from tvguide_admin_api.settings import AdminSettings
    from tvguide_consumer.settings import ConsumerSettings, FeedRebuildSettings
    from tvguide_enrichment.settings import BackfillSettings, WorkerSettings
    from tvguide_ingestion.settings import DemandSettings, RefreshSettings
    from tvguide_notifier.settings import DigestSettings, NotifierSettings
    from tvguide_preferences_api.settings import PreferencesApiSettings
    from tvguide_reference.settings import ReferenceSettings

    return {
        "reference": ReferenceSettings,
        "ingestion": RefreshSettings,
        "ingestion-demand": DemandSettings,
        "consumer": ConsumerSettings,
        "notifier": NotifierSettings,
        "notifier-digest": DigestSettings,
        "feed-rebuild": FeedRebuildSettings,
        "enrichment": WorkerSettings,
        "enrichment-backfill": BackfillSettings,
        "preferences-api": PreferencesApiSettings,
        "admin-api": AdminSettings,
    }


def test_each_function_is_given_only_variables_its_settings_model_reads_and_every_one_it_requires(
    resources, prefix
):
    """Issue 20: each function's settings are a typed model of what it reads (loaded at its cold start);
    Terraform gives it no variable outside that model, and every field without a default. The model is
    valid on what Terraform gives (the values are the plan's)."""
    functions = {f["values"]["function_name"]: f["values"] for f in of_type(resources, "aws_lambda_function")}
    models = _settings_models()
    assert set(models) == set(SETTINGS)
    for role, model in models.items():
        given = dict(functions[f"{prefix}-{role}"]["environment"][0]["variables"])
        fields = {name.upper() for name in model.model_fields}
        required = {name.upper() for name, f in model.model_fields.items() if f.is_required()}
        assert set(given) - POWERTOOLS <= fields, (role, set(given) - POWERTOOLS - fields)
        assert required <= set(given), (role, required - set(given))
        model.from_env({k: v for k, v in given.items() if v is not None})


def test_secret_value_is_never_in_terraform(resources):
    assert of_type(resources, "aws_secretsmanager_secret")
    assert not of_type(resources, "aws_secretsmanager_secret_version")


def test_resources_are_tagged(plan, resources, prefix):
    taggable = [r for r in resources if "tags_all" in r["values"]]
    assert taggable
    for resource in taggable:
        tags = resource["values"]["tags_all"] or {}
        assert tags.get("Project") == "uk-tv-guide" and tags.get("Stack") == prefix, resource["address"]


def test_reference_ingestion_and_the_feed_rebuild_run_on_schedules_that_may_invoke_them(resources, prefix):
    rules = {
        r["values"]["name"]: r["values"]["schedule_expression"]
        for r in of_type(resources, "aws_cloudwatch_event_rule")
    }
    # the enrichment schedule runs the queue's worker (nudges start it sooner)
    scheduled = ("reference", "ingestion", "feed-rebuild", "enrichment", "notifier-digest")
    assert set(rules) == {f"{prefix}-{name}-schedule" for name in scheduled}
    permissions = [
        p
        for p in of_type(resources, "aws_lambda_permission")
        if p["values"]["principal"] == "events.amazonaws.com"
    ]
    assert {p["values"]["function_name"] for p in permissions} == {f"{prefix}-{name}" for name in scheduled}
    api = [
        p
        for p in of_type(resources, "aws_lambda_permission")
        if p["values"]["principal"] == "apigateway.amazonaws.com"
    ]
    assert sorted(p["values"]["function_name"] for p in api) == [
        f"{prefix}-admin-api",
        f"{prefix}-preferences-api",
    ]


def _as_list(value):
    return value if isinstance(value, list) else [value]


def test_a_deleted_secret_is_restorable_on_aws_and_only_local_stacks_delete_at_once(plan, resources):
    import re
    from pathlib import Path

    secret = of_type(resources, "aws_secretsmanager_secret")[0]["values"]
    assert secret["recovery_window_in_days"] == plan["variables"]["secret_recovery_window_days"]["value"] == 0
    root = Path("terraform/variables.tf").read_text()
    block = root[root.index('variable "secret_recovery_window_days"') :]
    assert re.search(r"default\s*=\s*30", block.split("}")[0])
    assert "secret_recovery_window_days" not in Path("terraform/environments/aws.tfvars.example").read_text()


def test_every_terraform_variable_says_what_it_is():
    from pathlib import Path

    missing = []
    for path in sorted(Path("terraform").rglob("variables.tf")):
        if ".terraform" in path.parts:
            continue
        for block in path.read_text().split('variable "')[1:]:
            name, body = block.split('"', 1)
            end = body.find("\n}\n")
            if "description" not in body[: end if end > 0 else len(body)]:
                missing.append(f"{path}:{name}")
    assert not missing, missing


def test_permanent_enrichment_failures_have_an_alarm_on_the_functions_metric(resources, prefix):
    alarm = next(
        r["values"]
        for r in of_type(resources, "aws_cloudwatch_metric_alarm")
        if r["values"]["alarm_name"] == f"{prefix}-enrichment-failures"
    )
    assert (alarm["namespace"], alarm["metric_name"]) == ("UKTVGuide", "EnrichmentFailures")
    assert alarm["dimensions"] == {"service": "enrichment"} and alarm["period"] == 3600
    assert alarm["alarm_actions"]


def test_the_consumer_writes_only_the_partitions_it_owns(resources, prefix):
    """Reproduced (issue 19): the consumer could write anywhere in the table (viewers' preferences, jobs,
    the Watchmode budget). Its writes are held to the partitions it owns, by their leading key."""
    statements = [s for name, s in _statements(resources) if name == f"{prefix}-consumer-least-privilege"]
    [writes] = [s for s in statements if s.get("Sid") == "WriteTitlesAndAvailability"]
    keys = _as_list(writes["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
    assert sorted(keys) == sorted(
        ["TITLE#*", "SOURCE#*", "FEED#*", "FEEDHEAD#*", "NEWS#*", "SEARCHSHARD#*", "SEARCHINDEX"]
    )
    assert not any(k.startswith(("USER#", "JOB", "WATCHMODE#", "REF#")) for k in keys)


def test_enrichment_writes_only_the_partitions_it_owns_and_makes_no_batch_writes(resources, prefix):
    """Reproduced (issue 19): the worker and the enrich job could update any item in the table, and the
    worker held an unused BatchWriteItem grant."""
    owned = {
        f"{prefix}-enrichment-least-privilege": (
            "EnrichTitlesAndAvailability",
            ["TITLE#*", "SOURCE#*", "FEEDHEAD#*", "WORKER#ENRICHMENT"],
        ),
        f"{prefix}-enrichment-backfill-least-privilege": ("RequestEnrichment", ["TITLE#*"]),
    }
    for role, (sid, keys) in owned.items():
        statements = [s for name, s in _statements(resources) if name == role]
        [writes] = [s for s in statements if s.get("Sid") == sid]
        assert sorted(
            _as_list(writes["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
        ) == sorted(keys)
        assert not any("dynamodb:BatchWriteItem" in _as_list(s["Action"]) for s in statements), role


def test_reference_writes_only_sources_genres_and_departures(resources, prefix):
    statements = [s for name, s in _statements(resources) if name == f"{prefix}-reference-least-privilege"]
    [rows] = [s for s in statements if s.get("Sid") == "ReadWriteReferenceRows"]
    keys = _as_list(rows["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
    assert sorted(keys) == ["DEPARTING#*", "DEPARTURES", "REF#GENRE", "REF#SOURCE", "RELEASES"]


def test_push_keys_are_read_by_the_notifier_and_made_only_by_the_viewer_api(resources, prefix):
    """Issue 22: the VAPID secret is created empty (no version in Terraform); the viewer API may read it and
    put its first version, the notifier may only read it, and nothing else may touch it."""
    secrets = {r["values"]["name"]: r for r in of_type(resources, "aws_secretsmanager_secret")}
    assert f"{prefix}/web-push-vapid-keys" in secrets
    assert not [
        r for r in of_type(resources, "aws_secretsmanager_secret_version") if "web_push" in r["address"]
    ]
    touching: dict[str, set[str]] = {}
    for name, statement in _statements(resources):
        actions = {a for a in _as_list(statement["Action"]) if a.startswith("secretsmanager:")}
        if actions and any(
            "web-push" in str(r) or "web_push" in str(r) for r in _as_list(statement["Resource"])
        ):
            touching.setdefault(name, set()).update(actions)
    assert touching == {
        f"{prefix}-preferences-api-least-privilege": {
            "secretsmanager:GetSecretValue",
            "secretsmanager:PutSecretValue",
        },
        f"{prefix}-notifier-least-privilege": {"secretsmanager:GetSecretValue"},
    }


def test_the_weekly_digest_sends_only_as_the_sender_and_writes_only_viewers_items(resources, prefix):
    statements = [
        s for name, s in _statements(resources) if name == f"{prefix}-notifier-digest-least-privilege"
    ]
    [email] = [s for s in statements if "ses:SendEmail" in _as_list(s["Action"])]
    assert email["Condition"] == {"StringEquals": {"ses:FromAddress": "alerts@tvguide.local"}}
    writes = [s for s in statements if "dynamodb:UpdateItem" in _as_list(s["Action"])]
    assert writes and all(
        s["Condition"]["ForAllValues:StringLike"] == {"dynamodb:LeadingKeys": "USER#*"} for s in writes
    )
    assert not [
        s for s in statements if {"dynamodb:PutItem", "dynamodb:DeleteItem"} & set(_as_list(s["Action"]))
    ]
