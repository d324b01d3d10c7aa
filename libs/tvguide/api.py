"""What the product's REST APIs (preferences-api, admin-api) share: CORS, JSON errors, one preflight answer
for every path, and the shape of their OpenAPI documents."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

from tvguide.errors import Conflict, Forbidden, InvalidRequest, NotFound, UpstreamFailed
from tvguide.identity import NotSignedIn
from tvguide.observability import aws_calls, publish_aws_calls
from tvguide.watchmode import WatchmodeError

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


MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 20
MAX_INT_DIGITS = 30


class BodyRefused(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _depth(text: str) -> int:
    """The deepest nesting of objects and arrays in JSON text (strings skipped), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a number has more than {MAX_INT_DIGITS} digits")
    return int(digits)


def check_json_body(event: Any, max_bytes: int = MAX_BODY_BYTES) -> None:
    """Refuse, before any parsing a crafted body could break: a body that is not JSON by its content type
    (415), too large (413), nested too deep or with absurd numbers (400). Nothing is parsed or written
    when this raises."""
    if not isinstance(event, dict) or event.get("body") in (None, ""):
        return
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    content_type = headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise BodyRefused(415, f"Content-Type must be application/json, not {content_type or 'empty'}")
    body = str(event["body"])
    if event.get("isBase64Encoded"):
        raise BodyRefused(415, "a JSON body is sent as text, not base64")
    if len(body.encode()) > max_bytes:
        raise BodyRefused(413, f"the body is larger than {max_bytes} bytes")
    if _depth(body) > MAX_JSON_DEPTH:
        raise BodyRefused(400, f"Invalid request: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        json.loads(body, parse_int=_bounded_int, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise BodyRefused(400, f"Invalid request: body is not valid JSON ({exc})") from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def refused_response(event: Any, error: BodyRefused, cors_origins: Iterable[str]) -> dict[str, Any]:
    """A proxy response for a refused body, with the CORS headers the resolver would have added."""
    allowed = list(cors_origins) or ["*"]
    origin = {str(k).lower(): str(v) for k, v in ((event or {}).get("headers") or {}).items()}.get("origin")
    headers = {"Content-Type": "application/json"}
    if origin and (origin in allowed or "*" in allowed):
        headers |= {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {
        "statusCode": error.status,
        "headers": headers,
        "body": json.dumps({"message": str(error)}),
        "isBase64Encoded": False,
    }


# Each domain error's status (tvguide.errors), in the order they are matched.
ERROR_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (InvalidRequest, 400),
    (NotSignedIn, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (UpstreamFailed, 502),
    (WatchmodeError, 502),
)


def error_answer(error: Exception) -> tuple[int, dict[str, Any]]:
    """A domain error as (status, JSON body): the one mapping of errors to HTTP for both APIs."""
    status = next(code for kind, code in ERROR_STATUS if isinstance(error, kind))
    message = str(error)
    if isinstance(error, InvalidRequest):
        message = f"Invalid request: {error}"
    elif isinstance(error, WatchmodeError):
        message = f"Watchmode did not answer: {error}"
    body: dict[str, Any] = {"message": message}
    if isinstance(error, Conflict):
        body |= error.details
    return status, body


def answer_errors_as_json(app: Any, logger: Logger | None = None) -> None:
    """Validation errors as 400 naming the problem, every domain error with its status (`error_answer`),
    unknown routes as 404: JSON bodies (the resolver adds the CORS headers). 5xx answers are logged."""

    @app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
    def validation_failed(error: RequestValidationError) -> Response[str]:
        return invalid_request(error)

    @app.exception_handler([kind for kind, _ in ERROR_STATUS])  # type: ignore[untyped-decorator]
    def domain_error(error: Exception) -> Response[str]:
        status, body = error_answer(error)
        if status >= 500 and logger is not None:
            logger.error("dependency failed", extra={"error": str(error), "kind": type(error).__name__})
        return json_response(status, body)

    @app.not_found  # type: ignore[untyped-decorator]
    def not_found(_: Exception) -> Response[str]:
        event = app.current_event
        return json_response(404, {"message": f"No route for {event.http_method} {event.path}"})


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


def serve(
    app: Any,
    event: Any,
    context: Any,
    *,
    cors_origins: Iterable[str],
    logger: Logger,
    metrics: Metrics,
    secret_paths: tuple[str, ...] = (),
    large_bodies: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """What every API request goes through: the body checked before parsing, the resolver, one preflight
    answer for every path, one log line with the status (never the event), and the AWS calls it made as
    metrics. Under a `secret_paths` prefix, the rest of the path is a secret (a feed's token): logged as
    `*`. `large_bodies` allows a path (exactly) a larger body than MAX_BODY_BYTES (an uploaded file)."""
    aws_calls.take()  # count this request's calls only
    try:
        asked = str((event or {}).get("path") or "")
        check_json_body(event, (large_bodies or {}).get(asked, MAX_BODY_BYTES))
        response = answer_preflight(event, app.resolve(event, context))
    except BodyRefused as refused:
        response = refused_response(event, refused, cors_origins)
    method, path, status = (
        (event or {}).get("httpMethod"),
        (event or {}).get("path"),
        response.get("statusCode"),
    )
    for prefix in secret_paths:
        if isinstance(path, str) and path.startswith(prefix):
            path = prefix + "*"
    logger.info("request served", extra={"method": method, "path": path, "status": status})
    publish_aws_calls(metrics, method=method, path=path, status=status)
    return dict(response)
