"""The fake Watchmode HTTP server (stdlib only), for tests, benchmarks and the local stack.

Real routes under `/v1/`; control routes under `/_fake/`:
- `GET /_fake/stats` — calls and credits per endpoint, 429s served; `POST /_fake/reset` zeroes them and
  clears faults.
- `POST /_fake/faults` — body `{"status": 429|402|500|503, "count": N, "path": "/v1/title/",
  "retry_after": S}` or `{"kind": "slow", "delay": S, ...}` or `{"kind": "malformed", ...}`; `DELETE` clears.
- `POST /_fake/config` — `{"rate_limit_per_minute": N, "account_quota": N}`.
- `POST /_fake/availability` — `{"title_id": N, "source_id": N, "available": true|false}` puts a title on a
  source or takes it off (the next crawl sees it); `GET /_fake/availability` lists the changes made, in order.
- `POST /_fake/config` also takes `{"plan": "free"|"paid", "today": "YYYY-MM-DD"|null}`: leaving dates'
  preview limit, and the fake's date; `POST /_fake/departures` — `{"title_id": N, "source_id": N,
  "leaving_date": "YYYY-MM-DD"|null}` moves (or cancels) a departure, `"restore": true` undoes that.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fake_watchmode.catalogue import SORTS, Catalogue, sort_titles
from fake_watchmode.departures import LeavingError, move_departure
from fake_watchmode.images import logo_svg, poster_svg
from fake_watchmode.offers import title_offers
from fake_watchmode.releases import calendar_answer
from fake_watchmode.search import SEARCH_FIELDS, search_titles
from fake_watchmode.state import FakeState, Fault

__all__ = ["FakeServer", "FakeState", "Fault", "make_server"]

REGION_GB = {"country": "GB", "name": "United Kingdom", "flag": "", "data_tier": 1, "plan_enabled": True}
VALID_TYPES = {"movie", "tv_series", "tv_special", "tv_miniseries", "short_film"}


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _one(query: dict[str, list[str]], name: str, default: str | None = None) -> str | None:
    values = query.get(name)
    return values[-1] if values else default


def _int_param(query: dict[str, list[str]], name: str, default: int, lo: int, hi: int) -> int:
    raw = _one(query, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid {name} parameter.") from None
    if not lo <= value <= hi:
        raise ApiError(400, f"The {name} parameter must be between {lo} and {hi}.")
    return value


def _int_set(query: dict[str, list[str]], name: str) -> set[int]:
    raw = _one(query, name)
    if not raw:
        return set()
    try:
        return {int(p) for p in raw.split(",") if p.strip()}
    except ValueError:
        raise ApiError(400, f"Invalid {name} parameter.") from None


class Handler(BaseHTTPRequestHandler):
    server: FakeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet by default
        if self.server.verbose:
            super().log_message(format, *args)

    # --- plumbing --------------------------------------------------------------------------------------

    def _send(
        self, status: int, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None
    ) -> None:
        payload = raw if raw is not None else json.dumps(body).encode()
        self.send_response(status)
        content_type = (
            "image/svg+xml" if raw is not None and payload.startswith(b"<svg") else "application/json"
        )
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, {"success": False, "statusCode": status, "statusMessage": message}, headers)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}") if length else {}

    # --- verbs -----------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        state = self.server.state
        if url.path == "/_fake/stats":
            return self._send(200, state.stats())
        if url.path == "/_fake/health":
            return self._send(200, {"ok": True})
        if url.path == "/_fake/availability":
            with state.lock:
                return self._send(200, {"changes": list(state.availability_changes)})
        match = re.fullmatch(r"/posters/(\d+)\.svg", url.path)
        if match:
            return self._send(200, None, raw=poster_svg(int(match.group(1))))
        match = re.fullmatch(r"/logos/(\d+)\.svg", url.path)
        if match:
            return self._send(200, None, raw=logo_svg(int(match.group(1))))
        if not url.path.startswith("/v1/"):
            return self._error(404, "Not found.")
        self._serve_api(url.path, query)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        state = self.server.state
        try:
            body = self._body()
        except ValueError:
            return self._error(400, "Body is not JSON.")
        if url.path == "/_fake/reset":
            state.reset()
            return self._send(200, {"ok": True})
        if url.path == "/_fake/config":
            with state.lock:
                if "rate_limit_per_minute" in body:
                    state.rate_limit_per_minute = int(body["rate_limit_per_minute"])
                if "account_quota" in body:
                    state.account_quota = int(body["account_quota"])
                if body.get("plan") in ("free", "paid"):
                    state.plan = body["plan"]
                if "today" in body:
                    state.today = date.fromisoformat(body["today"]) if body["today"] else None
            return self._send(200, state.stats())
        if url.path == "/_fake/departures":
            return self._move_departure(body)
        if url.path == "/_fake/availability":
            return self._set_availability(body)
        if url.path == "/_fake/faults":
            kind = body.get("kind") or "status"
            fault = Fault(
                kind=kind,
                count=int(body.get("count", 1)),
                path=str(body.get("path", "")),
                status=int(body.get("status", 500)),
                retry_after=body.get("retry_after"),
                delay=float(body.get("delay", 0)),
            )
            with state.lock:
                state.faults.append(fault)
            return self._send(200, {"ok": True, "faults": len(state.faults)})
        self._error(404, "Not found.")

    def _set_availability(self, body: Any) -> None:
        state = self.server.state
        try:
            title_id, source_id = int(body["title_id"]), int(body["source_id"])
            available = bool(body["available"])
        except (KeyError, TypeError, ValueError):
            return self._error(400, 'Body must be {"title_id": N, "source_id": N, "available": true|false}.')
        with state.lock:
            try:
                title = state.catalogue.set_availability(title_id, source_id, available)
            except KeyError as exc:
                return self._error(404, str(exc.args[0]))
            change = {"title_id": title_id, "source_id": source_id, "available": available}
            state.availability_changes.append(change)
        self._send(200, {"title_id": title.id, "source_ids": title.source_ids})

    def _move_departure(self, body: Any) -> None:
        try:
            with self.server.state.lock:
                self._send(200, move_departure(self.server.state.moved_departures, body))
        except (KeyError, TypeError, ValueError):
            self._error(400, 'Body must be {"title_id": N, "source_id": N, "leaving_date": "YYYY-MM-DD"}.')

    def do_DELETE(self) -> None:
        if urlsplit(self.path).path == "/_fake/faults":
            with self.server.state.lock:
                self.server.state.faults.clear()
            return self._send(200, {"ok": True})
        self._error(404, "Not found.")

    # --- the API ---------------------------------------------------------------------------------------

    def _serve_api(self, path: str, query: dict[str, list[str]]) -> None:
        state = self.server.state
        key = self.headers.get("X-API-Key") or _one(query, "apiKey")
        auth = self.headers.get("Authorization") or ""
        if not key and auth.lower().startswith("bearer "):
            key = auth[7:].strip()
        if key != state.api_key:
            return self._error(401, "The API key is invalid.")
        admitted, remaining, retry_after = state.admit()
        headers = {
            "X-RateLimit-Limit": str(state.rate_limit_per_minute),
            "X-RateLimit-Remaining": str(remaining),
            "X-Account-Quota": str(state.account_quota),
            "X-Account-Quota-Used": str(state.credits_used),
        }
        if not admitted:
            headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
            return self._error(429, "Too many requests.", headers)
        fault = state.take_fault(path)
        if fault and fault.kind == "slow":
            time.sleep(fault.delay)
        elif fault and fault.kind == "malformed":
            return self._send(200, None, headers, raw=b'{"titles": [ {"id": 1, "tit')
        elif fault:
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            messages = {402: "Over plan quota.", 429: "Too many requests."}
            return self._error(fault.status, messages.get(fault.status, "Server error."), headers)
        endpoint = path[len("/v1/") :]
        try:
            name, credits, body = self._route(endpoint, query)
        except ApiError as exc:
            return self._error(exc.status, exc.message, headers)
        with state.lock:
            if credits and state.credits_used + credits > state.account_quota:
                return self._error(402, "Over plan quota.", headers)
            state.calls[name] += 1
            state.credits[name] += credits
            now = time.time()
            state.first_call.setdefault(name, now)
            state.last_call[name] = now
            state.credits_used += credits
            headers["X-Account-Quota-Used"] = str(state.credits_used)
        self._send(200, body, headers)

    def _route(self, endpoint: str, query: dict[str, list[str]]) -> tuple[str, int, Any]:
        cat = self.server.state.catalogue
        regions = {r.strip().upper() for r in (_one(query, "regions") or "GB").split(",")}
        if endpoint == "sources/":
            types = set((_one(query, "types") or "").split(",")) - {""}
            base = self.server.public_url
            rows = [
                s | {"logo_100px": f"{base}/logos/{s['id']}.svg"}
                for s in cat.sources
                if "GB" in regions and (not types or s["type"] in types)
            ]
            return "sources", 1, rows
        if endpoint == "genres/":
            return "genres", 1, cat.genres
        if endpoint == "regions/":
            return "regions", 1, [REGION_GB]
        if endpoint == "status/":
            state = self.server.state
            return "status", 0, {"quota": state.account_quota, "quotaUsed": state.credits_used}
        if endpoint == "list-titles/":
            return "list-titles", 1, self._list_titles(query, regions)
        if endpoint == "search/":
            return "search", 1, self._search(query)
        if endpoint in ("title-leaving-dates/", "releases/"):
            return self._calendar(endpoint, query)
        match = re.fullmatch(r"title/(\d+)/(details|sources)/", endpoint)
        if match:
            title = cat.by_id.get(int(match.group(1)))
            if title is None:
                raise ApiError(404, "Title not found.")
            if match.group(2) == "sources":
                return "title-sources", 1, self._title_sources(title, regions)
            details = title.details(self.server.public_url)
            extra = [p for p in (_one(query, "append_to_response") or "").split(",") if p]
            if "sources" in extra:
                details["sources"] = self._title_sources(title, regions)
            return "title-details", 1 + len(extra), details
        raise ApiError(404, "Not found.")

    def _calendar(self, endpoint: str, query: dict[str, list[str]]) -> tuple[str, int, Any]:
        params = {name: _one(query, name) for name in ("regions", "start_date", "end_date", "page", "limit")}
        try:
            return calendar_answer(endpoint, self.server.state, self.server.public_url, params)
        except LeavingError as exc:
            raise ApiError(exc.status, exc.message) from exc

    def _list_titles(self, query: dict[str, list[str]], regions: set[str]) -> dict[str, Any]:
        cat = self.server.state.catalogue
        source_ids = _int_set(query, "source_ids")
        if source_ids and len(regions) > 1:
            raise ApiError(400, "Only one region may be given when source_ids is set.")
        genres = _int_set(query, "genres")
        types = set((_one(query, "types") or "").split(",")) - {""}
        if types - VALID_TYPES:
            raise ApiError(400, "Invalid types parameter.")
        sort_by = _one(query, "sort_by") or "relevance_desc"
        if sort_by not in SORTS:
            raise ApiError(400, "Invalid sort_by parameter.")
        page = _int_param(query, "page", 1, 1, 100000)
        limit = _int_param(query, "limit", 250, 1, 250)
        titles = [] if "GB" not in regions else cat.matching(source_ids, genres, types)
        titles = sort_titles(titles, sort_by)
        total = len(titles)
        pages = math.ceil(total / limit) if total else 0
        chunk = titles[(page - 1) * limit : page * limit]
        return {
            "titles": [t.summary() for t in chunk],
            "page": page,
            "total_results": total,
            "total_pages": pages,
        }

    def _search(self, query: dict[str, list[str]]) -> dict[str, Any]:
        field, value = _one(query, "search_field"), (_one(query, "search_value") or "").strip()
        if field not in SEARCH_FIELDS or not value:
            raise ApiError(400, "search_field and search_value are required.")
        return search_titles(self.server.state.catalogue.titles, field, value)

    def _title_sources(self, title: Any, regions: set[str]) -> list[dict[str, Any]]:
        if "GB" not in regions:
            return []
        return title_offers(title, {s["id"]: s for s in self.server.state.catalogue.sources})


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: FakeState, verbose: bool = False) -> None:
        super().__init__(address, Handler)
        self.state = state
        self.verbose = verbose

    @property
    def public_url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        # bandit B104: a URL to print, binds nothing
        wildcard = host in ("127.0.0.1", "0.0.0.0")  # nosec B104
        return f"http://{'localhost' if wildcard else host}:{port}"


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    api_key: str = "local-fake-key",
    rate_limit_per_minute: int = 120,
    account_quota: int = 10_000_000,
    seed: int = 20261121,
    size: int = 3000,
    verbose: bool = False,
) -> FakeServer:
    state = FakeState(
        api_key=api_key,
        rate_limit_per_minute=rate_limit_per_minute,
        account_quota=account_quota,
        catalogue=Catalogue(seed=seed, size=size),
    )
    return FakeServer((host, port), state, verbose)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Watchmode API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8566)
    parser.add_argument("--api-key", default="local-fake-key")
    parser.add_argument("--rate-limit", type=int, default=120, help="requests per minute")
    parser.add_argument("--quota", type=int, default=10_000_000, help="account credits")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--size", type=int, default=3000, help="number of titles")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    server = make_server(
        args.host,
        args.port,
        api_key=args.api_key,
        rate_limit_per_minute=args.rate_limit,
        account_quota=args.quota,
        seed=args.seed,
        size=args.size,
        verbose=args.verbose,
    )
    print(
        f"fake watchmode listening on {server.public_url} ({args.size} titles, seed {args.seed})", flush=True
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
