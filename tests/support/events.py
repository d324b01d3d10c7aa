"""Builds Lambda events the way AWS's event source mappings shape them."""

from __future__ import annotations

import base64
from typing import Any

from boto3.dynamodb.types import TypeSerializer

_serializer = TypeSerializer()


def kinesis_record(data: bytes, sequence: int, partition_key: str = "k") -> dict[str, Any]:
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": str(sequence),
            "data": base64.b64encode(data).decode(),
            "approximateArrivalTimestamp": 1.7e9,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"shardId-000000000000:{sequence}",
        "eventName": "aws:kinesis:record",
        "eventSourceARN": "arn:aws:kinesis:eu-west-2:123456789012:stream/test",
        "awsRegion": "eu-west-2",
    }


def dynamodb_record(new_image: dict[str, Any], sequence: int, event_name: str = "MODIFY") -> dict[str, Any]:
    image = {k: _serializer.serialize(v) for k, v in new_image.items()}
    return {
        "eventID": str(sequence),
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-2",
        "dynamodb": {
            "Keys": {"pk": image["pk"], "sk": image["sk"]},
            "NewImage": image,
            "SequenceNumber": str(sequence),
            "SizeBytes": 100,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": "arn:aws:dynamodb:eu-west-2:123456789012:table/t/stream/2026",
    }


class FakeContext:
    function_name = "test-function"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:test-function"
    aws_request_id = "req-0001"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def api_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    query: dict[str, str] | None = None,
    sub: str | None = "viewer-sub",
    groups: str | None = None,
    origin: str = "http://localhost:8080",
    email_verified: bool = True,
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event as the Cognito user-pool authorizer passes it on (claims as
    strings: `email_verified` is "true" or "false")."""
    import json as _json

    claims = None
    if sub:
        claims = {"sub": sub, "email": f"{sub}@example.com", "email_verified": str(email_verified).lower()}
    if claims is not None and groups is not None:
        claims["cognito:groups"] = groups
    text = raw_body if raw_body is not None else (None if body is None else _json.dumps(body))
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Origin": origin, "Content-Type": "application/json"},
        "multiValueHeaders": {"Origin": [origin], "Content-Type": ["application/json"]},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": "req-api",
            "authorizer": {"claims": claims} if claims else None,
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": text,
        "isBase64Encoded": False,
    }


def aws_calls_published(output: str) -> list[dict[str, int]]:
    """The AWS calls each invocation published as metrics (EMF blobs on stdout), as {"dynamodb:Query": n}."""
    import json as _json

    found = []
    for line in output.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        blob = _json.loads(line)
        names = [m["Name"] for m in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]]
        calls = {
            name.replace(".", ":", 1): int(sum(blob[name]) if isinstance(blob[name], list) else blob[name])
            for name in names
            if "." in name
        }
        if calls:
            found.append(calls)
    return found
