"""Reading watchlist exports as Letterboxd, IMDb and Trakt write them, and matching them to the guide."""

from __future__ import annotations

import json

import pytest

from tvguide.errors import InvalidRequest
from tvguide.search import TitleIdentities, fold
from tvguide_preferences_api.watchlist_import import MAX_ROWS, match_rows, read_export, search_request

LETTERBOXD = (
    "\ufeffDate,Name,Year,Letterboxd URI\r\n"
    "2023-01-05,Amélie,2001,https://boxd.it/2b0k\r\n"
    '2023-02-10,"Crouching Tiger, Hidden Dragon",2000,https://boxd.it/1Y3S\r\n'
    '2023-03-01,"The ""Burbs""",1989,https://boxd.it/xyz\r\n'
    "2023-03-02,Untitled Project,,https://boxd.it/abc\r\n"
    "2023-03-03,Amélie,2001,https://boxd.it/2b0k\r\n"
    "\r\n"
)
IMDB = (
    "Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,"
    "Runtime (mins),Year,Genres,Num Votes,Release Date,Directors,Your Rating,Date Rated\n"
    "1,tt0211915,2023-01-01,2023-01-01,,Amélie,Le fabuleux destin d'Amélie Poulain,"
    'https://www.imdb.com/title/tt0211915/,Movie,8.3,122,2001,"Comedy, Romance",780000,2001-04-25,'
    "Jean-Pierre Jeunet,,\n"
    "2,tt5753856,2023-01-02,2023-01-02,,Dark,Dark,https://www.imdb.com/title/tt5753856/,TV Series,8.7,60,"
    "2017,Crime,400000,2017-12-01,,,\n"
    "3,ls0001,2023-01-03,2023-01-03,,A list,,https://www.imdb.com/list/ls0001/,,,,,,,,,,\n"
)
TRAKT = [
    {
        "rank": 1,
        "listed_at": "2023-01-01T00:00:00.000Z",
        "type": "movie",
        "movie": {"title": "Amélie", "year": 2001, "ids": {"trakt": 1, "imdb": "tt0211915", "tmdb": 194}},
    },
    {"type": "show", "show": {"title": "Dark", "year": 2017, "ids": {"trakt": 2, "tmdb": 70523}}},
    {
        "type": "season",
        "season": {"number": 1},
        "show": {"title": "Dark", "year": 2017, "ids": {"tmdb": 70523}},
    },
    {"type": "person", "person": {"name": "Someone"}},
]


def test_a_letterboxd_watchlist_keeps_accents_quotes_and_missing_years_and_counts_duplicates():
    found = read_export(LETTERBOXD)
    assert found.format == "letterboxd" and found.duplicates == 1
    assert [(r.name, r.year) for r in found.rows] == [
        ("Amélie", 2001),
        ("Crouching Tiger, Hidden Dragon", 2000),
        ('The "Burbs"', 1989),
        ("Untitled Project", None),
    ]


def test_an_imdb_list_reads_its_tt_ids_and_skips_rows_without_one():
    found = read_export(IMDB)
    assert found.format == "imdb"
    assert [(r.imdb_id, r.name, r.year) for r in found.rows] == [
        ("tt0211915", "Amélie", 2001),
        ("tt5753856", "Dark", 2017),
    ]
    assert found.skipped == [{"row": 3, "reason": "no IMDb id (tt...) in the Const column"}]


def test_a_trakt_export_reads_movies_and_shows_by_their_ids():
    found = read_export(json.dumps(TRAKT))
    assert found.format == "trakt" and found.duplicates == 1  # the season is its show
    assert [(r.name, r.imdb_id, r.tmdb) for r in found.rows] == [
        ("Amélie", "tt0211915", "movie/194"),
        ("Dark", None, "tv/70523"),
    ]
    assert found.skipped == [{"row": 4, "reason": "not a movie or a show"}]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + "\x00" * 50, "not text"),
        ("PK\x03\x04\x14\x00\x06\x00" + "\ufffd\x01\x02" * 40, "not text"),
        ("Date,Name,Year,Letterboxd URI\n" + "2023-01-01,Am\ufffdlie,2001,u\n" * 20, "not UTF-8"),
        ("title;year\nHeat;1995\n", "not a Letterboxd, IMDb or Trakt export"),
        ('{"not": "a list"}', "not a Letterboxd, IMDb or Trakt export"),
        ("[1, 2", "cannot be read"),
        ("", "empty"),
        ("Date,Name,Year,Letterboxd URI\n", "lists no titles"),
        ('Date,Name,Year,Letterboxd URI\n2023-01-01,"unclosed,2001,x\n', "damaged"),
        ("[" + "[" * 100_000 + "]" * 100_000 + "]", "not a movie or a show|lists no titles|cannot be read"),
    ],
)
def test_a_wrong_or_hostile_file_is_refused_with_a_reason(content, says):
    with pytest.raises(InvalidRequest) as refused:
        read_export(content)
    assert any(part in str(refused.value) for part in says.split("|")), str(refused.value)


def test_at_most_5000_titles_are_read():
    rows = "".join(f"2023-01-01,Title {n},2001,https://boxd.it/{n}\n" for n in range(MAX_ROWS + 1))
    with pytest.raises(InvalidRequest, match="5,001 titles: at most 5,000"):
        read_export("Date,Name,Year,Letterboxd URI\n" + rows)
    assert len(read_export("Date,Name,Year,Letterboxd URI\n" + rows.split("\n", 1)[1]).rows) == MAX_ROWS
    with pytest.raises(InvalidRequest, match="5,001 titles"):
        read_export(json.dumps([TRAKT[0]] * (MAX_ROWS + 1)))


def test_rows_match_by_imdb_id_tmdb_id_then_name_and_year():
    guide = TitleIdentities(
        by_imdb={"tt0211915": "1"},
        by_tmdb={"tv/70523": "2"},
        by_name={
            fold("Amélie"): [("1", 2001)],
            fold("Dark"): [("2", 2017)],
            fold("Crouching Tiger, Hidden Dragon"): [("3", 2000)],
            fold('The "Burbs"'): [("4", 1989)],
            fold("Untitled Project"): [("5", 2019), ("6", 2021)],
        },
    )
    report = match_rows(read_export(LETTERBOXD).rows, guide)
    assert [(m["title_id"], m["how"]) for m in report.matched] == [
        ("1", "name"),
        ("3", "name"),
        ("4", "name"),
    ]
    assert report.unmatched[0]["name"] == "Untitled Project"
    assert "several titles" in report.unmatched[0]["reason"]
    trakt = match_rows(read_export(json.dumps(TRAKT)).rows, guide)
    assert [(m["title_id"], m["how"]) for m in trakt.matched] == [("1", "imdb"), ("2", "tmdb")]
    # Two rows naming one title (its IMDb id, and its name elsewhere) add it once.
    both = match_rows(read_export(IMDB).rows + read_export(LETTERBOXD).rows[:1], guide)
    assert both.duplicates == 1


def test_what_watchmode_is_asked_for_an_unmatched_row():
    assert search_request({"imdb_id": "tt1", "name": "X"}) == ("imdb_id", "tt1")
    assert search_request({"tmdb": "tv/70523", "name": "Dark"}) == ("tmdb_tv_id", "70523")
    assert search_request({"name": "Heat", "year": 1995}) == ("name", "Heat")
