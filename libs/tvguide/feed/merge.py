"""A page of a viewer's feed: the feeds of their sources x genres (see `tvguide.feed`), each read lazily in
display order, merged k-way. Keys are unique per title and the same in every feed a title is in, so a
title in several feeds comes out once, and the next page starts after the last key shown: the cursor is
that key, whatever the number of feeds.

Reads are bounded by the page, not the catalogue: each feed is first asked for a small share of the page;
a feed that runs dry is asked for its share of what the page still needs (its share of the entries taken
so far, times the entries taken per title shown), so a page costs about the entries it shows plus a few
per feed.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol


@dataclass(frozen=True)
class FeedChunk:
    entries: list[tuple[str, str]]  # (sort key, title id), ascending
    next_start: Any  # where the feed continues (the store's own position), None at its end
    read: int  # entries the store read for it (filtered ones included)


class FeedStore(Protocol):
    def chunk(self, pk: str, *, after: str | None, start: Any, limit: int) -> FeedChunk: ...


@dataclass
class _Feed:
    pk: str
    chunk_size: int
    buffer: deque[tuple[str, str]] = field(default_factory=deque)
    start: Any = None
    done: bool = False
    taken: int = 0  # entries the merge took from it


@dataclass(frozen=True)
class MergedPage:
    title_ids: list[str]
    last_key: str | None  # the key of the last title in the page (the next page starts after it)
    more: bool  # whether anything follows
    entries_read: int
    queries: int


def merge_page(
    store: FeedStore,
    feed_pks: Iterable[str],
    *,
    after: str | None,
    limit: int,
    stop_at: str | None = None,
    fetch_all: Callable[[list[Callable[[], None]]], None] | None = None,
) -> MergedPage:
    """The next `limit` distinct titles after key `after` across the feeds, in key order (keys at or past
    `stop_at` end a feed). `fetch_all` runs the first round of reads (one per feed) side by side."""
    pks = list(dict.fromkeys(feed_pks))
    if not pks:
        return MergedPage([], None, False, 0, 0)
    need = limit + 1  # one more tells whether a next page exists
    first = max(2, math.ceil(need * 1.25 / len(pks)))
    feeds = [_Feed(pk, first) for pk in pks]
    stats = {"read": 0, "queries": 0, "taken": 0}
    titles: list[tuple[str, str]] = []

    def size_for(feed: _Feed) -> int:
        """The first read: a share of the page. Later ones: this feed's share of what is still needed."""
        if not stats["taken"]:
            return feed.chunk_size
        per_title = stats["taken"] / max(1, len(titles))
        share = (feed.taken + 1) / (stats["taken"] + len(feeds))
        wanted = (need - len(titles)) * per_title * share * 1.25
        return max(2, min(3 * need, math.ceil(wanted) + 1))

    def fill(feed: _Feed) -> None:
        chunk = store.chunk(feed.pk, after=after, start=feed.start, limit=size_for(feed))
        stats["read"] += chunk.read
        stats["queries"] += 1
        for key, title_id in chunk.entries:
            if stop_at is not None and key >= stop_at:
                feed.done = True
                break
            feed.buffer.append((key, title_id))
        feed.start = chunk.next_start
        feed.done = feed.done or chunk.next_start is None

    jobs: list[Callable[[], None]] = [partial(fill, feed) for feed in feeds]
    if fetch_all is not None:
        fetch_all(jobs)
    else:
        for job in jobs:
            job()

    heap: list[tuple[str, int]] = []

    def ready(index: int) -> None:
        """Put the feed's head on the heap, reading on while its buffer is empty and it is not done."""
        feed = feeds[index]
        while not feed.buffer and not feed.done:
            fill(feed)
        if feed.buffer:
            heapq.heappush(heap, (feed.buffer[0][0], index))

    for index in range(len(feeds)):
        ready(index)
    while heap and len(titles) < need:
        key, index = heapq.heappop(heap)
        _, title_id = feeds[index].buffer.popleft()
        feeds[index].taken += 1
        stats["taken"] += 1
        if not titles or titles[-1][0] != key:
            titles.append((key, title_id))
        ready(index)
    page = titles[:limit]
    return MergedPage(
        title_ids=[t for _, t in page],
        last_key=page[-1][0] if page else None,
        more=len(titles) > limit,
        entries_read=stats["read"],
        queries=stats["queries"],
    )
