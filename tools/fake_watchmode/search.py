"""The fake's `/v1/search/`: by name (every word, any case), IMDb id or TMDb id; at most 50 results."""

from __future__ import annotations

from typing import Any

SEARCH_FIELDS = {"name", "imdb_id", "tmdb_movie_id", "tmdb_tv_id"}


def search_titles(titles: list[Any], field: str, value: str) -> dict[str, Any]:
    if field == "name":
        words = value.casefold().split()
        found = [t for t in titles if all(w in t.title.casefold() for w in words)]
    elif field == "imdb_id":
        found = [t for t in titles if t.imdb_id == value]
    else:
        kind = "movie" if field == "tmdb_movie_id" else "tv"
        found = [t for t in titles if str(t.tmdb_id) == value and t.tmdb_type == kind]
    results = [
        {"resultType": "title", "name": t.title} | {k: v for k, v in t.summary().items() if k != "title"}
        for t in found[:50]
    ]
    return {"title_results": results, "people_results": []}
