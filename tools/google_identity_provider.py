"""Puts Google as an identity provider of the stack's user pool, with the client secret read from the
environment, so the secret never enters Terraform's state or plan.

Terraform runs this (terraform/modules/identity, a `terraform_data` provisioner) when the pool, the Google
client id or `google_client_secret_version` changes; the deploy workflow gives it GOOGLE_CLIENT_SECRET from
the repository's secrets on the apply step only. Terraform never reads the provider back, so a refresh cannot
copy the secret into state either. Needs boto3 and the deploy role's credentials.

    USER_POOL_ID=... GOOGLE_CLIENT_ID=... GOOGLE_CLIENT_SECRET=... python3 tools/google_identity_provider.py
"""

from __future__ import annotations

import os
import sys
from typing import Any

PROVIDER = "Google"
SCOPES = "openid email profile"
ATTRIBUTES = {"email": "email", "username": "sub"}


class MissingSetting(RuntimeError):
    """A setting the provider needs is not in the environment."""


def setting(name: str, environ: dict[str, str]) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise MissingSetting(f"{name} is not set: the deploy workflow passes it to the apply step")
    return value


def put_google_provider(cognito: Any, environ: dict[str, str]) -> str:
    """Create the pool's Google provider, or update its client id and secret; returns what it did."""
    pool = setting("USER_POOL_ID", environ)
    details = {
        "client_id": setting("GOOGLE_CLIENT_ID", environ),
        "client_secret": setting("GOOGLE_CLIENT_SECRET", environ),
        "authorize_scopes": SCOPES,
    }
    try:
        cognito.update_identity_provider(
            UserPoolId=pool, ProviderName=PROVIDER, ProviderDetails=details, AttributeMapping=ATTRIBUTES
        )
        return "updated"
    except cognito.exceptions.ResourceNotFoundException:
        cognito.create_identity_provider(
            UserPoolId=pool,
            ProviderName=PROVIDER,
            ProviderType=PROVIDER,
            ProviderDetails=details,
            AttributeMapping=ATTRIBUTES,
        )
        return "created"


def main() -> int:
    import boto3

    try:
        done = put_google_provider(boto3.client("cognito-idp"), dict(os.environ))
    except MissingSetting as missing:
        print(f"google identity provider: {missing}", file=sys.stderr)
        return 2
    print(f"google identity provider {done} in {os.environ['USER_POOL_ID']}")  # never the secret
    return 0


if __name__ == "__main__":
    sys.exit(main())
