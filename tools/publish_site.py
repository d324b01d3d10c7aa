"""Publishes the static site to its bucket with the configuration generated from Terraform outputs, then
invalidates the CDN. Needs boto3 (the deploy job installs it) and AWS credentials.

    python3 tools/publish_site.py --outputs build/outputs.json

Until the stack has a website (its Terraform module comes with the website issue) there is nothing to
publish: the script says so and succeeds, so the pipeline does not pretend a site was deployed.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def site_config(outputs: dict[str, Any]) -> str:
    config = {
        "ApiEndpoint": outputs["viewer_api"]["invoke_url"],
        "AdminApiEndpoint": outputs.get("admin_api", {}).get("invoke_url", ""),
        "UserPoolId": outputs["cognito"]["user_pool_id"],
        "UserPoolClientId": outputs["cognito"]["client_id"],
        "Region": outputs["cognito"]["user_pool_id"].split("_")[0],
    }
    return "window.appConfig = " + json.dumps(config, indent=2) + ";\n"


def publish(outputs: dict[str, Any]) -> None:
    import boto3

    site = outputs["site"]
    s3 = boto3.client("s3")
    files = sorted(p for p in (ROOT / "web").rglob("*") if p.is_file())
    for path in files:
        key = path.relative_to(ROOT / "web").as_posix()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        s3.put_object(Bucket=site["bucket"], Key=key, Body=path.read_bytes(), ContentType=content_type)
    s3.put_object(
        Bucket=site["bucket"],
        Key="config.js",
        Body=site_config(outputs).encode(),
        ContentType="text/javascript",
    )
    print(f"published {len(files) + 1} files to s3://{site['bucket']}")
    if site.get("distribution_id"):
        boto3.client("cloudfront").create_invalidation(
            DistributionId=site["distribution_id"],
            InvalidationBatch={
                "Paths": {"Quantity": 1, "Items": ["/*"]},
                "CallerReference": str(time.time()),
            },
        )
        print(f"invalidated CloudFront distribution {site['distribution_id']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--outputs", type=Path, required=True)
    args = parser.parse_args()
    outputs = {k: v["value"] for k, v in json.loads(args.outputs.read_text()).items()}
    if "site" not in outputs:
        print("This stack has no website yet (it comes with the website issue): nothing to publish.")
        return
    publish(outputs)


if __name__ == "__main__":
    main()
