"""The Google client secret never enters Terraform: the apply runs tools/google_identity_provider.py, which
puts the provider with the secret from its environment (issue 19: the state held `google_client_secret`)."""

import re
from pathlib import Path

import boto3
import pytest

from google_identity_provider import MissingSetting, put_google_provider

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cognito(aws_env):
    client = boto3.client("cognito-idp")
    pool = client.create_user_pool(PoolName="tvguide-test-users")["UserPool"]["Id"]
    return client, pool


def test_the_provider_is_created_then_updated_with_the_secret_from_the_environment(cognito):
    client, pool = cognito
    environ = {"USER_POOL_ID": pool, "GOOGLE_CLIENT_ID": "id-1", "GOOGLE_CLIENT_SECRET": "secret-1"}
    assert put_google_provider(client, environ) == "created"
    rotated = environ | {"GOOGLE_CLIENT_SECRET": "secret-2"}
    assert put_google_provider(client, rotated) == "updated"
    provider = client.describe_identity_provider(UserPoolId=pool, ProviderName="Google")["IdentityProvider"]
    assert provider["ProviderDetails"]["client_secret"] == "secret-2"
    assert provider["ProviderDetails"]["client_id"] == "id-1"
    assert provider["AttributeMapping"] == {"email": "email", "username": "sub"}


def test_a_missing_secret_fails_clearly_and_changes_nothing(cognito):
    client, pool = cognito
    with pytest.raises(MissingSetting, match="GOOGLE_CLIENT_SECRET"):
        put_google_provider(client, {"USER_POOL_ID": pool, "GOOGLE_CLIENT_ID": "id-1"})
    assert client.list_identity_providers(UserPoolId=pool)["Providers"] == []


def test_no_terraform_takes_the_secret_and_the_apply_step_alone_gets_it():
    terraform = "\n".join(
        p.read_text() for p in (ROOT / "terraform").rglob("*.tf") if ".terraform" not in p.parts
    )
    assert not re.search(r"\bclient_secret\s*=", terraform)
    assert not re.search(r'variable "google_client_secret"', terraform)
    deploy = (ROOT / ".github/workflows/deploy.yml").read_text()
    assert "TF_VAR_google_client_secret" not in deploy
    assert deploy.count("secrets.GOOGLE_CLIENT_SECRET") == 1
    apply_step = deploy[deploy.index("- name: terraform apply") :].split("- name:")[1]
    assert "GOOGLE_CLIENT_SECRET: ${{ secrets.GOOGLE_CLIENT_SECRET }}" in apply_step
