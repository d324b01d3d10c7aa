"""Publishes the site's configuration, generated from the stack's Terraform outputs, as config.js in the
site's bucket, then invalidates the CDN. The site's other files are uploaded by Terraform
(terraform/modules/website); this is the one generator of config.js, used by `make up` for local stacks and by
the deploy workflow on AWS. Needs boto3 and credentials for the stack's account (or the local emulator).

    python3 tools/publish_site.py --outputs build/outputs.json     # after `terraform output -json`
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any


def api_url(api: dict[str, Any], local_endpoint: str | None) -> str:
    """An API's base URL: its stage's invoke URL on AWS, the emulator's execute-api path locally."""
    if local_endpoint:
        return f"{local_endpoint}/_aws/execute-api/{api['rest_api_id']}/{api['stage']}"
    return str(api["invoke_url"]).rstrip("/")


def site_config(outputs: dict[str, Any], local_endpoint: str | None = None) -> str:
    """window.appConfig for the site: the APIs, the Cognito pool and client, the region, and where the
    browser reaches Cognito (the emulator locally) and its hosted UI (when configured)."""
    pool_id = outputs["cognito"]["user_pool_id"]
    config = {
        "ApiEndpoint": api_url(outputs["preferences_api"], local_endpoint),
        "AdminApiEndpoint": api_url(outputs["admin_api"], local_endpoint),
        "UserPoolId": pool_id,
        "UserPoolClientId": outputs["cognito"]["client_id"],
        "Region": pool_id.split("_")[0],
        "AdminGroup": outputs["cognito"].get("admin_group") or "SecurityAdmins",
    }
    if local_endpoint:
        config["CognitoEndpoint"] = local_endpoint
    if outputs.get("hosted_ui_domain"):
        config["HostedUiDomain"] = outputs["hosted_ui_domain"]
    return "window.appConfig = " + json.dumps(config, indent=2, sort_keys=True) + ";\n"


def publish(
    outputs: dict[str, Any], s3: Any, cloudfront: Any | None, local_endpoint: str | None = None
) -> str:
    site = outputs["site"]
    s3.put_object(
        Bucket=site["bucket"],
        Key="config.js",
        Body=site_config(outputs, local_endpoint).encode(),
        ContentType="text/javascript; charset=utf-8",
        CacheControl="no-cache",
    )
    print(f"published config.js to s3://{site['bucket']}")
    if site.get("distribution_id") and cloudfront is not None:
        cloudfront.create_invalidation(
            DistributionId=site["distribution_id"],
            InvalidationBatch={
                "Paths": {"Quantity": 1, "Items": ["/*"]},
                "CallerReference": str(time.time()),
            },
        )
        print(f"invalidated CloudFront distribution {site['distribution_id']}")
    return str(site["url"])


def main() -> None:
    import boto3

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--outputs", type=Path, required=True)
    args = parser.parse_args()
    outputs = {k: v["value"] for k, v in json.loads(args.outputs.read_text()).items()}
    url = publish(outputs, boto3.client("s3"), boto3.client("cloudfront"))
    print(f"site: {url}")


if __name__ == "__main__":
    main()
