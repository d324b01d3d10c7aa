"""The viewers' feed: the titles on each source, per genre, in every display order, read a page at a time
at a cost that does not grow with the catalogue.

- `entries`: what is stored per availability row (a title on a source) and how writers keep it current;
- `heads`: each feed's first entries in one item, so a page reads all its feeds with one BatchGetItem, and
  how writers tell a head it may be out of date;
- `merge`: a viewer's page, merged from the feeds of their sources x genres.

Here: the words the three share.
"""

from __future__ import annotations

from typing import Literal

Order = Literal["title", "rating", "year"]
ANY_GENRE = "*"
INDEXES: dict[Order, tuple[str, str]] = {  # order -> (index name, its sort key attribute)
    "title": ("feed_title", "by_title"),
    "rating": ("feed_rating", "by_rating"),
    "year": ("feed_year", "by_year"),
}


def feed_pk(source_id: str, genre_id: str = ANY_GENRE) -> str:
    return f"FEED#{source_id}#{genre_id}"
