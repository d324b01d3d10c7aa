"""Plan-level checks of the viewer API and identity: what the emulator does not enforce or makes invisible."""

import json

from tests.plan.conftest import of_type


def test_deployment_is_recreated_when_anything_in_the_api_changes(plan):
    deployment = next(
        r for r in _configuration_resources(plan) if r["address"].endswith("aws_api_gateway_deployment.this")
    )
    referenced = set(deployment["expressions"]["triggers"]["references"])
    for kind in (
        "aws_api_gateway_authorizer.cognito",
        "aws_api_gateway_resource.public",
        "aws_api_gateway_method.public",
        "aws_api_gateway_integration.public",
        "aws_api_gateway_resource.proxy",
        "aws_api_gateway_method.proxy",
        "aws_api_gateway_method.proxy_options",
        "aws_api_gateway_integration.proxy",
        "aws_api_gateway_gateway_response.json_with_cors",
    ):
        assert kind in referenced, kind
    # and every resource of those kinds in the module is one of them
    module = _module_config(plan, "module.preferences_api.module.api")
    api_kinds = {
        f"{r['type']}.{r['name']}"
        for r in module["resources"]
        if r["type"].startswith("aws_api_gateway_")
        and r["type"]
        not in ("aws_api_gateway_deployment", "aws_api_gateway_stage", "aws_api_gateway_rest_api")
        and r["type"] != "aws_api_gateway_method_settings"
    }
    assert api_kinds <= referenced


def test_signed_in_routes_use_the_cognito_authorizer_and_only_listed_routes_are_public(resources):
    methods = of_type(resources, "aws_api_gateway_method")
    proxy_any = [m for m in methods if m["values"]["http_method"] == "ANY"]
    assert proxy_any and all(m["values"]["authorization"] == "COGNITO_USER_POOLS" for m in proxy_any)
    public = {
        (m["index"].split(" ")[0], m["values"]["http_method"]) for m in methods if m["name"] == "public"
    }
    assert public == {
        ("sources", "GET"), ("genres", "GET"), ("sources", "OPTIONS"), ("genres", "OPTIONS"),
        ("calendar-feeds", "GET"), ("calendar-feeds", "OPTIONS"),  # a calendar feed: its token is the key
    }  # fmt: skip
    authorizer = of_type(resources, "aws_api_gateway_authorizer")[0]["values"]
    assert authorizer["type"] == "COGNITO_USER_POOLS"
    assert authorizer["identity_source"] == "method.request.header.Authorization"


def test_gateway_errors_are_json_with_cors(resources):
    responses = {
        r["values"]["response_type"]: r["values"]
        for r in of_type(resources, "aws_api_gateway_gateway_response")
    }
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED"} <= responses.keys()
    for values in responses.values():
        params = values["response_parameters"]
        # the request's origin (never "*"), so a site on any allowed origin can read its errors
        assert params["gatewayresponse.header.Access-Control-Allow-Origin"] == "method.request.header.Origin"
        assert params["gatewayresponse.header.Vary"] == "'Origin'"
        assert "gatewayresponse.header.Access-Control-Allow-Credentials" not in params
        assert "Authorization" in params["gatewayresponse.header.Access-Control-Allow-Headers"]
        assert "message" in values["response_templates"]["application/json"]


def test_stage_is_throttled_and_access_logged_with_retention(resources):
    stage = of_type(resources, "aws_api_gateway_stage")[0]["values"]
    assert stage["access_log_settings"][0]["destination_arn"]
    fields = json.loads(stage["access_log_settings"][0]["format"])
    assert {"requestId", "status", "path"} <= fields.keys() and "Authorization" not in json.dumps(fields)
    settings = of_type(resources, "aws_api_gateway_method_settings")[0]["values"]["settings"][0]
    assert settings["throttling_rate_limit"] > 0 and settings["throttling_burst_limit"] > 0


def test_accounts_are_created_by_admins_with_a_sound_password_policy(resources):
    pool = of_type(resources, "aws_cognito_user_pool")[0]["values"]
    assert pool["username_attributes"] == ["email"]
    assert pool["admin_create_user_config"][0]["allow_admin_create_user_only"] is True
    policy = pool["password_policy"][0]
    assert policy["minimum_length"] >= 12 and all(
        policy[k] for k in ("require_lowercase", "require_uppercase", "require_numbers", "require_symbols")
    )
    assert [g["values"]["name"] for g in of_type(resources, "aws_cognito_user_group")] == ["SecurityAdmins"]
    client = of_type(resources, "aws_cognito_user_pool_client")[0]["values"]
    assert client["generate_secret"] is False
    assert {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"} == set(
        client["explicit_auth_flows"]
    )
    assert not of_type(resources, "aws_cognito_identity_provider")  # Google only when configured


def test_viewer_api_function_may_only_read_the_catalogue_and_write_viewers_items(resources, prefix):
    policy = next(
        r
        for r in of_type(resources, "aws_iam_role_policy")
        if r["values"]["name"] == f"{prefix}-preferences-api-least-privilege"
    )
    statements = json.loads(policy["values"]["policy"])["Statement"]
    actions = {a for s in statements for a in _list(s["Action"])}
    assert actions == {
        "dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem",
        "dynamodb:DeleteItem", "dynamodb:UpdateItem", "logs:CreateLogStream", "logs:PutLogEvents",
        "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",  # VAPID keys: test_terraform_plan
    }  # fmt: skip
    writes = next(s for s in statements if "dynamodb:DeleteItem" in _list(s["Action"]))
    keys = _list(writes["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
    # viewers' items, calendar links' lookups, households and their invites' lookups
    assert sorted(keys) == ["CALENDAR_FEED#*", "HOUSEHOLD#*", "HOUSEHOLD_INVITE#*", "USER#*"]
    # and the feed heads it rebuilds, with UpdateItem only
    heads = next(s for s in statements if s.get("Sid") == "RebuildFeedHeads")
    assert _list(heads["Action"]) == ["dynamodb:UpdateItem"]
    assert _list(heads["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]) == ["FEEDHEAD#*"]


def _list(value):
    return value if isinstance(value, list) else [value]


def _module_config(plan, address):
    module = plan["configuration"]["root_module"]
    for part in address.split(".")[1::2]:
        module = module["module_calls"][part]["module"]
    return module


def _configuration_resources(plan):
    def walk(module, prefix):
        for resource in module.get("resources", []):
            yield resource | {"address": f"{prefix}{resource['address']}"}
        for name, call in module.get("module_calls", {}).items():
            yield from walk(call["module"], f"{prefix}module.{name}.")

    return list(walk(plan["configuration"]["root_module"], ""))


def test_an_email_change_needs_verifying_and_the_client_writes_only_the_email(resources):
    """Reproduced (issue 19): a user could change `email` without verifying it, and the app client let them
    write any attribute, so the alert sender could be pointed at anyone's address."""
    [pool] = of_type(resources, "aws_cognito_user_pool")
    [settings] = pool["values"]["user_attribute_update_settings"]
    assert settings["attributes_require_verification_before_update"] == ["email"]
    [client] = of_type(resources, "aws_cognito_user_pool_client")
    assert client["values"]["write_attributes"] == ["email"]
    assert sorted(client["values"]["read_attributes"]) == ["email", "email_verified"]


def test_alarms_reach_someone_when_an_alarm_email_is_set(plan):
    """Reproduced (issue 19): the alarms topic had no subscription and no variable for one."""
    [subscription] = [
        r for r in _configuration_resources(plan) if r["address"] == "aws_sns_topic_subscription.alarm_email"
    ]
    assert subscription["expressions"]["protocol"]["constant_value"] == "email"
    assert "var.alarm_email" in subscription["expressions"]["endpoint"]["references"]
    assert "aws_sns_topic.alarms.arn" in subscription["expressions"]["topic_arn"]["references"]
    assert "var.alarm_email" in subscription["count_expression"]["references"]


def test_one_caller_or_one_address_cannot_use_up_the_apis_shared_throttle(resources, plan):
    """Reproduced (issue 19): the stages' throttle (50 rps) was shared by everyone, so one account could
    starve the others. AWS WAF limits each caller (its token) and each address before the authorizer runs,
    with a JSON 429 the site can read; both stages are behind it."""
    [acl] = of_type(resources, "aws_wafv2_web_acl")
    rules = {rule["name"]: rule for rule in acl["values"]["rule"]}
    caller = rules["per-caller"]["statement"][0]["rate_based_statement"][0]
    assert caller["aggregate_key_type"] == "CUSTOM_KEYS"
    assert [k["header"][0]["name"] for k in caller["custom_key"]] == ["authorization"]
    address = rules["per-address"]["statement"][0]["rate_based_statement"][0]
    assert address["aggregate_key_type"] == "IP"
    stage_per_minute = min(
        r["values"]["settings"][0]["throttling_rate_limit"] * 60
        for r in of_type(resources, "aws_api_gateway_method_settings")
    )
    assert caller["evaluation_window_sec"] == 60 and 10 <= caller["limit"] <= stage_per_minute / 5
    assert caller["limit"] < address["limit"] <= stage_per_minute
    bodies = {b["key"]: b for b in acl["values"]["custom_response_body"]}
    for rule in rules.values():
        response = rule["action"][0]["block"][0]["custom_response"][0]
        assert response["response_code"] == 429
        assert json.loads(bodies[response["custom_response_body_key"]]["content"])["message"]
        headers = {h["name"]: h["value"] for h in response["response_header"]}
        assert headers["Access-Control-Allow-Origin"].startswith("http")  # the site can read the 429
    protected = {r["values"]["resource_arn"] for r in of_type(resources, "aws_wafv2_web_acl_association")}
    stages = {r["values"]["arn"] for r in of_type(resources, "aws_api_gateway_stage")}
    assert len(stages) == 2 and protected == stages
