"""Client for the Watchmode API (the real one or the project's local fake: only the base URL differs).

- The key travels in the `X-API-Key` header, never in a URL, and is never logged.
- 429 and 5xx are retried with jittered exponential backoff, honouring `Retry-After`; 401 and 402 never are.
- A `RatePacer` spaces requests evenly below the plan's rate limit, so a long run does not trip 429 at all.
- Quota headers of the last response are kept in `quota`, and calls/credits are counted per endpoint.
- Title details come with where to watch the title (its sources appended: DETAILS_CREDITS a call).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol

import requests
from pydantic import ValidationError

from tvguide.models import Genre, Source, TitleDetails, TitleSummary
from tvguide.watchmode_errors import (
    PREVIEW_LIMIT_MARKER,
    WatchmodeAuthError,
    WatchmodeBackedOff,
    WatchmodeBadResponse,
    WatchmodeError,
    WatchmodeNotFound,
    WatchmodePreviewLimit,
    WatchmodeQuotaError,
    WatchmodeRateLimited,
    WatchmodeServerError,
)
from tvguide.watchmode_fields import search_result

__all__ = [
    "WatchmodeAuthError",
    "WatchmodeBackedOff",
    "WatchmodeBadResponse",
    "WatchmodeClient",
    "WatchmodeError",
    "WatchmodeNotFound",
    "WatchmodePreviewLimit",
    "WatchmodeQuotaError",
    "WatchmodeRateLimited",
    "WatchmodeServerError",
]

LOG = logging.getLogger(__name__)
DETAILS_CREDITS = 2  # details (1) with sources appended (+1)
RETRYABLE_STATUS = {429, 500, 502, 503, 504}


class Pacer(Protocol):
    """What a client waits on before each call: a RatePacer, or a budget shared by many containers."""

    def acquire(self) -> None: ...
    def delay(self, seconds: float) -> None: ...
    def pending(self) -> float: ...


class RatePacer:
    """Spaces calls evenly at `rate_per_second` (thread-safe; 0: no pacing). A pause gives back up to
    `burst_seconds` of the rate: the calls it did not make go at once, then the spacing resumes."""

    def __init__(
        self,
        rate_per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        burst_seconds: float = 0.0,
    ) -> None:
        self.interval = 1.0 / rate_per_second if rate_per_second > 0 else 0.0
        self.burst = max(0.0, burst_seconds)
        self._clock, self._sleep = clock, sleep
        self._next, self._lock = 0.0, threading.Lock()

    def acquire(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            earliest = max(self._next, now - self.burst)  # a pause gives back up to the burst
            start, self._next = max(now, earliest), earliest + self.interval
        if start > now:
            self._sleep(start - now)

    def delay(self, seconds: float) -> None:
        """Push the next permitted call back, e.g. after a 429's Retry-After."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)

    def pending(self) -> float:
        """Seconds until the next call is permitted (a Retry-After still being honoured)."""
        if not self.interval:
            return 0.0  # no pacing: acquire never waits
        with self._lock:
            return max(0.0, self._next - self._clock())


@dataclass
class Quota:
    limit: int | None = None
    remaining: int | None = None
    account_quota: int | None = None
    account_used: int | None = None


@dataclass
class CallStats:
    calls: Counter[str] = field(default_factory=Counter)
    credits: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class TitlePage:
    titles: list[TitleSummary]
    page: int
    total_pages: int
    total_results: int
    rejected: int = 0  # rows that did not parse: a crawl with any is not complete


def _int_header(headers: Any, name: str) -> int | None:
    value = headers.get(name)
    return int(value) if value is not None and str(value).strip().isdecimal() else None


class WatchmodeClient:
    def __init__(
        self,
        base_url: str,
        api_key: str | Callable[[], str],
        *,
        timeout: float = 10.0,
        max_retries: int = 5,
        backoff_base: float = 0.5,
        backoff_cap: float = 20.0,
        pacer: Pacer | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self._api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.pacer: Pacer = pacer or RatePacer(0)
        self.session = session or requests.Session()
        self._sleep = sleep
        self.quota = Quota()
        self.stats = CallStats()
        self._credits_taken = 0
        self._credits_lock = threading.Lock()
        # Seconds the caller has left (its invocation's time limit): a retry whose wait would outlast it
        # is not waited for; the error is raised at once and the work left for a later run.
        self.time_left: Callable[[], float] | None = None

    def take_credits(self) -> int:
        """Credits spent since the last call of this (a cached client serves many invocations)."""
        with self._credits_lock:
            total = sum(self.stats.credits.values())
            spent, self._credits_taken = total - self._credits_taken, total
        return spent

    @property
    def api_key(self) -> str:
        return self._api_key() if callable(self._api_key) else self._api_key

    # --- transport -------------------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        return float(random.uniform(0, min(self.backoff_cap, self.backoff_base * 2**attempt)))

    def get(self, path: str, params: dict[str, Any] | None = None, *, endpoint: str, credits: int) -> Any:
        """One endpoint's JSON, paced, retried and counted (`credits` when it succeeds)."""
        url = self.base_url + path
        attempt = 0
        while True:
            if self.time_left is not None and self.pacer.pending() >= self.time_left():
                # An earlier Retry-After (this container honours it) ends past the time left.
                message = f"{endpoint}: still waiting for Watchmode's Retry-After"
                raise WatchmodeBackedOff(message, HTTPStatus.TOO_MANY_REQUESTS.value)
            self.pacer.acquire()
            self.stats.calls[endpoint] += 1
            try:
                response = self.session.get(
                    url,
                    params=params,
                    headers={"X-API-Key": self.api_key, "Accept": "application/json"},
                    timeout=self.timeout,
                )
            except requests.RequestException as exc:
                error: WatchmodeError = WatchmodeServerError(
                    f"{endpoint}: network error ({type(exc).__name__})"
                )
                wait = self._backoff(attempt)
            else:
                self._record_quota(response)
                status = response.status_code
                if status == 200:
                    with self._credits_lock:
                        self.stats.credits[endpoint] += credits
                    try:
                        return response.json()
                    except ValueError:
                        message = f"{endpoint}: body is not JSON"
                        # bandit B103: not a chmod
                        error, wait = WatchmodeBadResponse(message, 200), 0.0  # nosec B103
                else:
                    error = self._error_for(endpoint, response)
                    if not error.retryable:
                        raise error
                    retry_after = self._retry_after(response)
                    wait = self._backoff(attempt) if retry_after is None else retry_after
                    if status == 429:
                        self.pacer.delay(wait)
            if attempt >= self.max_retries:
                raise error
            if wait and self.time_left is not None and wait >= self.time_left():
                # Not slept through into a timeout that would settle nothing.
                message = f"{error} (asked to wait {wait:.0f} s, past the time left)"
                raise WatchmodeBackedOff(message, error.status)
            attempt += 1
            self.stats.retries[endpoint] += 1
            if wait:
                self._sleep(wait)

    def _record_quota(self, response: requests.Response) -> None:
        h = response.headers
        self.quota = Quota(
            limit=_int_header(h, "X-RateLimit-Limit"),
            remaining=_int_header(h, "X-RateLimit-Remaining"),
            account_quota=_int_header(h, "X-Account-Quota"),
            account_used=_int_header(h, "X-Account-Quota-Used"),
        )

    @staticmethod
    def _retry_after(response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After")
        try:
            return max(0.0, float(value)) if value is not None else None
        except ValueError:
            return None

    @staticmethod
    def _error_for(endpoint: str, response: requests.Response) -> WatchmodeError:
        status = response.status_code
        try:
            message = str(response.json().get("statusMessage") or "")
        except (ValueError, AttributeError):
            message = ""
        text = f"{endpoint}: HTTP {status}" + (f" ({message})" if message else "")
        if status == 401:
            return WatchmodeAuthError(text, status)
        if status == 402:
            return WatchmodeQuotaError(text, status)
        if status == 404:
            return WatchmodeNotFound(text, status)
        if status == 403 and PREVIEW_LIMIT_MARKER in response.text:
            return WatchmodePreviewLimit(text, status)
        if status == 429:
            return WatchmodeRateLimited(text, status)
        if status >= 500:
            return WatchmodeServerError(text, status)
        return WatchmodeError(text, status)

    # --- endpoints -------------------------------------------------------------------------------------

    def sources(self, regions: tuple[str, ...] = ("GB",), types: tuple[str, ...] = ()) -> list[Source]:
        params = {"regions": ",".join(regions)}
        if types:
            params["types"] = ",".join(types)
        data = self.get("sources/", params, endpoint="sources", credits=1)
        return self._parse_list(data, Source, "sources")

    def genres(self) -> list[Genre]:
        data = self.get("genres/", endpoint="genres", credits=1)
        return self._parse_list(data, Genre, "genres")

    def list_titles(
        self,
        *,
        source_id: str,
        region: str = "GB",
        genre_ids: tuple[str, ...] = (),
        types: tuple[str, ...] = (),
        page: int = 1,
        limit: int = 250,
        sort_by: str = "title_asc",  # a stable order: titles do not move between pages mid-crawl
    ) -> TitlePage:
        params: dict[str, Any] = {
            "regions": region,
            "source_ids": source_id,
            "page": page,
            "limit": limit,
            "sort_by": sort_by,
        }
        if genre_ids:
            params["genres"] = ",".join(genre_ids)
        if types:
            params["types"] = ",".join(types)
        data = self.get("list-titles/", params, endpoint="list-titles", credits=1)
        if not isinstance(data, dict) or not isinstance(data.get("titles"), list):
            raise WatchmodeBadResponse("list-titles: expected an object with a titles array")
        titles, rejected = [], 0
        for raw in data["titles"]:
            try:
                titles.append(TitleSummary.model_validate({**raw, "source_ids": [source_id]}))
            except (ValidationError, TypeError):
                rejected += 1  # kept out, and counted: the crawl cannot be called complete
        paging = [data.get("page"), data.get("total_pages"), data.get("total_results")]
        numbers = [v for v in paging if isinstance(v, int) and not isinstance(v, bool) and v >= 0]
        if len(numbers) != len(paging):
            raise WatchmodeBadResponse(
                "list-titles: missing or invalid paging fields (page, total_pages, total_results)"
            )
        if numbers[0] != page:
            raise WatchmodeBadResponse(f"list-titles: asked for page {page}, got page {numbers[0]}")
        return TitlePage(
            titles=titles, page=page, total_pages=numbers[1], total_results=numbers[2], rejected=rejected
        )

    def iter_titles(
        self, *, source_id: str, max_pages: int, page_attempts: int = 3, **kwargs: Any
    ) -> Iterator[tuple[TitlePage, bool]]:
        """Yield (page, is_last) up to the end or `max_pages`; is_last is False when the cap cut the list.
        A page with bad paging, or empty before the last page, is asked for again (`page_attempts` in all)
        and then raises WatchmodeBadResponse: a bad answer never passes for the end of the list."""
        page_no = 1
        while True:
            for attempt in range(page_attempts):
                try:
                    page = self.list_titles(source_id=source_id, page=page_no, **kwargs)
                    if not page.titles and page_no < page.total_pages:
                        raise WatchmodeBadResponse(
                            f"list-titles: page {page_no} of {page.total_pages} is empty"
                        )
                    break
                except WatchmodeBadResponse:
                    if attempt == page_attempts - 1:
                        raise
                    time.sleep(self._backoff(attempt))
            reached_end = page_no >= page.total_pages
            yield page, reached_end
            if reached_end or page_no >= max_pages:
                return
            page_no += 1

    def title_details(self, title_id: str, region: str = "GB") -> TitleDetails:
        params, path = {"regions": region, "append_to_response": "sources"}, f"title/{title_id}/details/"
        data = self.get(path, params, endpoint="title-details", credits=DETAILS_CREDITS)
        if not isinstance(data, dict):
            raise WatchmodeBadResponse("title-details: expected an object")
        try:
            return TitleDetails.model_validate(data)
        except ValidationError as exc:
            invalid = f"{exc.error_count()} invalid field(s) for title {title_id}"
            raise WatchmodeBadResponse(f"title-details: {invalid}") from exc

    def search(self, field: str, value: str) -> list[dict[str, Any]]:
        """Watchmode's title search (1 credit): by `name`, `imdb_id`, `tmdb_movie_id` or `tmdb_tv_id`."""
        data = self.get(
            "search/", {"search_field": field, "search_value": value}, endpoint="search", credits=1
        )
        results = data.get("title_results") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise WatchmodeBadResponse("search: expected title_results")
        return [r for r in map(search_result, results) if r]

    def status(self) -> dict[str, Any]:
        data = self.get("status/", endpoint="status", credits=0)
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _parse_list(data: Any, model: Any, endpoint: str) -> list[Any]:
        if not isinstance(data, list):
            raise WatchmodeBadResponse(f"{endpoint}: expected an array")
        items = []
        for raw in data:
            try:
                items.append(model.model_validate(raw))
            except (ValidationError, TypeError):
                continue
        if len(items) < len(data):  # not silent: the rows Watchmode sent that no model accepts
            LOG.warning("%s: %d of %d rows unreadable, left out", endpoint, len(data) - len(items), len(data))
        return items
