"""A deterministic, realistic GB catalogue generated from a seed (nothing large is committed).

Each title is a movie or a series with 1-3 genres fitting its type, available on a weighted subset of the GB
sources (big services carry more), with details that are sometimes partial (no poster, no plot, no rating)
as real data is. A handful of titles carry hostile HTML in their title and plot, for safe-rendering tests.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from fake_watchmode.reference_data import GB_SOURCES, GENRES, SOURCE_WEIGHTS

MOVIE_GENRES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 31, 32, 38]
TV_GENRES = [3, 4, 5, 6, 7, 8, 13, 21, 22, 23, 25, 26, 28, 29, 33, 34, 35, 36, 37, 39, 40, 41]
TYPES = [
    ("movie", 0.55),
    ("tv_series", 0.33),
    ("tv_miniseries", 0.07),
    ("tv_special", 0.03),
    ("short_film", 0.02),
]

_ADJ = [
    "Silent",
    "Broken",
    "Hidden",
    "Last",
    "Golden",
    "Crimson",
    "Northern",
    "Quiet",
    "Lost",
    "Bright",
    "Savage",
    "Wild",
    "Electric",
    "Hollow",
    "Iron",
    "Secret",
    "Distant",
    "Burning",
    "Frozen",
    "Velvet",
    "Gentle",
    "Final",
    "Endless",
    "Scarlet",
    "Midnight",
]
_NOUN = [
    "River",
    "Kingdom",
    "Garden",
    "Harbour",
    "Signal",
    "Detective",
    "Orchard",
    "Empire",
    "Witness",
    "Frontier",
    "Station",
    "Island",
    "Inheritance",
    "Lighthouse",
    "Protocol",
    "Academy",
    "Circus",
    "Republic",
    "Village",
    "Mirror",
    "Canal",
    "Summer",
    "Moor",
    "Regiment",
    "Bakery",
]
_PLACE = [
    "Yorkshire",
    "Glasgow",
    "Brighton",
    "Cornwall",
    "Belfast",
    "Cardiff",
    "London",
    "Skye",
    "Norfolk",
    "Whitby",
    "Kent",
    "Dover",
    "Bath",
    "Oxford",
    "Leeds",
]
_HOSTILE = [
    ('<script>alert("xss")</script> Night Shift', "<img src=x onerror=alert(1)> A guard works nights."),
    ("Tom & Jerry's <b>Bold</b> Escape", 'Plot with "quotes" & <a href="javascript:alert(1)">a link</a>.'),
    ("</div><svg onload=alert(2)>", "<iframe src=javascript:alert(3)></iframe>Credits roll."),
    ("Robert'); DROP TABLE titles;--", "A story about ${7*7} and {{constructor.constructor('alert(4)')()}}."),
]


# Names with accents (search must find "Amélie" by "amelie"), given to every 101st title from the 50th.
_ACCENTED = [
    "Amélie",
    "Café Society",
    "Les Misérables",
    "Pokémon Détective Pikachu",
    "Señora Acero",
    "Naïve Björk",
]


def _title_name(rng: random.Random) -> str:
    pattern = rng.randrange(5)
    if pattern == 0:
        return f"The {rng.choice(_ADJ)} {rng.choice(_NOUN)}"
    if pattern == 1:
        return f"{rng.choice(_NOUN)} of {rng.choice(_PLACE)}"
    if pattern == 2:
        return f"{rng.choice(_ADJ)} {rng.choice(_NOUN)}s"
    if pattern == 3:
        return f"{rng.choice(_PLACE)} {rng.choice(_NOUN)}"
    return f"The {rng.choice(_NOUN)} at {rng.choice(_PLACE)}"


@dataclass
class FakeTitle:
    id: int
    title: str
    year: int
    type: str
    genres: list[int]
    source_ids: list[int]
    imdb_id: str | None
    tmdb_id: int | None
    plot_overview: str | None
    poster: bool
    user_rating: float | None
    critic_score: int | None
    runtime_minutes: int | None
    popularity: int
    relevance: float
    release_date: str
    end_year: int | None = None
    similar_titles: list[int] = field(default_factory=list)

    @property
    def tmdb_type(self) -> str:
        return "movie" if self.type in ("movie", "short_film") else "tv"

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "year": self.year,
            "imdb_id": self.imdb_id,
            "tmdb_id": self.tmdb_id,
            "tmdb_type": self.tmdb_type,
            "type": self.type,
        }

    def details(self, poster_base: str) -> dict[str, Any]:
        genre_names = dict((g[0], g[1]) for g in GENRES)
        poster = f"{poster_base}/posters/{self.id}.svg" if self.poster else None
        return {
            **self.summary(),
            "original_title": self.title,
            "plot_overview": self.plot_overview,
            "runtime_minutes": self.runtime_minutes,
            "end_year": self.end_year,
            "release_date": self.release_date,
            "genres": self.genres,
            "genre_names": [genre_names[g] for g in self.genres],
            "user_rating": self.user_rating,
            "critic_score": self.critic_score,
            "us_rating": "PG-13" if self.type == "movie" else "TV-14",
            "poster": poster,
            "posterLarge": poster,
            "backdrop": None,
            "original_language": "en",
            "similar_titles": self.similar_titles,
            "networks": [],
            "network_names": [],
            "trailer": None,
            "trailer_thumbnail": None,
            "relevance_percentile": self.relevance,
            "popularity_percentile": self.popularity,
        }


class Catalogue:
    def __init__(self, seed: int = 20261121, size: int = 3000) -> None:
        self.seed = seed
        self.size = size

    @cached_property
    def sources(self) -> list[dict[str, Any]]:
        return [
            {
                "id": sid,
                "name": name,
                "type": stype,
                "logo_100px": f"https://cdn.watchmode.com/provider_logos/{sid}_100px.png",
                "ios_appstore_url": None,
                "android_playstore_url": None,
                "android_scheme": None,
                "ios_scheme": None,
                "regions": ["GB"],
            }
            for sid, name, stype in GB_SOURCES
        ]

    @cached_property
    def genres(self) -> list[dict[str, Any]]:
        return [{"id": gid, "name": name, "tmdb_id": tmdb} for gid, name, tmdb in GENRES]

    @cached_property
    def titles(self) -> list[FakeTitle]:
        rng = random.Random(self.seed)
        source_ids = [s[0] for s in GB_SOURCES]
        weights = [SOURCE_WEIGHTS.get(s, 1.0) for s in source_ids]
        purchase = [s[0] for s in GB_SOURCES if s[2] == "purchase"]
        titles: list[FakeTitle] = []
        for n in range(self.size):
            title_id = 1_000_000 + n * 7 + rng.randrange(7)
            ttype = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
            pool = MOVIE_GENRES if ttype in ("movie", "short_film") else TV_GENRES
            genres = sorted(rng.sample(pool, rng.choices([1, 2, 3], [0.35, 0.45, 0.2])[0]))
            sources = set()
            for _ in range(rng.choices([1, 2, 3, 4], [0.35, 0.35, 0.2, 0.1])[0]):
                sources.add(rng.choices(source_ids, weights)[0])
            if ttype == "movie" and rng.random() < 0.3:
                sources.update(rng.sample(purchase, 2))
            year = rng.randint(1960, 2026)
            name, plot = _title_name(rng), None
            if n < len(_HOSTILE) * 97 and n % 97 == 0:
                name, plot = _HOSTILE[n // 97]
            elif n % 101 == 50 and n // 101 < len(_ACCENTED):
                name = _ACCENTED[n // 101]
            if plot is None and rng.random() > 0.06:
                place, mood = rng.choice(_PLACE), rng.choice(_ADJ).lower()
                plot = f"In {place}, {name.lower()} changes everything for a {mood} family."
            rating = round(min(10.0, max(1.0, rng.gauss(6.6, 1.2))), 1) if rng.random() > 0.05 else None
            titles.append(
                FakeTitle(
                    id=title_id,
                    title=name,
                    year=year,
                    type=ttype,
                    genres=genres,
                    source_ids=sorted(sources),
                    imdb_id=f"tt{rng.randrange(10**6, 10**7)}" if rng.random() > 0.03 else None,
                    tmdb_id=rng.randrange(1000, 900000),
                    plot_overview=plot,
                    poster=rng.random() > 0.07,
                    user_rating=rating,
                    critic_score=rng.randrange(20, 100) if rating and rng.random() > 0.3 else None,
                    runtime_minutes=rng.randrange(80, 170) if ttype == "movie" else rng.randrange(22, 65),
                    popularity=rng.randrange(1, 100),
                    relevance=round(rng.uniform(1, 100), 2),
                    release_date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    end_year=(year + rng.randrange(0, 8)) if ttype == "tv_series" else None,
                )
            )
        ids = [t.id for t in titles]
        for t in titles:
            t.similar_titles = rng.sample(ids, 3)
        return titles

    @cached_property
    def by_id(self) -> dict[int, FakeTitle]:
        return {t.id: t for t in self.titles}

    def set_availability(self, title_id: int, source_id: int, available: bool) -> FakeTitle:
        """Put a title on a source, or take it off (the fake's control route; tests replay the same
        changes on their own copy of the catalogue)."""
        title = self.by_id.get(title_id)
        if title is None:
            raise KeyError(f"no title {title_id} in the catalogue")
        if source_id not in {s[0] for s in GB_SOURCES}:
            raise KeyError(f"no source {source_id} in the catalogue")
        sources = set(title.source_ids)
        sources = sources | {source_id} if available else sources - {source_id}
        title.source_ids = sorted(sources)
        return title

    def matching(
        self,
        source_ids: set[int] | None = None,
        genres: set[int] | None = None,
        types: set[str] | None = None,
    ) -> list[FakeTitle]:
        """Titles on any of `source_ids` and in any of `genres` (Watchmode's OR semantics)."""
        return [
            t
            for t in self.titles
            if (not source_ids or source_ids.intersection(t.source_ids))
            and (not genres or genres.intersection(t.genres))
            and (not types or t.type in types)
        ]


SORTS: dict[str, tuple[Any, bool]] = {
    "relevance_desc": (lambda t: t.relevance, True),
    "relevance_asc": (lambda t: t.relevance, False),
    "popularity_desc": (lambda t: t.popularity, False),  # 1 = most popular
    "popularity_asc": (lambda t: t.popularity, True),
    "release_date_desc": (lambda t: t.release_date, True),
    "release_date_asc": (lambda t: t.release_date, False),
    "title_asc": (lambda t: t.title.lower(), False),
    "title_desc": (lambda t: t.title.lower(), True),
}


def sort_titles(titles: list[FakeTitle], sort_by: str) -> list[FakeTitle]:
    key, reverse = SORTS[sort_by]
    return sorted(titles, key=lambda t: (key(t), t.id), reverse=reverse)
