"""Search at catalogue scale, for `make bench`: the whole fake catalogue is put in the guide's search index,
then `GET /search` is timed with realistic queries (words and prefixes, some typed without accents).

Titles no viewer wants are stored with the consumer's own store code (title record + search words), not
through Kinesis: enriching 30,000 titles at the fake's rate limit would take half an hour, and search reads
only the index and the page's title records.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from stack_client import StackClient

# The consumer's store writes the titles as the pipeline would.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "services" / "consumer"))


def index_whole_catalogue(stack: StackClient) -> tuple[int, float]:
    """Store every catalogue title the guide does not know yet; returns (titles added, seconds)."""
    from fake_watchmode.catalogue import Catalogue
    from tvguide.models import TitleSummary
    from tvguide.search import SEARCH_VERSION
    from tvguide_consumer.logic import TitleName
    from tvguide_consumer.store import TitleIngestStore

    watchmode = stack.info["watchmode"]
    catalogue = Catalogue(seed=watchmode["catalogue_seed"], size=watchmode["catalogue_size"])
    store = TitleIngestStore(stack.info["table"], resource_factory=lambda: stack.resource("dynamodb"))
    known = set(store.get_many(str(t.id) for t in catalogue.titles))
    missing = [t for t in catalogue.titles if str(t.id) not in known]
    started = time.monotonic()

    def add(chunk: list[Any]) -> None:
        names = []
        for fake in chunk:
            summary = TitleSummary.model_validate(fake.summary() | {"source_ids": fake.source_ids})
            store.save_ingested(
                summary,
                source_ids=list(summary.source_ids),
                fingerprint=summary.fingerprint(),
                mark_pending=False,
                event_meta={"event_id": "bench", "cause": "bench", "correlation_id": "bench"},
                search_version=SEARCH_VERSION,
            )
            names.append(TitleName(summary.id, summary.title))
        store.write_availability([], [], names=names)

    chunks = [missing[i : i + 200] for i in range(0, len(missing), 200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(add, chunks))
    return len(missing), time.monotonic() - started


def queries(stack: StackClient, count: int, seed: int = 3) -> list[str]:
    """What viewers type: a whole word, the start of one or two words, an accented name unaccented."""
    from fake_watchmode.catalogue import Catalogue
    from tvguide.search import words

    watchmode = stack.info["watchmode"]
    catalogue = Catalogue(seed=watchmode["catalogue_seed"], size=watchmode["catalogue_size"])
    rng = random.Random(seed)
    found = ["amelie", "cafe soc", "les mis"]
    while len(found) < count:
        name = words(rng.choice(catalogue.titles).title)
        if not name:
            continue
        first = rng.choice(name)
        pattern = rng.randrange(3)
        if pattern == 0:
            found.append(first)
        elif pattern == 1:
            found.append(first[: max(3, len(first) // 2)])
        elif len(name) > 1:
            found.append(f"{name[0]} {name[1][:3]}")
    return found[:count]


def measure_search(stack: StackClient, token: str, requests_count: int) -> None:
    import requests

    added, seconds = index_whole_catalogue(stack)
    size = stack.info["watchmode"]["catalogue_size"]
    print(f"\n--- search over the whole catalogue ({size} titles; {added} indexed in {seconds:.0f} s) ---")
    session = requests.Session()
    url = stack.info["preferences_api"]["url"] + "/search"
    headers = {"Authorization": token}
    for q in queries(stack, 5, seed=99):  # warm the function
        session.get(url, params={"q": q}, headers=headers, timeout=30)
    latencies, results = [], []
    for q in queries(stack, requests_count):
        started = time.perf_counter()
        response = session.get(url, params={"q": q}, headers=headers, timeout=30)
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        results.append(response.json()["count"])
    records = [
        c
        for c, blob in stack.published_calls(stack.info["log_groups"]["preferences_api"])
        if blob.get("path") == "/search"
    ]
    ddb = [sum(v for k, v in c.items() if k.startswith("dynamodb:")) for c in records[-requests_count:]]
    p95 = statistics.quantiles(latencies, n=20)[18]
    print(
        f"GET /search       p50 {statistics.median(latencies):6.1f} ms, p95 {p95:6.1f} ms over "
        f"{requests_count} queries; {statistics.mean(results):.1f} results on average; "
        f"DynamoDB requests per call {statistics.mean(ddb) if ddb else float('nan'):.1f}"
    )
