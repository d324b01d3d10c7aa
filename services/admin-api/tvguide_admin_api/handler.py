"""The admin API (API Gateway REST, Lambda proxy) on Powertools' REST resolver.

Every route requires the caller to be in the admin group (`SecurityAdmins`), checked here on the server by
one middleware that runs before every route: 401 without a signed-in caller, 403 JSON for anyone else.
Every action is recorded (who, what, when, the job). The same function also runs the summary job when
invoked asynchronously with `{"admin_job": "summary", "job_id": ...}`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from tvguide.api import (
    SECURITY,
    SECURITY_SCHEMES,
    answer_errors_as_json,
    cors_config,
    error_answer,
    json_response,
    openapi_json,
    serve,
)
from tvguide.aws_session import new_client
from tvguide.errors import Forbidden, NotFound
from tvguide.identity import Caller, NotSignedIn, caller_from_claims
from tvguide.job_runner import JobEvent, JobReport, run_job
from tvguide.jobs import Job, JobKind
from tvguide.models import utc_now
from tvguide.observability import METRICS_NAMESPACE, aws_calls, get_logger
from tvguide.runtime import (
    credit_ledger,
    job_repository,
    new_dynamodb_resource,
    settle_cold_start,
    watchmode_client,
)
from tvguide_admin_api.cloud import (
    CloudWatchLogs,
    CloudWatchMetrics,
    KinesisTitleStream,
    LambdaInvoker,
    SqsQueues,
)
from tvguide_admin_api.dead_letters import Redriver, dead_letter_report
from tvguide_admin_api.logic import (
    SHORT_JOB,
    JobLauncher,
    cancel,
    function_health,
    product_function,
    queue_view,
    read_logs,
    summarise,
    summary_view,
)
from tvguide_admin_api.settings import admin_settings
from tvguide_admin_api.store import AdminStore

logger = get_logger("admin-api")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="admin-api")
admin_settings()  # validated at cold start
app = APIGatewayRestResolver(
    enable_validation=True, cors=cors_config(admin_settings().cors_allowed_origins, [])
)


# --- adapters (once per container) ---------------------------------------------------------------------


@cache
def store() -> AdminStore:
    return AdminStore(admin_settings().table_name, resource_factory=new_dynamodb_resource)


def _client(service: str) -> Any:
    return aws_calls.attach(new_client(service))


@cache
def launcher() -> JobLauncher:
    config = admin_settings()
    return JobLauncher(
        job_repository(admin_settings().table_name),
        LambdaInvoker(_client("lambda")),
        config.functions,
        config.job_timeout,
    )


@cache
def redriver() -> Redriver:
    config = admin_settings()
    return Redriver(
        config.dlq_urls,
        SqsQueues(_client("sqs")),
        KinesisTitleStream(_client("kinesis"), config.title_stream_name),
        launcher(),
        LambdaInvoker(_client("lambda")),
        config.functions,
    )


def arn_prefix() -> str:
    """`arn:<partition>:lambda:<region>:<account>:function:` of this function, shared by its siblings."""
    own = app.lambda_context.invoked_function_arn
    return own.split(":function:", 1)[0] + ":function:"


# --- errors --------------------------------------------------------------------------------------------


answer_errors_as_json(app, logger)  # tvguide.errors: each domain error with its status


# --- authorization: one middleware before every route --------------------------------------------------


def current_caller() -> Caller:
    caller: Caller = app.context["caller"]
    return caller


def require_admin(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """401 without a signed-in caller; 403 unless the caller is in the admin group. CORS preflight
    carries no token and is answered by the resolver for every path."""
    if app.current_event.http_method == "OPTIONS":
        return next_middleware(app)
    try:
        caller = caller_from_claims(app.current_event.request_context.authorizer.claims)
    except NotSignedIn as exc:
        return json_response(*error_answer(exc))
    group = admin_settings().admin_group
    if not caller.in_group(group):
        logger.warning("admin route refused", extra={"sub": caller.sub, "path": app.current_event.path})
        return json_response(*error_answer(Forbidden(f"Admins only: membership of {group} is required")))
    app.append_context(caller=caller)  # type: ignore[no-untyped-call]
    return next_middleware(app)


app.use(middlewares=[require_admin])


def audit(action: str, job: Job | None = None, detail: str | None = None) -> None:
    caller = current_caller()
    store().record_action(caller.audit(), action, job_id=job.job_id if job else None, detail=detail)
    logger.info(
        "admin action",
        extra={"action": action, "sub": caller.sub, "job_id": job.job_id if job else None, "detail": detail},
    )


# --- jobs ----------------------------------------------------------------------------------------------


class JobStarted(BaseModel):
    message: str
    job_id: str
    job: dict[str, Any]


def _start(kind: JobKind, message: str) -> Response[str]:
    job = launcher().launch(kind, current_caller().audit())
    audit(f"start {kind.value}", job)
    body = JobStarted(message=message, job_id=job.job_id, job=job.view())
    return json_response(202, body.model_dump(mode="json"))


JOB_ROUTES: list[tuple[str, tuple[str, ...], JobKind, str]] = [
    (
        "/admin/reference/refresh",
        ("/admin/data/reference/refresh",),
        JobKind.REFERENCE_REFRESH,
        "Reference data refresh started: sources and genres are being reloaded from Watchmode.",
    ),
    (
        "/admin/titles/refresh",
        ("/admin/data/titles/refresh",),
        JobKind.TITLES_REFRESH,
        "Titles refresh started: ingestion, storage and enrichment report their progress on the job.",
    ),
    (
        "/admin/titles/enrich",
        ("/admin/data/titles/enrich",),
        JobKind.TITLES_ENRICH,
        "Enrichment started for every title that still needs it.",
    ),
    (
        "/admin/feed/rebuild",
        (),
        JobKind.FEED_REBUILD,
        "Feed rebuild started: every availability row is being mirrored into the viewers' feed index.",
    ),
    (
        "/admin/dynamodb/summary",
        ("/admin/system/dynamodb/summary",),
        JobKind.SUMMARY,
        "Full summary started: every item of the table is being counted by kind.",
    ),
]


def _job_route(kind: JobKind, message: str) -> Callable[[], Response[str]]:
    def start() -> Response[str]:
        return _start(kind, message)

    start.__name__ = f"start_{kind.value}"
    start.__doc__ = f"Start a {kind.value} job (202 with its id; 409 with the running job's id)."
    return start


JOB_RESPONSES: dict[int, Any] = {
    202: {"description": "Started: `message`, `job_id` and the queued `job`"},
    409: {"description": "A job of this kind is running: `job_id` names it"},
    502: {"description": "The job's function could not be invoked; the job is recorded failed"},
}
for _path, _aliases, _kind, _message in JOB_ROUTES:
    _handler = _job_route(_kind, _message)
    app.post(_path, security=SECURITY, responses=JOB_RESPONSES)(_handler)
    for _alias in _aliases:
        app.post(
            _alias,
            security=SECURITY,
            responses=JOB_RESPONSES,
            deprecated=True,
            operation_id=f"alias_{_kind.value}",
        )(_handler)


class JobList(BaseModel):
    jobs: list[dict[str, Any]]
    next_cursor: str | None


@app.get("/admin/jobs", security=SECURITY)
def list_jobs(
    limit: Annotated[int, Query(ge=1, le=100, description="page size")] = 20,
    cursor: Annotated[
        str | None, Query(max_length=200, description="the previous page's next_cursor")
    ] = None,
) -> JobList:
    """Jobs, newest first (scheduled runs included)."""
    jobs, next_cursor = job_repository(admin_settings().table_name).list(limit=limit, before=cursor)
    return JobList(jobs=[j.view() for j in jobs], next_cursor=next_cursor)


@app.get("/admin/jobs/<job_id>", security=SECURITY)
def get_job(job_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,100}$")]) -> Response[str]:
    """One job: its state, requester, timestamps, progress counters and error."""
    job = job_repository(admin_settings().table_name).get(job_id)
    if job is None:
        raise NotFound(f"No job {job_id}")
    return json_response(200, job.view())


@app.post("/admin/jobs/<job_id>/cancel", security=SECURITY)
def cancel_job(job_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,100}$")]) -> Response[str]:
    """Cancel a queued or running job: it ends failed and its kind's lock is released at once."""
    who = current_caller().name
    cancelled = cancel(job_repository(admin_settings().table_name), job_id, who)
    audit("cancel job", cancelled)
    return json_response(200, {"message": f"Job {job_id} cancelled", "job": cancelled.view()})


# --- system health -------------------------------------------------------------------------------------


@app.get("/admin/dynamodb/summary", security=SECURITY)
@app.get(
    "/admin/system/dynamodb/summary", security=SECURITY, deprecated=True, operation_id="alias_get_summary"
)
def dynamodb_summary() -> dict[str, Any]:
    """The table (item count and size as DynamoDB reports them, refreshed by AWS about every six hours)
    and counts by kind from the latest full summary, with its time."""
    table, credits = store(), credit_ledger(admin_settings()).state().as_dict()
    return summary_view(table.describe(), table.latest_summary(), table.sources_not_refreshed(), credits)


@app.get("/admin/enrichment/queue", security=SECURITY)
def enrichment_queue() -> dict[str, Any]:
    """The enrichment queue: next in line, how many wait and failed, its worker, the month's credits."""
    return queue_view(store().enrichment_queue(), credit_ledger(admin_settings()).state().as_dict())


@app.get("/admin/system/lambdas", security=SECURITY)
def system_lambdas() -> dict[str, Any]:
    """Every product function with invocations, errors, successes, throttles and p95 duration for the
    last hour and the last 24 hours (CloudWatch, one GetMetricData call)."""
    metrics = CloudWatchMetrics(_client("cloudwatch"))
    rows = function_health(admin_settings().functions, arn_prefix(), metrics, utc_now())
    return {"lambdas": rows, "period_seconds": 300}


class LogsRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    function_arn: Any = None


@app.post("/admin/system/lambdas/logs", security=SECURITY)
def function_logs(body: LogsRequest) -> dict[str, Any]:
    """The newest log events of one of the product's functions (bounded, secrets redacted)."""
    name = product_function(admin_settings().functions, arn_prefix(), body.function_arn)
    audit("read logs", detail=name)
    return read_logs(CloudWatchLogs(_client("logs")), name)


@app.get("/admin/dead-letters", security=SECURITY)
def dead_letters() -> dict[str, Any]:
    """Per dead-letter queue: message counts and the newest few messages with their reasons."""
    return {"queues": dead_letter_report(admin_settings().dlq_urls, SqsQueues(_client("sqs")))}


@app.post("/admin/dead-letters/<queue>/redrive", security=SECURITY)
def redrive(queue: Annotated[str, Path(pattern=r"^[a-z-]{1,40}$")]) -> dict[str, Any]:
    """Put a queue's dead letters back through the pipeline (at most 100 per call)."""
    result = redriver().redrive(queue, current_caller())
    audit(f"redrive {queue}", detail=f"{result['redriven']} redriven, {result['kept']} kept")
    return result


@app.get("/admin/watchmode/quota", security=SECURITY)
def watchmode_quota() -> dict[str, Any]:
    """Watchmode credits used and left this month on the account (the status endpoint costs nothing), and
    the product's own monthly credit budget: what each caller spent of it."""
    status = watchmode_client("control", admin_settings()).status()
    quota, used = status.get("quota"), status.get("quotaUsed")
    left = int(quota) - int(used) if isinstance(quota, int) and isinstance(used, int) else None
    budget = credit_ledger(admin_settings()).state().as_dict()
    return {"credits_quota": quota, "credits_used": used, "credits_left": left, "budget": budget}


@app.get("/admin/audit", security=SECURITY)
def audit_trail(limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    """This month's admin actions, newest first."""
    return {"actions": store().recent_actions(limit)}


# --- the summary job -----------------------------------------------------------------------------------


def summary_job(job: Job, _: JobEvent) -> JobReport:
    counts = summarise(store().every_item_key())
    store().save_summary(counts, job.job_id)
    logger.info("summary generated", extra={"counts": counts})
    return JobReport(result={"titles": counts["titles"]["total"]})


def openapi_document() -> dict[str, Any]:
    """The admin API's OpenAPI document, generated from the routes and models above (docs/)."""
    schema = app.get_openapi_schema(
        title="UK TV Guide admin API",
        version="1.0.0",
        summary="Jobs, system health, logs, dead letters and Watchmode credits; SecurityAdmins only.",
        security_schemes=SECURITY_SCHEMES,
    )
    return openapi_json(schema, {"401": "Missing or invalid token", "403": "Not a member of SecurityAdmins"})


# --- entry point ---------------------------------------------------------------------------------------


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if isinstance(event, dict) and event.get("admin_job") == JobKind.SUMMARY.value:
        jobs, kind = job_repository(admin_settings().table_name), JobKind.SUMMARY
        return run_job(event, kind, jobs, summary_job, timeout=SHORT_JOB, logger=logger, context=context)
    return serve(
        app,
        event,
        context,
        cors_origins=admin_settings().cors_allowed_origins,
        logger=logger,
        metrics=metrics,
    )


settle_cold_start()  # last: what the cold start made is out of the garbage collector's walks
