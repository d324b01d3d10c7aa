"""The viewer API through the local API Gateway, with real Cognito tokens from the local user pool."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from stack_client import wait_for_pipeline


def _site_origin() -> str:
    """The site's origin on the stack under test: the APIs allow it first (their gateway errors carry it)."""
    path = Path(os.environ.get("TVGUIDE_STACK_FILE", ".local/test/stack.json"))
    return str(json.loads(path.read_text())["site"]["origin"]) if path.exists() else "http://localhost"


ORIGIN = _site_origin()


def sign_in(stack, email, password):
    result = stack.client("cognito-idp").initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=stack.info["cognito"]["client_id"],
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return result["AuthenticationResult"]["IdToken"]


@pytest.fixture(scope="module")
def viewer_token(stack):
    viewer = next(u for u in stack.info["users"] if u["role"] == "viewer")
    return sign_in(stack, viewer["email"], viewer["password"])


@pytest.fixture(scope="module")
def api(stack):
    base = stack.info["preferences_api"]["url"]

    def call(method, path, token=None, **kwargs):
        headers = {"Origin": ORIGIN} | kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = token
        return requests.request(method, base + path, headers=headers, timeout=30, **kwargs)

    return call


def all_pages(api, token, path):
    items, cursor = [], None
    while True:
        params = {"limit": "100"} | ({"cursor": cursor} if cursor else {})
        response = api("GET", path, token, params=params)
        assert response.status_code == 200, response.text
        items += response.json()
        cursor = response.headers.get("X-Next-Cursor")
        if not cursor:
            return items


def test_signed_in_routes_need_a_valid_token_and_errors_carry_cors(api, viewer_token):
    for token in (None, viewer_token[:-6] + "AAAAAA", "not-a-jwt"):
        response = api("GET", "/preferences", token)
        assert response.status_code == 401
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "message" in response.json()
    assert api("GET", "/preferences", viewer_token).status_code == 200
    assert api("GET", "/preferences", f"Bearer {viewer_token}").status_code == 200
    assert api("GET", "/sources").status_code == 200


def test_a_viewer_gets_exactly_the_titles_on_their_sources_and_genres(stack, api, viewer_token, catalogue):
    chosen = {"sources": ["203", "409"], "genres": ["4", "13"]}
    response = api("PUT", "/preferences", viewer_token, json=chosen)
    assert response.status_code == 200 and response.json()["message"] == "Preferences updated successfully"
    assert api("GET", "/preferences", viewer_token).json() == chosen
    # 203 x 13 was not wanted before: the next ingestion fetches it.
    consumed = stack.consumed_records()
    report = stack.invoke(stack.info["functions"]["ingestion"], {"job_id": "it-viewer-api"})
    wait_for_pipeline(
        stack, consumed + report["titles_published"] + report["removals_published"], seconds=300
    )
    titles = all_pages(api, viewer_token, "/titles")
    expected = {str(t.id) for t in catalogue.matching({203, 409}, {4, 13})}
    assert {t["id"] for t in titles} == expected and len(titles) == len(expected)
    for title in titles[:50]:
        real = catalogue.by_id[int(title["id"])]
        assert set(title["genre_ids"]) == {str(g) for g in real.genres}
        assert set(title["source_ids"]) <= {str(s) for s in real.source_ids}
        assert title["plot_overview"] == real.plot_overview and title["user_rating"] == real.user_rating


@pytest.mark.parametrize("sort", ["title", "rating", "year"])
def test_paging_through_the_whole_feed_in_every_order_shows_each_title_once_in_order(
    api, viewer_token, catalogue, sort
):
    """An odd page size, cursor after cursor: nothing missing, nothing twice, each page in order, and the
    count (sent with the last page) right."""
    from tvguide.feed.entries import by_rating, by_title, by_year

    prefs = api("GET", "/preferences", viewer_token).json()
    wanted = {int(s) for s in prefs["sources"]}, {int(g) for g in prefs["genres"]}
    expected = {str(t.id) for t in catalogue.matching(*wanted)}
    shown, cursor, pages = [], None, 0
    while True:
        params = {"limit": "37", "sort": sort} | ({"cursor": cursor} if cursor else {})
        response = api("GET", "/titles", viewer_token, params=params)
        assert response.status_code == 200, response.text
        shown += response.json()
        pages += 1
        cursor = response.headers.get("X-Next-Cursor")
        if not cursor:
            assert int(response.headers["X-Total-Count"]) == len(expected)
            break
        assert "X-Total-Count" not in response.headers
    assert (
        len(shown) == len({t["id"] for t in shown}) == len(expected) and {t["id"] for t in shown} == expected
    )
    assert pages == -(-len(expected) // 37)
    key = {
        "title": lambda t: by_title(t["title"], t["id"]),
        "rating": lambda t: by_rating(t["user_rating"], t["title"], t["id"]),
        "year": lambda t: by_year(t["year"], t["title"], t["id"]),
    }[sort]
    keys = [key(t) for t in shown]
    assert keys == sorted(keys)


def test_recommendations_obey_the_rule(api, viewer_token, catalogue):
    recommendations = all_pages(api, viewer_token, "/recommendations")
    prefs = api("GET", "/preferences", viewer_token).json()
    expected = [
        t
        for t in catalogue.matching({int(s) for s in prefs["sources"]}, {int(g) for g in prefs["genres"]})
        if t.user_rating is not None and t.user_rating > 7
    ]
    assert len(recommendations) == len(expected) > 0
    ratings = [t["user_rating"] for t in recommendations]
    assert all(r > 7 for r in ratings) and ratings == sorted(ratings, reverse=True)


def test_bad_input_is_a_400_and_changes_nothing(api, viewer_token):
    before = api("GET", "/preferences", viewer_token).json()
    for body in ("{nope", "[]", '{"sources": ["999999"]}', '{"genres": "4"}'):
        response = api(
            "PUT", "/preferences", viewer_token, data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, (body, response.text)
        assert response.json()["message"].startswith("Invalid request")
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert api("GET", "/preferences", viewer_token).json() == before


def test_hostile_bodies_and_cursors_get_4xx_through_the_gateway_never_a_502(api, viewer_token):
    """The hardening review's reproductions (each was a 502, or a 200 that wiped the preferences)."""
    before = api("GET", "/preferences", viewer_token).json()
    json_type = {"Content-Type": "application/json"}
    for body, headers, status in (
        ("[" * 5000 + "]" * 5000, json_type, 400),
        ('{"sources": [' + "9" * 5001 + "]}", json_type, 400),
        ('{"sources": [], "genres": []}', {"Content-Type": "multipart/form-data; boundary=x"}, 415),
    ):
        response = api("PUT", "/preferences", viewer_token, data=body, headers=headers)
        assert response.status_code == status, (body[:40], response.status_code, response.text[:200])
    cursor = api("GET", "/titles", viewer_token, params={"cursor": "eyJvIjogMWU5OTksICJxIjogIngifQ"})
    assert cursor.status_code == 400
    assert api("GET", "/preferences", viewer_token).json() == before


def test_a_second_allowed_origin_can_read_the_gateways_errors(api):
    """Reproduced: the gateway's errors carried only the first allowed origin."""
    second = "http://localhost:8080"  # environments/local.tfvars: a local development server
    response = api("GET", "/preferences", None, headers={"Origin": second})
    assert response.status_code == 401 and response.headers["Access-Control-Allow-Origin"] == second


def test_preflight_on_any_path(api):
    for path in ("/titles", "/sources", "/whatever/deep"):
        response = api("OPTIONS", path, headers={"Access-Control-Request-Method": "PUT"})
        assert response.status_code in (200, 204)
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert {"GET", "PUT", "POST", "OPTIONS"} <= set(
            response.headers["Access-Control-Allow-Methods"].split(",")
        )


def test_fuzzing_the_published_openapi_finds_no_server_error(stack):
    """Schema-driven fuzzing (valid and invalid inputs) as a throwaway user: never a 5xx."""
    cognito = stack.client("cognito-idp")
    pool = stack.info["cognito"]["user_pool_id"]
    email, password = f"fuzz-{uuid.uuid4().hex[:8]}@tvguide.local", "Fuzz-Local-2026!x"
    cognito.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    token = sign_in(stack, email, password)
    schema = schemathesis.openapi.from_path(str(Path("docs/openapi.json")))
    seen: dict[str, set[int]] = {}

    def fuzz(operation, mode):
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def exercise(case):
            response = case.call(
                base_url=stack.info["preferences_api"]["url"], headers={"Authorization": token}
            )
            seen.setdefault(operation.label, set()).add(response.status_code)
            assert response.status_code < 500, (case.method, case.path, case.query, case.body, response.text)

        try:
            exercise()
        except Unsatisfiable:
            assert mode == GenerationMode.NEGATIVE  # an operation with no inputs has nothing to get wrong

    for operation in (result.ok() for result in schema.get_all_operations()):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode)
    # sources, genres, preferences (2), titles, titles/status, titles/new, titles/leaving,
    # titles/leaving-soon, titles/coming-soon, recommendations, watchlist (3), search, notifications (4),
    # push (3), calendar (3), a calendar feed, household (12), watchlist imports and export (7)
    assert len(seen) == 45
    assert 400 in seen["PUT /preferences"] and 200 in seen["PUT /preferences"]
    cognito.admin_delete_user(UserPoolId=pool, Username=email)


def test_the_deploy_pipelines_smoke_test_passes_against_the_local_api(stack):
    import subprocess
    import sys

    url = stack.info["preferences_api"]["url"]
    result = subprocess.run(
        [sys.executable, "tools/smoke_test.py", "--url", url, "--origin", ORIGIN],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke test passed" in result.stdout
