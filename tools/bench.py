"""Benchmark of the title pipeline on the local stack (`make bench`; not a test).

Seeds N viewers, runs two cycles (reference -> ingestion -> consumer -> enrichment) and prints, per cycle:
Watchmode credits by endpoint (and those of where to watch), titles published and enriched, seconds, DynamoDB
requests (counted inside the functions), the enrichment pace as a fraction of the rate limit."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

from bench_idle import wait_until_settled
from bench_search import measure_search
from fake_watchmode.reference_data import GB_SOURCES, GENRES, SOURCE_WEIGHTS
from stack_client import StackClient, wait_for_demand_checked, wait_for_job, wait_for_pipeline

API_VIEWER = {"sources": ["203", "26", "409", "372", "406"], "genres": ["4", "5", "7", "17", "6"]}
POPULAR_GENRES = {4: 8, 7: 8, 5: 6, 17: 5, 6: 4, 1: 4, 13: 3, 15: 3, 11: 2, 8: 3, 3: 2, 14: 3}


def realistic_viewers(count: int, seed: int = 1) -> list[dict[str, Any]]:
    """Viewers paying for 1-4 (mostly subscription or free) services and liking 1-5 genres."""
    rng = random.Random(seed)
    services = [s for s in GB_SOURCES if s[2] in ("sub", "free")]
    source_weights = [SOURCE_WEIGHTS.get(s[0], 0.5) for s in services]
    genre_ids = [g[0] for g in GENRES]
    genre_weights = [POPULAR_GENRES.get(g, 1) for g in genre_ids]
    viewers = []
    for n in range(count):
        sources = {rng.choices(services, source_weights)[0][0] for _ in range(rng.randint(1, 4))}
        genres = {rng.choices(genre_ids, genre_weights)[0] for _ in range(rng.randint(1, 5))}
        viewers.append(
            {
                "user_id": f"bench-viewer-{n:04d}",
                "sources": sorted(str(s) for s in sources),
                "genres": sorted(str(g) for g in genres),
            }
        )
    return viewers


def seed_viewers(stack: StackClient, viewers: list[dict[str, Any]]) -> None:
    from tvguide.models import Preferences

    repository = stack.preferences()
    for viewer in viewers:
        repository.put(viewer["user_id"], Preferences(sources=viewer["sources"], genres=viewer["genres"]))


def dynamodb_requests(stack: StackClient) -> dict[str, int]:
    """DynamoDB calls the pipeline's functions have made so far, summed from the metrics they published."""
    groups = stack.info["log_groups"]
    totals: dict[str, int] = {}
    for group in (groups["ingestion"], groups["consumer"], groups["enrichment"]):
        for calls, _ in stack.published_calls(group):
            for call, count in calls.items():
                if call.startswith("dynamodb:"):
                    totals[call] = totals.get(call, 0) + count
    return totals


def enrichment_busy(stack: StackClient) -> tuple[int, float]:
    """(details calls, seconds spent) summed over the enrichment worker's runs so far (each run logs the
    credits it spent and how long it took when it stops; a details call costs DETAILS_CREDITS, and the rate
    limit counts calls)."""
    from tvguide.watchmode import DETAILS_CREDITS

    records = stack.log_records(stack.info["log_groups"]["enrichment"], "enrichment worker stopped")
    calls = sum(int(r.get("credits_used", 0)) for r in records) // DETAILS_CREDITS
    return calls, sum(int(r.get("duration_ms", 0)) for r in records) / 1000


def run_cycle(stack: StackClient, number: int) -> dict[str, Any]:
    stack.fake_watchmode("/_fake/reset", {})
    enriched_before = stack.title_counts().get("ENRICHED", 0)
    consumed_before = stack.consumed_records()
    ddb_before = dynamodb_requests(stack)
    busy_calls_before, busy_seconds_before = enrichment_busy(stack)
    started = time.monotonic()
    stack.invoke(stack.info["functions"]["reference"], {"requested_by": f"bench cycle {number}"})
    report = stack.invoke(stack.info["functions"]["ingestion"], {"requested_by": f"bench cycle {number}"})
    # A titles refresh continues source by source in fresh invocations: its job has the totals.
    job = wait_for_job(stack, report["job_id"], seconds=3600)
    published = int(job.progress["events_published"])
    # A succeeded job means the consumer stored (or dead-lettered) every event it published and enrichment
    # settled its titles: its counters are the count. The consumer's log lines are not (the emulator was
    # seen to drop one invocation's line, 97 records, and the bench then waited for them for an hour).
    target = consumed_before if job.status == "succeeded" else consumed_before + published
    counts = wait_for_pipeline(stack, target, seconds=3600)
    elapsed = time.monotonic() - started
    ledger = stack.credit_ledger().state()
    stats = stack.fake_watchmode("/_fake/stats")
    ddb_after = dynamodb_requests(stack)
    details = int(stats["calls"].get("title-details", 0))
    busy_calls, busy_seconds = enrichment_busy(stack)
    busy_calls -= busy_calls_before
    busy_seconds -= busy_seconds_before
    busy_pace = None
    if busy_calls and busy_seconds > 0:
        busy_pace = busy_calls / busy_seconds * 60 / stats["rate_limit_per_minute"]
    pace = None
    if details > 1:
        span = stats["last_call"]["title-details"] - stats["first_call"]["title-details"]
        per_minute = (details - 1) / span * 60 if span > 0 else float("inf")
        pace = per_minute / stats["rate_limit_per_minute"]
    return {
        "cycle": number,
        "credits": stats["credits"],
        "credits_total": stats["total_credits"],
        "rate_limited_429": stats["rate_limited"],
        "titles_published": job.progress["titles_published"],
        "titles_new": job.progress["titles_pending"],  # every title made pending was new (or stale)
        "titles_queued": counts.get("PENDING", 0),  # waiting for next month's credits
        "ledger": ledger.as_dict(),
        "titles_enriched": counts.get("ENRICHED", 0) - enriched_before,
        "titles_failed": counts.get("FAILED", 0),
        "seconds": elapsed,
        "titles_per_second": job.progress["titles_published"] / elapsed if elapsed else 0.0,
        "dynamodb": {k: ddb_after.get(k, 0) - ddb_before.get(k, 0) for k in ddb_after},
        "enrichment_pace": pace,
        "enrichment_busy_pace": busy_pace,
    }


def where_to_watch_credits(credits: dict[str, int]) -> str:
    """Offers (one of each details call's two credits), leaving dates and releases: this cycle, and a month
    of the daily reference job's."""
    leaving, releases = credits.get("title-leaving-dates", 0), credits.get("releases", 0)
    offers = f"offers {credits.get('title-details', 0) // 2}, leaving dates {leaving}, releases {releases}"
    return f"{offers}; a month of the daily two: ~{30 * (leaving + releases)}"


def print_cycle(result: dict[str, Any]) -> None:
    print(f"\n--- cycle {result['cycle']} ---")
    credits = ", ".join(f"{k} {v}" for k, v in sorted(result["credits"].items())) or "none"
    total, limited = result["credits_total"], result["rate_limited_429"]
    print(f"Watchmode credits       {total} ({credits}); 429s served: {limited}")
    print(f"where to watch          {where_to_watch_credits(result['credits'])}")
    print(f"titles published        {result['titles_published']}")
    print(
        f"titles enriched         {result['titles_enriched']} (failed: {result['titles_failed']}; "
        f"queued for next month's credits: {result['titles_queued']})"
    )
    ledger = result["ledger"]
    spent = ", ".join(f"{k} {v}" for k, v in sorted(ledger["by_caller"].items()))
    budget = f"of {ledger['budget']} budgeted" if ledger["budget"] else "(no monthly budget)"
    print(f"credits this month      {ledger['spent']} {budget} ({spent}) after this cycle")
    print(f"end-to-end              {result['seconds']:.1f} s, {result['titles_per_second']:.1f} titles/s")
    ddb = result["dynamodb"]
    reads = sum(v for k, v in ddb.items() if k.split(":")[1] in ("Query", "GetItem", "BatchGetItem", "Scan"))
    writes = sum(ddb.values()) - reads
    detail = ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(ddb.items()) if v)
    print(f"DynamoDB requests       {reads} read, {writes} write ({detail})")
    if result["titles_new"]:
        per_title = writes / result["titles_new"]
        print(f"writes per new title    {per_title:.1f} ({writes} writes, {result['titles_new']} new titles)")
    pace, busy = result["enrichment_pace"], result["enrichment_busy_pace"]
    if pace is None or busy is None:
        print("enrichment pace         n/a (no details fetched)")
    else:
        print(f"enrichment pace         {busy:.2f} of the rate limit while enriching; {pace:.2f} wall-clock")
        print(
            "                        (wall-clock includes the emulator's single poller running the consumer)"
        )


def create_api_viewer(stack: StackClient, preferences: dict[str, list[str]] = API_VIEWER) -> tuple[str, str]:
    """A Cognito user with these preferences (5 sources x 5 genres); returns (user id, ID token)."""
    import requests

    cognito = stack.client("cognito-idp")
    pool = stack.info["cognito"]["user_pool_id"]
    email, password = f"bench-{uuid.uuid4().hex[:8]}@tvguide.local", "Bench-Local-2026!x"
    cognito.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    token = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=stack.info["cognito"]["client_id"],
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]["IdToken"]
    response = requests.put(
        stack.info["preferences_api"]["url"] + "/preferences",
        json=preferences,
        headers={"Authorization": token},
        timeout=30,
    )
    if response.status_code != 200:
        raise SystemExit(f"bench viewer preferences failed: {response.status_code} {response.text}")
    attributes = cognito.admin_get_user(UserPoolId=pool, Username=email)["UserAttributes"]
    return next(a["Value"] for a in attributes if a["Name"] == "sub"), token


def count_listed(url: str, headers: dict[str, str], stop_after: int | None = None) -> int:
    """How many titles the viewer's feed lists, paging to its end (`X-Total-Count` comes only with the
    last page), or to `stop_after` titles."""
    import requests

    total, params = 0, {"limit": "100"}
    while True:
        response = requests.get(url, params=params, headers=headers, timeout=30)
        response.raise_for_status()
        total += len(response.json())
        cursor = response.headers.get("X-Next-Cursor")
        if not cursor or (stop_after is not None and total >= stop_after):
            return total
        params["cursor"] = cursor


def measure_new_source(stack: StackClient, viewers: list[dict[str, Any]]) -> None:
    """A viewer picks the service nobody had with the most titles: seconds from saving it to the first
    titles in `/titles`, to all of them listed (the new-demand function's instant crawl, stored by the
    consumer), and to all of them settled (enriched, or queued for next month's credits)."""

    from fake_watchmode.catalogue import Catalogue

    watchmode = stack.info["watchmode"]
    catalogue = Catalogue(seed=watchmode["catalogue_seed"], size=watchmode["catalogue_size"])
    wanted = {s for v in viewers for s in v["sources"]}
    wanted |= {s for v in stack.info["seeded_viewers"] for s in v["sources"]} | set(API_VIEWER["sources"])
    unpicked = [sid for sid, _, _ in GB_SOURCES if str(sid) not in wanted]
    if not unpicked:
        print("\nnew source              every source is wanted already: not measured")
        return
    source = max(unpicked, key=lambda sid: len(catalogue.matching({sid})))
    expected = len(catalogue.matching({source}))
    started = time.monotonic()
    _, token = create_api_viewer(stack, {"sources": [str(source)], "genres": []})
    saved = time.monotonic()
    url, headers = stack.info["preferences_api"]["url"], {"Authorization": token}
    first = listed = settled = None
    while time.monotonic() - saved < 300:
        now = time.monotonic() - saved
        if first is None:
            if count_listed(f"{url}/titles", headers, stop_after=1):
                first = now
        elif listed is None:
            # Paging through every title is what "listed" means, but paging non-stop would load the
            # emulator (one process) the pipeline runs on: a one-request count of the source's feed says
            # when the feed is whole; the viewer's pages then confirm it. The moment is the count's: the
            # confirming pages (about 50 requests) come after it.
            whole = stack.feed_size(str(source)) >= expected
            at = time.monotonic() - saved
            if whole and count_listed(f"{url}/titles", headers) >= expected:
                listed = at
        elif stack.credits_spent() or stack.title_counts().get("PENDING", 0) == 0:
            settled = now
            break
        time.sleep(0.5 if listed is None else 2)
    print(f"\n--- a new viewer picks source {source} (nobody had it; {expected} titles) ---")
    print(f"sign-up and save        {saved - started:.1f} s")

    def after(seconds: float | None) -> str:
        return "not within 300 s" if seconds is None else f"{seconds:.1f} s after saving"

    print(f"first titles listed     {after(first)}")
    print(f"all listed              {after(listed)} (goal: within 60 s)")
    print(f"all settled             {after(settled)} (enriched, or queued for next month's credits)")


def measure_api(stack: StackClient, token: str, requests_per_route: int) -> dict[str, dict[str, float]]:
    """p50/p95 of the 5 x 5 viewer's pages (the first, and the third through cursors), with the feed
    entries and DynamoDB requests each call cost (from the function's metrics) against the goal; returns
    them by route."""
    import requests

    session = requests.Session()
    group = stack.info["log_groups"]["preferences_api"]
    feeds = len(API_VIEWER["sources"]) * len(API_VIEWER["genres"])
    goal = 3 * 50 + 2 * feeds
    print(
        f"\n--- viewer API: 5 sources x 5 genres, {requests_per_route} requests per route (limit=50); "
        f"goal: at most {goal} items read per call ---"
    )
    url, headers = stack.info["preferences_api"]["url"], {"Authorization": token}
    measured: dict[str, dict[str, float]] = {}
    for route in ("/titles", "/recommendations"):
        latencies: list[float] = []
        for n in range(requests_per_route):
            params: dict[str, str] = {"limit": "50"}
            if n % 2 and route == "/titles":  # every other call: the third page (two cursors in)
                for _ in range(2):
                    cursor = session.get(url + route, params=params, headers=headers, timeout=30)
                    params["cursor"] = cursor.headers.get("X-Next-Cursor") or ""
            started = time.perf_counter()
            response = session.get(url + route, params=params, headers=headers, timeout=30)
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
        published = [(c, b) for c, b in stack.published_calls(group) if b.get("path") == route]
        published = published[-requests_per_route:]
        ddb = [sum(v for k, v in calls.items() if k.startswith("dynamodb:")) for calls, _ in published]
        # What a call read: metrics of its own in the same EMF blob (not AWS calls). Feed entries: those the
        # merge took from heads and Queries; items: DynamoDB items (head items, entries queried, records).
        read = [_metric(blob, "FeedEntriesRead") for _, blob in published]
        items = [_metric(blob, "ItemsRead") for _, blob in published]
        rebuilt = sum(_metric(blob, "FeedHeadsRebuilt") for _, blob in published)
        p95 = statistics.quantiles(latencies, n=20)[18]
        print(
            f"{route:<17} p50 {statistics.median(latencies):6.1f} ms, p95 {p95:6.1f} ms; per call: feed "
            f"entries {statistics.mean(read):.0f} (max {max(read, default=0)}), DynamoDB items "
            f"{statistics.mean(items) if items else float('nan'):.0f} (max {max(items, default=0)}), "
            f"requests {statistics.mean(ddb) if ddb else float('nan'):.1f}; feed heads rebuilt {rebuilt}"
        )
        measured[route] = {
            "p50_ms": statistics.median(latencies),
            "p95_ms": p95,
            "entries_mean": statistics.mean(read) if read else 0.0,
            "entries_max": float(max(read, default=0)),
            "items_mean": statistics.mean(items) if items else 0.0,
            "items_max": float(max(items, default=0)),
            "requests_mean": statistics.mean(ddb) if ddb else 0.0,
            "goal_entries": float(goal),
        }
    return measured


def _metric(blob: dict[str, Any], name: str) -> int:
    value = blob.get(name) or 0
    return int(sum(value) if isinstance(value, list) else value)


RESULTS = Path(".local/bench-results")


def compare_catalogues(catalogue: int, measured: dict[str, dict[str, float]]) -> None:
    """Keep this run's read-path figures by catalogue size, and print them beside every other size measured
    on this machine (run `make bench` and `CATALOGUE=30000 make bench` back to back): the read path's
    goals are p95 at most 100 ms, and the larger catalogue's p95 within 1.3 x the smaller's."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"catalogue-{catalogue}.json").write_text(json.dumps(measured, indent=2))
    runs = {}
    for path in sorted(RESULTS.glob("catalogue-*.json")):
        runs[int(path.stem.split("-")[1])] = json.loads(path.read_text())
    print("\n--- read path by catalogue size (this run and earlier ones in .local/bench-results) ---")
    smallest = min(runs)
    for size in sorted(runs):
        for route, figures in runs[size].items():
            ratio = figures["p95_ms"] / runs[smallest][route]["p95_ms"]
            items = figures.get("items_mean")
            print(
                f"{size:>7} titles  {route:<17} p95 {figures['p95_ms']:6.1f} ms "
                f"({ratio:.2f} x the {smallest}-title p95, goal <= 1.3 and <= 100 ms); per call: feed "
                f"entries {figures['entries_mean']:.0f} (max {figures['entries_max']:.0f}), DynamoDB items "
                + ("n/a" if items is None else f"{items:.0f} (max {figures['items_max']:.0f})")
                + f"; goal <= {figures['goal_entries']:.0f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--api-requests", type=int, default=100, help="requests per viewer API route")
    parser.add_argument(
        "--stack", type=Path, default=Path(os.environ.get("TVGUIDE_STACK_FILE", ".local/bench/stack.json"))
    )
    args = parser.parse_args()
    stack = StackClient.from_file(args.stack)
    viewers = realistic_viewers(args.users)
    seed_viewers(stack, viewers)
    # Saved before any source is known, so the new-demand function crawls nothing: cycle 1 is the cold crawl.
    wait_for_demand_checked(stack, len(viewers) + len(stack.info["seeded_viewers"]))
    stack.invoke(stack.info["functions"]["reference"], {"requested_by": "bench setup"})  # the API checks ids
    watchmode = stack.info["watchmode"]
    print(
        f"Benchmark: {args.users} viewers (+{len(stack.info['seeded_viewers'])} seeded), "
        f"catalogue of {watchmode['catalogue_size']} titles, "
        f"Watchmode rate limit {watchmode['rate_limit_per_minute']}/min"
    )
    for number in (1, 2):
        print_cycle(run_cycle(stack, number))
    measure_new_source(stack, viewers)
    wait_until_settled(stack)
    _, api_token = create_api_viewer(stack)  # after the cycles: its choices are all fetched already
    compare_catalogues(watchmode["catalogue_size"], measure_api(stack, api_token, args.api_requests))
    measure_search(stack, api_token, args.api_requests)


if __name__ == "__main__":
    main()
