"""Bad input gets a 400 (or 413/415), never a 502, and loses nothing: the reproductions of the hardening
review, against the viewer API's handler."""

import json

import pytest

from tests.support.events import FakeContext, api_event
from tests.unit.test_preferences_api import call
from tvguide_preferences_api import handler as api


@pytest.mark.parametrize(
    ("raw", "status", "fragment"),
    [
        ("[" * 5000 + "]" * 5000, 400, "nested deeper"),  # was a 502 (RecursionError)
        ('{"sources": [' + "9" * 5001 + "]}", 400, "digits"),  # was a 502 (int conversion limit)
        ('{"sources": [NaN]}', 400, "not a JSON number"),
        ('{"sources": ["203"], "pad": "' + "x" * 70_000 + '"}', 413, "larger than"),
    ],
)
def test_hostile_bodies_are_refused_before_parsing_and_nothing_is_written(api_env, raw, status, fragment):
    call("PUT", "/preferences", body={"sources": ["203"], "genres": ["4"]})
    code, body, headers = call("PUT", "/preferences", raw_body=raw)
    assert code == status and fragment in body["message"], body
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:8080"
    assert call("GET", "/preferences")[1] == {"sources": ["203"], "genres": ["4"]}


def test_a_body_that_is_not_declared_json_is_a_415_and_wipes_nothing(api_env):
    """Reproduced: multipart/form-data with a JSON body answered 200 and wiped the preferences."""
    call("PUT", "/preferences", body={"sources": ["203"], "genres": ["4"]})
    event = api_event("PUT", "/preferences", body={"sources": [], "genres": []})
    event["headers"]["Content-Type"] = "multipart/form-data; boundary=x"
    event["multiValueHeaders"]["Content-Type"] = ["multipart/form-data; boundary=x"]
    response = api.lambda_handler(event, FakeContext())
    assert response["statusCode"] == 415 and "application/json" in json.loads(response["body"])["message"]
    assert call("GET", "/preferences")[1] == {"sources": ["203"], "genres": ["4"]}


@pytest.mark.parametrize("cursor", ["eyJvIjogMWU5OTksICJxIjogIngifQ", "eyJvIjogdHJ1ZSwgInEiOiAieCJ9", "%%%"])
def test_a_crafted_cursor_is_a_400(api_env, cursor):
    """eyJvIjogMWU5OTksICJxIjogIngifQ is {"o": 1e999, "q": "x"}: it was a 502 (OverflowError)."""
    call("PUT", "/preferences", body={"sources": ["203"], "genres": ["4"]})
    status, body, _ = call("GET", "/titles", query={"cursor": cursor})
    assert status == 400 and "cursor" in body["message"]


def test_an_access_token_does_not_identify_a_viewer(api_env):
    event = api_event("GET", "/preferences")
    event["requestContext"]["authorizer"]["claims"]["token_use"] = "access"
    response = api.lambda_handler(event, FakeContext())
    assert response["statusCode"] == 401


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        ("invalid", 400, "Invalid request: no such sort"),
        ("not_signed_in", 401, "no token"),
        ("forbidden", 403, "not yours"),
        ("not_found", 404, "No job 7"),
        ("conflict", 409, "already running"),
        ("upstream", 502, "could not invoke"),
        ("watchmode", 502, "Watchmode did not answer: 503"),
    ],
)
def test_every_domain_error_is_answered_with_its_status_in_one_place(error, status, message):
    """Issue 20: three styles mapped errors to HTTP (resolver handlers, inline try/except, inline 404s).
    Logic raises domain errors (`tvguide.errors`); `tvguide.api` maps them, for both APIs."""
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    from tvguide.api import answer_errors_as_json
    from tvguide.errors import Conflict, Forbidden, InvalidRequest, NotFound, UpstreamFailed
    from tvguide.identity import NotSignedIn
    from tvguide.watchmode import WatchmodeServerError

    errors = {
        "invalid": InvalidRequest("no such sort"),
        "not_signed_in": NotSignedIn("no token"),
        "forbidden": Forbidden("not yours"),
        "not_found": NotFound("No job 7"),
        "conflict": Conflict("a job is already running", {"job_id": "j-1"}),
        "upstream": UpstreamFailed("could not invoke"),
        "watchmode": WatchmodeServerError("503", 503),
    }
    app = APIGatewayRestResolver()
    answer_errors_as_json(app)

    @app.get("/fail")
    def fail() -> None:
        raise errors[error]

    response = app.resolve(api_event("GET", "/fail"), FakeContext())
    body = json.loads(response["body"])
    assert response["statusCode"] == status and message in body["message"]
    if error == "conflict":
        assert body["job_id"] == "j-1"
