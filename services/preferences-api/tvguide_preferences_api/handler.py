"""The viewer API (API Gateway REST, Lambda proxy) on Powertools' REST resolver with request validation.

Identity is the Cognito `sub` the gateway's user-pool authorizer puts in the request context; routes that
need it answer 401 without it. Every error is a JSON body with CORS headers.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from tvguide.api import (
    SECURITY,
    SECURITY_SCHEMES,
    answer_errors_as_json,
    cors_config,
    json_response,
    openapi_json,
    serve,
)
from tvguide.models import Id, Preferences
from tvguide.observability import METRICS_NAMESPACE, get_logger
from tvguide.runtime import settle_cold_start
from tvguide_preferences_api import (
    calendar_routes,
    discovery_routes,
    household_routes,
    import_routes,
    push_routes,
    watchlist_routes,
)
from tvguide_preferences_api.logic import (
    MAX_SELECTED,
    How,
    Sort,
    build_query,
    fetch_status,
    validate_preferences,
)
from tvguide_preferences_api.settings import preferences_api_settings as settings
from tvguide_preferences_api.wiring import (
    caller,
    crawl_states,
    finder,
    households,
    preferences,
    reference,
)

logger = get_logger("preferences-api")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="preferences-api")
settings()  # validated at cold start
app = APIGatewayRestResolver(
    enable_validation=True,
    cors=cors_config(settings().cors_allowed_origins, ["X-Next-Cursor", "X-Total-Count"]),
)


# --- models ---


class PreferencesBody(BaseModel):
    """Replace-all: a missing key means an empty list."""

    model_config = ConfigDict(extra="forbid")
    sources: list[Id] = Field(default_factory=list, max_length=MAX_SELECTED)
    genres: list[Id] = Field(default_factory=list, max_length=MAX_SELECTED)


class HouseholdServices(BaseModel):
    name: str = Field(description="your household's name: its services are yours")
    can_change_services: bool


class PreferencesView(BaseModel):
    sources: list[str]
    genres: list[str]
    household: HouseholdServices | None = Field(default=None, description="set when you are in a household")


class PreferencesUpdated(BaseModel):
    message: str
    preferences: PreferencesView


# --- errors ---


answer_errors_as_json(app, logger)  # tvguide.errors: each domain error with its status


def current_user() -> str:
    return caller(app).sub


# --- routes ---


@app.get("/sources")
def list_sources() -> list[dict[str, Any]]:
    """Active streaming sources in the configured regions (public)."""
    return [s.model_dump(mode="json", exclude={"active"}) for s in reference().sources.values()]


@app.get("/genres")
def list_genres() -> list[dict[str, Any]]:
    """All genres (public)."""
    return [g.model_dump(mode="json") for g in reference().genres.values()]


@app.get("/preferences", security=SECURITY, responses={200: {"description": "PreferencesView"}})
def get_preferences() -> Response[str]:
    """Your sources and genres; `household` (name, whether you can change them) when your services are your
    household's."""
    user = current_user()
    prefs = preferences().get(user)
    view = PreferencesView(sources=list(prefs.sources), genres=list(prefs.genres))
    home = households().household_of(user)
    if home is not None:
        member = home.member(user)
        view.household = HouseholdServices(
            name=home.name, can_change_services=bool(member and member.can_change_services)
        )
    return json_response(200, view.model_dump(exclude_none=True))


@app.put("/preferences", security=SECURITY)
def put_preferences(body: PreferencesBody) -> PreferencesUpdated:
    user = current_user()
    prefs = validate_preferences(
        Preferences(sources=tuple(body.sources), genres=tuple(body.genres)), reference()
    )
    if not household_routes.household_preferences(user, prefs):  # a member's services are shared
        preferences().put(user, prefs)
    logger.info("preferences updated", extra={"sources": len(prefs.sources), "genres": len(prefs.genres)})
    return PreferencesUpdated(
        message="Preferences updated successfully",
        preferences=PreferencesView(sources=list(prefs.sources), genres=list(prefs.genres)),
    )


SourceFilter = Annotated[str | None, Query(pattern=r"^\d{1,9}$", description="one of your source ids")]
GenreFilter = Annotated[str | None, Query(pattern=r"^\d{1,9}$", description="one of your genre ids")]
TypeFilter = Annotated[
    str | None,
    Query(pattern=r"^(movie|tv_series|tv_special|tv_miniseries|short_film)$", description="title type"),
]
HowFilter = Annotated[
    How,
    Query(
        description="how you can watch them: included (with a subscription), free, included_or_free, "
        "rent_or_buy, or any (default): each keeps your sources of that kind",
    ),
]
Limit = Annotated[int, Query(ge=1, le=100, description="page size (max 100)")]
Cursor = Annotated[str | None, Query(max_length=200, description="from the previous page's next_cursor")]


def _titles(recommendations: bool, **filters: Any) -> Response[str]:
    cursor = filters.pop("cursor")
    prefs = preferences().get(current_user())
    query = build_query(prefs, reference(), recommendations=recommendations, **filters)
    page = finder().find(query, cursor)
    # The read path's cost, beside the AWS calls in the same metrics blob (the bench reads it).
    metrics.add_metric(name="FeedEntriesRead", unit=MetricUnit.Count, value=page.entries_read)
    metrics.add_metric(name="ItemsRead", unit=MetricUnit.Count, value=page.items_read)
    metrics.add_metric(name="FeedHeadsRebuilt", unit=MetricUnit.Count, value=page.heads_rebuilt)
    headers = {}
    if page.total is not None:
        headers["X-Total-Count"] = str(page.total)  # exact: this is the last page
    if page.next_cursor:
        headers["X-Next-Cursor"] = page.next_cursor
    return Response(
        status_code=200, content_type="application/json", body=json.dumps(page.items), headers=headers
    )


@app.get("/titles", security=SECURITY)
def list_titles(  # noqa: PLR0917 (one parameter per query string field)
    source: SourceFilter = None,
    genre: GenreFilter = None,
    type: TypeFilter = None,
    sort: Annotated[Sort, Query(description="title (default), rating or year")] = "title",
    limit: Limit = 50,
    cursor: Cursor = None,
    how: HowFilter = "any",
) -> Response[str]:
    """Titles on your sources and in your genres (any genre when you chose none).

    The page is a JSON array; `X-Next-Cursor` carries the cursor of the next page; on the last page,
    `X-Total-Count` says how many titles match (it is not sent before: the count is not stored).
    """
    return _titles(
        False, source=source, genre=genre, title_type=type, sort=sort, limit=limit, cursor=cursor, how=how
    )


class FetchStatus(BaseModel):
    fetching: list[str] = Field(description="your sources whose titles are being fetched right now")
    failing: list[str] = Field(description="your sources whose last fetch failed (retried hourly)")
    ready: bool = Field(description="every title your preferences call for has been fetched")


@app.get("/titles/status", security=SECURITY)
def titles_status() -> FetchStatus:
    """Whether the titles your preferences call for are all fetched (new sources are fetched within
    seconds of saving them)."""
    prefs = preferences().get(current_user())
    return FetchStatus.model_validate(fetch_status(prefs, crawl_states().all(), reference()))


@app.get("/recommendations", security=SECURITY)
def list_recommendations(  # noqa: PLR0917 (one parameter per query string field)
    source: SourceFilter = None,
    genre: GenreFilter = None,
    type: TypeFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    how: HowFilter = "any",
) -> Response[str]:
    """Your titles rated above 7/10, best first."""
    return _titles(
        True, source=source, genre=genre, title_type=type, sort=None, limit=limit, cursor=cursor, how=how
    )


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document, generated from the routes and models above (published in docs/)."""
    schema = app.get_openapi_schema(
        title="UK TV Guide viewer API",
        version="1.0.0",
        summary="Sources, genres, a viewer's preferences, and the titles and recommendations they call for.",
        security_schemes=SECURITY_SCHEMES,
    )
    return openapi_json(schema, {"401": "Missing or invalid token"})


app.include_router(watchlist_routes.router)
app.include_router(discovery_routes.router)
app.include_router(calendar_routes.router)
app.include_router(push_routes.router)
app.include_router(household_routes.router)
app.include_router(import_routes.router)


# --- entry point ---


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(
        app,
        event,
        context,
        cors_origins=settings().cors_allowed_origins,
        logger=logger,
        metrics=metrics,
        secret_paths=(calendar_routes.FEED_PREFIX,),
        large_bodies={import_routes.IMPORT_PATH: import_routes.MAX_IMPORT_BYTES},
    )


settle_cold_start()  # last: what the cold start made is out of the garbage collector's walks
