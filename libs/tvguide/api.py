"""What the product's REST APIs (preferences-api, admin-api) share: CORS, JSON errors, one preflight answer
for every path, and the shape of their OpenAPI documents."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

PREFLIGHT_METHODS = "GET,PUT,POST,DELETE,OPTIONS"
SECURITY: list[dict[str, list[str]]] = [{"cognito": []}]  # an operation's `security`: the ID token
SECURITY_SCHEMES: dict[str, Any] = {
    "cognito": APIKey.model_validate(
        {"name": "Authorization", "in": APIKeyIn.header, "description": "Cognito ID token (raw or Bearer)"}
    )
}


def cors_config(origins: Iterable[str], expose_headers: list[str]) -> CORSConfig:
    allowed = list(origins) or ["*"]
    return CORSConfig(
        allow_origin=allowed[0],
        extra_origins=allowed[1:],
        allow_headers=["Content-Type", "Authorization"],
        expose_headers=expose_headers,
        max_age=600,
    )


def json_response(
    status: int, body: Mapping[str, Any], headers: dict[str, str] | None = None
) -> Response[str]:
    return Response(
        status_code=status, content_type="application/json", body=json.dumps(dict(body)), headers=headers
    )


def invalid_request(error: RequestValidationError) -> Response[str]:
    """400 naming each invalid field (the APIs answer validation errors with 400, not 422)."""
    details = [
        {"location": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
        for e in error.errors()
    ]
    summary = "; ".join(f"{d['location']}: {d['message']}" for d in details[:5])
    return json_response(400, {"message": f"Invalid request: {summary}", "errors": details})


def answer_preflight(event: Any, response: dict[str, Any]) -> dict[str, Any]:
    """One preflight answer for every path, as the original site's clients expect."""
    if (event or {}).get("httpMethod") == "OPTIONS":
        for headers in (response.get("headers") or {}, response.get("multiValueHeaders") or {}):
            if "Access-Control-Allow-Methods" in headers:
                value = headers["Access-Control-Allow-Methods"]
                headers["Access-Control-Allow-Methods"] = (
                    [PREFLIGHT_METHODS] if isinstance(value, list) else PREFLIGHT_METHODS
                )
    return response


def openapi_json(schema: Any, extra_responses: Mapping[str, str]) -> dict[str, Any]:
    """The generated document with validation errors as 400 and the given responses on every operation."""
    document: dict[str, Any] = json.loads(schema.model_dump_json(by_alias=True, exclude_none=True))
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # validation errors are answered with 400 (invalid_request)
            responses["400"] = {"description": "Invalid request"}
            if operation.get("security"):
                for status, description in extra_responses.items():
                    responses[status] = {"description": description}
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ResponseValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document
