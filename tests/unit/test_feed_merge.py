"""The feed's k-way merge and cursor, on an in-memory store: every title once, in order, across pages, and
reads bounded by the page."""

import random

import pytest

from tvguide.feed.entries import RECOMMENDED_BELOW, by_rating, by_title, by_year
from tvguide.feed.merge import FeedChunk, merge_page


class Store:
    """Feeds as sorted lists of (key, title id); a position is an index into the list."""

    def __init__(self, feeds):
        self.feeds = {pk: sorted(entries) for pk, entries in feeds.items()}
        self.read = 0

    def chunk(self, pk, *, after, start, limit):
        entries = [e for e in self.feeds.get(pk, []) if after is None or e[0] > after]
        begin = start or 0
        taken = entries[begin : begin + limit]
        self.read += len(taken)
        end = begin + len(taken)
        return FeedChunk(taken, end if end < len(entries) else None, len(taken))


def catalogue(titles=400, sources=5, genres=5, seed=7):
    rng = random.Random(seed)
    feeds = {}
    for n in range(titles):
        title_id = str(1000 + n)
        name = f"Title {rng.choice('ABCDEFGH')}{rng.randrange(50)}"
        rating = rng.choice([None, *[x / 10 for x in range(10, 100)]])
        year = rng.choice([None, *range(1960, 2027)])
        keys = {
            "title": by_title(name, title_id),
            "rating": by_rating(rating, name, title_id),
            "year": by_year(year, name, title_id),
        }
        for source in rng.sample(range(sources), rng.randint(1, 3)):
            for genre in rng.sample(range(genres), rng.randint(1, 2)):
                for order, key in keys.items():
                    feeds.setdefault(order, {}).setdefault(f"FEED#{source}#{genre}", []).append(
                        (key, title_id)
                    )
    return feeds


@pytest.mark.parametrize("order", ["title", "rating", "year"])
@pytest.mark.parametrize("limit", [1, 7, 50])
def test_paging_through_every_feed_shows_each_title_once_in_order(order, limit):
    feeds = catalogue()[order]
    store = Store(feeds)
    expected = sorted({entry for entries in feeds.values() for entry in entries})
    shown, after, pages = [], None, 0
    while True:
        page = merge_page(store, feeds, after=after, limit=limit)
        shown += page.title_ids
        pages += 1
        if not page.more:
            break
        after = page.last_key
    assert shown == [title_id for _, title_id in expected]  # nothing missing, nothing twice, in order
    assert pages == -(-len(expected) // limit)


def test_a_page_reads_about_what_it_shows_plus_a_few_per_feed():
    """A viewer's 5 x 5 feeds out of a catalogue on 12 services in 15 genres (so a title is in one or two
    of them, as in the fake catalogue); every page of the first few, in every order."""
    everything = catalogue(titles=6000, sources=12, genres=15)
    for order, all_feeds in everything.items():
        feeds = {
            pk: e for pk, e in all_feeds.items() if int(pk.split("#")[1]) < 5 and int(pk.split("#")[2]) < 5
        }
        assert len(feeds) == 25
        for limit in (10, 50, 100):
            after = None
            for _ in range(3):
                store = Store(feeds)
                page = merge_page(store, feeds, after=after, limit=limit)
                assert len(page.title_ids) == limit
                assert page.entries_read == store.read <= 3 * limit + 2 * len(feeds), (
                    order,
                    limit,
                    store.read,
                )
                after = page.last_key


def test_recommendations_stop_at_the_threshold_and_feeds_can_be_empty():
    feeds = catalogue()["rating"] | {"FEED#9#9": []}
    page = merge_page(Store(feeds), feeds, after=None, limit=1000, stop_at=RECOMMENDED_BELOW)
    expected = sorted({e for entries in feeds.values() for e in entries if e[0] < RECOMMENDED_BELOW})
    assert page.title_ids == [t for _, t in expected] and not page.more
    assert merge_page(Store({}), [], after=None, limit=10).title_ids == []


def test_rating_and_year_keys_sort_best_and_newest_first_unknown_last():
    assert by_rating(9.1, "b", "1") < by_rating(7.0, "a", "2") < by_rating(None, "a", "3")
    assert by_rating(7.1, "z", "1") < RECOMMENDED_BELOW <= by_rating(7.0, "a", "1")
    assert by_year(2026, "b", "1") < by_year(1999, "a", "1") < by_year(None, "a", "1")
    assert by_title("Amelie", "9") < by_title("Amélie 2", "1") < by_title("amelie 3", "1")
