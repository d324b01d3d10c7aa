"""The one-off bootstrap: remote state protections, GitHub OIDC trust and least-privilege pipeline roles."""

import json

from tests.plan.conftest import of_type

OIDC = "token.actions.githubusercontent.com"


def _role(resources, suffix):
    return next(
        r["values"] for r in of_type(resources, "aws_iam_role") if r["values"]["name"].endswith(suffix)
    )


def _statements(policy_json):
    return json.loads(policy_json)["Statement"]


def _as_list(value):
    return value if isinstance(value, list) else [value]


def test_deploy_role_trusts_only_the_protected_environment_of_this_repository(bootstrap_resources):
    [statement] = _statements(_role(bootstrap_resources, "-github-deploy")["assume_role_policy"])
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"]["Federated"].endswith(f":oidc-provider/{OIDC}")
    assert statement["Condition"] == {
        "StringEquals": {
            f"{OIDC}:aud": "sts.amazonaws.com",
            f"{OIDC}:sub": "repo:example-org/uk-tv-guide:environment:production",
        }
    }


def test_plan_role_trusts_only_pull_requests_of_this_repository(bootstrap_resources):
    [statement] = _statements(_role(bootstrap_resources, "-github-plan")["assume_role_policy"])
    assert statement["Condition"] == {
        "StringEquals": {
            f"{OIDC}:aud": "sts.amazonaws.com",
            f"{OIDC}:sub": "repo:example-org/uk-tv-guide:pull_request",
        }
    }


UNSCOPABLE_CDN_TYPES = {"origin-access-control", "response-headers-policy", "cache-policy"}


def test_deploy_role_has_no_wildcard_actions_and_is_scoped_to_the_product(bootstrap_resources, prefix):
    policy = next(r for r in of_type(bootstrap_resources, "aws_iam_role_policy") if r["name"] == "deploy")
    statements = _statements(policy["values"]["policy"])
    assert len(statements) >= 8
    for statement in statements:
        if statement["Effect"] == "Deny":
            continue  # the guards pinned below
        for action in _as_list(statement["Action"]):
            assert "*" not in action, action
            assert not action.startswith(("iam:Create", "iam:Delete", "iam:Put")) or all(
                f"role/{prefix}-" in r for r in _as_list(statement["Resource"])
            ), (action, statement["Resource"])
        for resource in _as_list(statement["Resource"]):
            assert resource != "*"
            if statement["Sid"] == "SiteCdnPolicies":  # no name or tag to scope by (see its comment)
                assert resource.split(":")[-1].split("/")[0] in UNSCOPABLE_CDN_TYPES, resource
                continue
            assert prefix in resource or "Condition" in statement, (statement["Sid"], resource)
    pass_role = next(
        s for s in statements if s["Effect"] == "Allow" and "iam:PassRole" in _as_list(s["Action"])
    )
    assert pass_role["Condition"]["StringEquals"]["iam:PassedToService"] == "lambda.amazonaws.com"


def test_plan_role_reads_only_configuration_plus_the_state_lock(bootstrap_resources, prefix):
    """Not AWS's ReadOnlyAccess (which reads every bucket's objects and more): what `terraform plan` reads."""
    assert not of_type(bootstrap_resources, "aws_iam_role_policy_attachment") or all(
        r["values"]["role"] != f"{prefix}-github-plan"
        for r in of_type(bootstrap_resources, "aws_iam_role_policy_attachment")
    )
    read = next(r for r in of_type(bootstrap_resources, "aws_iam_role_policy") if r["name"] == "plan_read")
    actions = {a for s in _statements(read["values"]["policy"]) for a in _as_list(s["Action"])}
    verbs = ("Get", "Describe", "List")
    assert all(a.split(":")[1].startswith(verbs) or a == "apigateway:GET" for a in actions), actions
    assert "s3:GetObject" not in actions and "secretsmanager:GetSecretValue" not in actions
    assert not {
        a for a in actions if a.startswith("dynamodb:") and ("Get" in a or "Query" in a or "Scan" in a)
    }
    policy = next(r for r in of_type(bootstrap_resources, "aws_iam_role_policy") if r["name"] == "plan_state")
    writes = [s for s in _statements(policy["values"]["policy"]) if "s3:PutObject" in _as_list(s["Action"])]
    assert [s["Resource"] for s in writes] == [f"arn:aws:s3:::{prefix}-terraform-state/{prefix}/*.tflock"]


def test_state_bucket_is_versioned_encrypted_private_and_tls_only(bootstrap_resources):
    versioning = of_type(bootstrap_resources, "aws_s3_bucket_versioning")[0]["values"]
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    encryption = of_type(bootstrap_resources, "aws_s3_bucket_server_side_encryption_configuration")[0][
        "values"
    ]
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    block = of_type(bootstrap_resources, "aws_s3_bucket_public_access_block")[0]["values"]
    assert all(
        block[k]
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    [deny] = _statements(of_type(bootstrap_resources, "aws_s3_bucket_policy")[0]["values"]["policy"])
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_github_oidc_provider_audience(bootstrap_resources):
    provider = of_type(bootstrap_resources, "aws_iam_openid_connect_provider")[0]["values"]
    assert provider["url"] == f"https://{OIDC}" and provider["client_id_list"] == ["sts.amazonaws.com"]


def test_api_gateway_may_write_access_logs_in_the_account(bootstrap_resources, prefix):
    [account] = of_type(bootstrap_resources, "aws_api_gateway_account")
    attachments = {
        r["name"]: r["values"]["policy_arn"]
        for r in of_type(bootstrap_resources, "aws_iam_role_policy_attachment")
    }
    assert attachments["apigateway_logs"].endswith(
        ":policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    )
    assert account["values"]["cloudwatch_role_arn"].endswith(f":role/{prefix}-apigateway-cloudwatch")
    assert _role(bootstrap_resources, "-apigateway-cloudwatch")["name"] == f"{prefix}-apigateway-cloudwatch"


def _deploy_statements(bootstrap_resources):
    policy = next(r for r in of_type(bootstrap_resources, "aws_iam_role_policy") if r["name"] == "deploy")
    return _statements(policy["values"]["policy"])


def test_the_deploy_role_cannot_touch_the_pipelines_own_roles(bootstrap_resources, prefix):
    """Reproduced: it could PutRolePolicy / UpdateAssumeRolePolicy on role/<prefix>-*, its own included."""
    deny = next(
        s
        for s in _deploy_statements(bootstrap_resources)
        if s["Sid"] == "NeverThePipelinesOwnRolesOrTheBoundary"
    )
    assert deny["Effect"] == "Deny"
    protected = {r.rsplit("/", 1)[1] for r in _as_list(deny["Resource"])}
    assert protected == {
        f"{prefix}-github-deploy",
        f"{prefix}-github-plan",
        f"{prefix}-apigateway-cloudwatch",
    }
    assert {"iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:PassRole",
            "iam:DeleteRolePermissionsBoundary"} <= set(_as_list(deny["Action"]))  # fmt: skip


def test_every_role_the_deploy_role_creates_or_changes_carries_the_boundary(bootstrap_resources, prefix):
    statements = _deploy_statements(bootstrap_resources)
    boundary = f"arn:aws:iam::{{account}}:policy/{prefix}-product-boundary"
    writes = {"iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"}
    for statement in statements:
        granted = writes & set(_as_list(statement["Action"]))
        if statement["Effect"] != "Allow" or not granted:
            continue
        value = statement["Condition"]["StringEquals"]["iam:PermissionsBoundary"]
        assert value.endswith(f":policy/{prefix}-product-boundary"), (statement["Sid"], value)
    allowed = {a for s in statements if s["Effect"] == "Allow" for a in _as_list(s["Action"])}
    assert writes <= allowed and "iam:AttachRolePolicy" not in allowed and "iam:CreatePolicy" not in allowed
    assert boundary  # the ARN's account is the caller's (an unknown value in a plan)


def test_the_boundary_policy_is_not_editable_by_the_deploy_role(bootstrap_resources, prefix):
    statements = _deploy_statements(bootstrap_resources)
    deny = next(s for s in statements if s["Sid"] == "NeverLiftOrEditTheBoundary")
    assert deny["Effect"] == "Deny"
    assert any(r.endswith(f":policy/{prefix}-product-boundary") for r in _as_list(deny["Resource"]))
    assert {"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy",
            "iam:DeleteRolePermissionsBoundary"} <= set(_as_list(deny["Action"]))  # fmt: skip
    iam_policy_actions = {
        a
        for s in statements
        if s["Effect"] == "Allow"
        for a in _as_list(s["Action"])
        if a.startswith("iam:") and "Polic" in a
    }
    # Inline role policies only (and a role's trust): no managed policy can be created, changed or attached.
    assert iam_policy_actions == {
        "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:GetRolePolicy", "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies", "iam:UpdateAssumeRolePolicy",
    }  # fmt: skip
    boundary = next(
        r for r in of_type(bootstrap_resources, "aws_iam_policy") if r["name"] == "product_boundary"
    )
    document = json.loads(boundary["values"]["policy"])
    assert not [a for s in document["Statement"] for a in _as_list(s["Action"]) if a.startswith("iam:")]


def test_a_stack_whose_prefix_starts_another_cannot_reach_the_others_roles(bootstrap_resources, prefix):
    """Reproduced (issue 19): role actions on `role/<prefix>-*` without a condition, while `tvguide-*` also
    matches `tvguide-dev-github-deploy`: with two stacks in one account, the first could re-trust the
    second's deploy role. Every allowed action that changes, deletes, tags or passes a role now needs the
    role to be this stack's: its boundary (this stack's), or its Stack tag (this prefix, never
    `<other prefix>` nor a bootstrap's `<prefix>-bootstrap`)."""
    changes = {
        "iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary",
        "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:PassRole",
    }  # fmt: skip
    for statement in _deploy_statements(bootstrap_resources):
        granted = changes & set(_as_list(statement["Action"]))
        if statement["Effect"] != "Allow" or not granted:
            continue
        conditions = statement.get("Condition", {})
        boundary = conditions.get("StringEquals", {}).get("iam:PermissionsBoundary", "")
        tags = [
            values["aws:ResourceTag/Stack"]
            for test, values in conditions.items()
            if test in ("StringEquals", "StringEqualsIfExists") and "aws:ResourceTag/Stack" in values
        ]
        assert boundary.endswith(f":policy/{prefix}-product-boundary") or tags == [prefix], statement["Sid"]
        if "iam:TagRole" in granted:  # and tagging can never move a role into this stack
            assert conditions["StringEqualsIfExists"]["aws:RequestTag/Stack"] == prefix


def test_the_plan_role_reads_no_secret_of_another_stack(bootstrap_resources, prefix):
    """Reproduced (issue 19): the plan role could read every function's code and environment, API key
    values and user pool clients' secrets account-wide; pull-request jobs run the branch's code with it.
    Those reads are scoped to this stack: its functions by name, REST APIs (not keys or usage plans), its
    user pool by the Stack tag."""
    read = next(r for r in of_type(bootstrap_resources, "aws_iam_role_policy") if r["name"] == "plan_read")
    statements = _statements(read["values"]["policy"])
    secret_bearing = {
        "lambda:GetFunction": f":function:{prefix}-*",
        "lambda:GetFunctionConfiguration": f":function:{prefix}-*",
        "cognito-idp:DescribeUserPoolClient": ":userpool/*",
        "apigateway:GET": "::/restapis",
    }
    # The Google provider (its client secret) is not Terraform's: the plan has no need to read it.
    assert not [s for s in statements if "cognito-idp:DescribeIdentityProvider" in _as_list(s["Action"])]
    for action, scope in secret_bearing.items():
        [statement] = [s for s in statements if action in _as_list(s["Action"])]
        resources = _as_list(statement["Resource"])
        assert "*" not in resources and any(r.endswith(scope) for r in resources), action
        assert not any("/apikeys" in r or "/usageplans" in r for r in resources), action
        if action.startswith("cognito-idp:"):
            assert statement["Condition"]["StringEquals"]["aws:ResourceTag/Stack"] == prefix
