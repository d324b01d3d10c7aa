"""The Watchmode client against the fake server: pagination, retries, never-retry errors, pacing."""

import pytest
import requests

from tests.conftest import FAKE_KEY
from tvguide.watchmode import (
    RatePacer,
    WatchmodeAuthError,
    WatchmodeBadResponse,
    WatchmodeClient,
    WatchmodeQuotaError,
    WatchmodeServerError,
)


class RecordingSession(requests.Session):
    def __init__(self):
        super().__init__()
        self.sent = []

    def request(self, method, url, **kwargs):
        response = super().request(method, url, **kwargs)
        self.sent.append(response.request)
        return response


def make_client(fake, **kwargs):
    sleeps = []
    session = RecordingSession()
    client = WatchmodeClient(
        fake.public_url + "/v1/", FAKE_KEY, sleep=sleeps.append, session=session, backoff_base=0.01, **kwargs
    )
    return client, sleeps, session


def test_sources_and_genres_parse_with_string_ids(fake):
    client, _, _ = make_client(fake)
    sources = client.sources(("GB",))
    assert len(sources) == 49
    assert {"id": "203", "name": "Netflix"}.items() <= sources[
        [s.id for s in sources].index("203")
    ].model_dump().items()
    genres = client.genres()
    assert len(genres) == 37 and genres[0].id == "1"


def test_key_travels_in_a_header_never_in_the_url(fake):
    client, _, session = make_client(fake)
    client.genres()
    request = session.sent[-1]
    assert request.headers["X-API-Key"] == FAKE_KEY
    assert FAKE_KEY not in request.url


def test_pagination_runs_to_the_end_and_matches_the_catalogue(fake):
    client, _, _ = make_client(fake)
    pages = list(client.iter_titles(source_id="203", max_pages=100, genre_ids=("4",), limit=7))
    ids = [t.id for page, _ in pages for t in page.titles]
    expected = fake.state.catalogue.matching({203}, {4})
    assert len(pages) == -(-len(expected) // 7)
    assert sorted(ids) == sorted(str(t.id) for t in expected)
    assert pages[-1][1] is True and all(not last for _, last in pages[:-1])
    assert all(t.source_ids == ("203",) for page, _ in pages for t in page.titles)


def test_pagination_stops_at_the_cap_and_says_so(fake):
    client, _, _ = make_client(fake)
    pages = list(client.iter_titles(source_id="203", max_pages=2, limit=5))
    assert len(pages) == 2 and pages[-1][1] is False
    assert fake.state.stats()["credits"]["list-titles"] == 2


def test_429_is_retried_honouring_retry_after(fake):
    client, sleeps, _ = make_client(fake)
    fake.state.faults.append(_fault(429, 2, retry_after=3))
    assert len(client.genres()) == 37
    assert sleeps == [3.0, 3.0]
    assert client.stats.retries["genres"] == 2


def test_a_retry_after_longer_than_the_time_left_is_not_slept_through(fake):
    """A 429 asking for an hour, 100 s before the invocation's time limit: the error is raised at once (the
    enrichment worker leaves the title queued), not slept into a timeout that would settle nothing."""
    from tvguide.watchmode import WatchmodeError

    client, sleeps, _ = make_client(fake)
    client.time_left = lambda: 100.0
    fake.state.faults.append(_fault(429, 1, retry_after=3600))
    with pytest.raises(WatchmodeError):
        client.genres()
    assert sleeps == [] and client.stats.calls["genres"] == 1
    fake.state.faults.append(_fault(429, 1, retry_after=3))
    assert len(client.genres()) == 37 and sleeps == [3.0]  # a short one is still honoured


def test_5xx_is_retried_with_bounded_jittered_backoff_then_fails_loudly(fake):
    client, sleeps, _ = make_client(fake, max_retries=3)
    fake.state.faults.append(_fault(503, 10))
    with pytest.raises(WatchmodeServerError):
        client.genres()
    assert len(sleeps) == 3 and all(0 <= s <= client.backoff_cap for s in sleeps)


@pytest.mark.parametrize(("status", "error"), [(401, WatchmodeAuthError), (402, WatchmodeQuotaError)])
def test_401_and_402_are_never_retried(fake, status, error):
    client, sleeps, _ = make_client(fake)
    fake.state.faults.append(_fault(status, 5))
    with pytest.raises(error):
        client.genres()
    assert sleeps == [] and client.stats.calls["genres"] == 1


def test_wrong_key_is_an_auth_error(fake):
    client = WatchmodeClient(fake.public_url + "/v1/", "wrong", sleep=lambda s: None)
    with pytest.raises(WatchmodeAuthError):
        client.sources()


def test_malformed_body_is_retried_then_succeeds(fake):
    client, _, _ = make_client(fake)
    fake.state.faults.append(_fault(200, 1, kind="malformed"))
    page = client.list_titles(source_id="203")
    assert page.titles and client.stats.retries["list-titles"] == 1


def test_malformed_body_every_time_is_a_bad_response(fake):
    client, _, _ = make_client(fake, max_retries=1)
    fake.state.faults.append(_fault(200, 5, kind="malformed"))
    with pytest.raises(WatchmodeBadResponse):
        client.list_titles(source_id="203")


def test_quota_headers_are_recorded(fake):
    client, _, _ = make_client(fake)
    client.title_details(str(fake.state.catalogue.titles[0].id))
    assert client.quota.limit == fake.state.rate_limit_per_minute
    assert client.quota.account_used is not None and client.quota.account_used >= 1


def test_real_rate_limit_is_survived_with_retry_after(fake):
    fake.state.rate_limit_per_minute = 3
    client, sleeps, _ = make_client(fake)
    for _ in range(3):
        client.genres()
    fake.state.window.clear()  # let the next window open as soon as the client "sleeps"
    fake.state.rate_limit_per_minute = 3
    fake.state.window.extend([__import__("time").monotonic()] * 3)
    original = fake.state.window

    def sleep(seconds):
        sleeps.append(seconds)
        original.clear()

    client._sleep = sleep
    assert len(client.genres()) == 37
    assert sleeps and 1 <= sleeps[-1] <= 60


def test_pacer_spaces_calls_evenly():
    now = [0.0]
    slept = []

    def sleep(s):
        slept.append(round(s, 6))
        now[0] += s

    pacer = RatePacer(2.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        pacer.acquire()
    assert slept == [0.5, 0.5, 0.5, 0.5]


def _fault(status, count, retry_after=None, kind="status"):
    from fake_watchmode.server import Fault

    return Fault(kind=kind, count=count, status=status, retry_after=retry_after)


def test_status_reports_quota_and_costs_nothing(fake):
    client, _, _ = make_client(fake)
    before = client.status()["quotaUsed"]
    client.genres()
    status = client.status()
    assert status["quotaUsed"] == before + 1 and status["quota"] == fake.state.account_quota
    assert client.stats.credits["status"] == 0 and client.stats.calls["status"] == 2


def test_a_pause_gives_back_up_to_the_burst_and_never_more_than_the_rate():
    """Issue 24: the enrichment worker's pace lost every pause between two chunks (a pacer spacing calls
    evenly never catches up). With a burst, the calls a pause did not make go at once, bounded: over any
    span the calls never exceed the rate over that span plus the burst."""
    from tvguide.watchmode import RatePacer

    now = [100.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = RatePacer(10, clock=lambda: now[0], sleep=sleep, burst_seconds=1.0)
    times = []
    for n in range(60):
        if n == 30:
            now[0] += 5.0  # a pause between two chunks of work
        before = now[0]
        pacer.acquire()
        times.append(now[0])
        if n in range(30, 41):
            assert now[0] == before  # the pause's calls go at once, up to a second's worth
    assert times[41] > times[40]  # then the spacing resumes
    for i, start in enumerate(times):
        for span in (0.5, 1.0, 5.0):
            calls = sum(1 for t in times[i:] if t - start <= span)
            assert calls <= 10 * (span + 1.0) + 1, (start, span, calls)
    plain = RatePacer(10, clock=lambda: now[0], sleep=sleep)  # no burst: a pause is lost
    plain.acquire()
    now[0] += 5.0
    plain.acquire()
    before = now[0]
    plain.acquire()
    assert now[0] == before + 0.1
