"""Watchlists from elsewhere, independent of HTTP: a Letterboxd `watchlist.csv`, an IMDb list export (CSV with
`tt` ids) or a Trakt JSON export read into rows, and the rows matched to the guide's titles (by IMDb id, TMDb
id, then name and year) in memory (`tvguide.search.TitleIdentities`). A wrong or hostile file is refused
with a clear reason before anything is written."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from tvguide.errors import InvalidRequest
from tvguide.search import TitleIdentities, fold

MAX_ROWS = 5_000
MAX_CHARS = 1_500_000  # 300 characters a row: far above a real export's (5,000 rows are ~250 KB)
MAX_FIELD = 300  # characters kept of a name
IMDB_ID = re.compile(r"^tt\d{5,10}$")
Format = Literal["letterboxd", "imdb", "trakt"]
NOT_AN_EXPORT = (
    "This is not a Letterboxd, IMDb or Trakt export: choose Letterboxd's watchlist.csv, an IMDb list's CSV "
    "(with a Const column of tt ids) or Trakt's watchlist JSON"
)


@dataclass(frozen=True)
class ImportRow:
    row: int  # the title's place in the file (1: the first title)
    name: str | None
    year: int | None = None
    imdb_id: str | None = None
    tmdb: str | None = None  # "movie/194", "tv/1399"

    def key(self) -> str:
        """What makes two rows the same title: an id, else the folded name and year."""
        return self.imdb_id or self.tmdb or f"{fold(self.name or '')}|{self.year or ''}"


@dataclass
class ImportFile:
    format: Format
    rows: list[ImportRow]
    duplicates: int = 0  # rows naming a title an earlier row named
    skipped: list[dict[str, Any]] = field(default_factory=list)  # {row, reason}: not a title


def _text(value: Any, limit: int = MAX_FIELD) -> str | None:
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    text = "".join(c for c in text if unicodedata.category(c) not in {"Cc", "Cf", "Co", "Cs"})
    return text[:limit] or None


def _year(value: Any) -> int | None:
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    return int(text) if text.isdigit() and 1870 <= int(text) <= 2100 else None


def _check_text(content: str) -> str:
    if len(content) > MAX_CHARS:
        raise InvalidRequest("The file is too large: at most 1.5 MB (5,000 titles) can be imported at once")
    head = content[:20_000]
    controls = sum(1 for c in head if c < " " and c not in "\t\r\n")
    if "\x00" in content or controls > 10:
        raise InvalidRequest("This file is not text (is it a zip or an image?): " + NOT_AN_EXPORT)
    if head.count("\ufffd") > 10:
        raise InvalidRequest("This file is not UTF-8 text: export it again, or save it as UTF-8 (CSV UTF-8)")
    return content.removeprefix("\ufeff").strip()


def _too_many(count: int) -> InvalidRequest:
    return InvalidRequest(
        f"The file has {count:,} titles: at most {MAX_ROWS:,} can be imported at once (split the file)"
    )


def _csv_rows(text: str) -> tuple[list[str], Any]:  # the csv module's reader (its line_num is used)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise InvalidRequest(NOT_AN_EXPORT) from exc
    return header, reader


def _read_csv(text: str) -> ImportFile:
    header, reader = _csv_rows(text)
    columns = {name: i for i, name in enumerate(header)}
    if {"name", "year", "letterboxd uri"} <= columns.keys():
        kind: Format = "letterboxd"
        name_at, year_at, id_at = columns["name"], columns.get("year"), None
    elif {"const", "title"} <= columns.keys():
        kind = "imdb"
        name_at, year_at, id_at = columns["title"], columns.get("year"), columns["const"]
    else:
        raise InvalidRequest(NOT_AN_EXPORT)
    found = ImportFile(kind, [])
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            number = len(found.rows) + len(found.skipped) + 1
            if number > MAX_ROWS:
                raise _too_many(number + sum(1 for c in reader if any(x.strip() for x in c)))

            def cell(at: int | None, row: list[str] = cells) -> str | None:
                return row[at] if at is not None and at < len(row) else None

            imdb = (cell(id_at) or "").strip() or None
            name = _text(cell(name_at))
            if kind == "imdb" and not (imdb and IMDB_ID.match(imdb)):
                found.skipped.append({"row": number, "reason": "no IMDb id (tt...) in the Const column"})
                continue
            if not name and not imdb:
                found.skipped.append({"row": number, "reason": "no name"})
                continue
            found.rows.append(ImportRow(number, name, _year(cell(year_at)), imdb))
    except csv.Error as exc:
        raise InvalidRequest(f"The CSV file is damaged near line {reader.line_num}: {exc}") from exc
    return found


TRAKT_KINDS = {"movie": "movie", "show": "show", "season": "show", "episode": "show"}


def _read_trakt(text: str) -> ImportFile:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidRequest("This JSON file cannot be read: " + NOT_AN_EXPORT) from exc
    if isinstance(data, dict):  # some tools wrap the list
        data = data.get("watchlist", data.get("items"))
    if not isinstance(data, list):
        raise InvalidRequest(NOT_AN_EXPORT)
    if len(data) > MAX_ROWS:
        raise _too_many(len(data))
    found = ImportFile("trakt", [])
    for number, item in enumerate(data, 1):
        kind = TRAKT_KINDS.get(str(item.get("type"))) if isinstance(item, dict) else None
        body = item.get(kind) if kind and isinstance(item, dict) else None
        if not isinstance(body, dict):
            found.skipped.append({"row": number, "reason": "not a movie or a show"})
            continue
        ids: dict[str, Any] = body["ids"] if isinstance(body.get("ids"), dict) else {}
        imdb = str(ids.get("imdb") or "").strip()
        tmdb = ids.get("tmdb")
        tmdb_ok = isinstance(tmdb, int) and not isinstance(tmdb, bool) and tmdb > 0
        name = _text(body.get("title"))
        if not (name or IMDB_ID.match(imdb) or tmdb_ok):
            found.skipped.append({"row": number, "reason": "no name and no id"})
            continue
        found.rows.append(
            ImportRow(
                number,
                name,
                _year(body.get("year")),
                imdb if IMDB_ID.match(imdb) else None,
                f"{'movie' if kind == 'movie' else 'tv'}/{tmdb}" if tmdb_ok else None,
            )
        )
    return found


def read_export(content: str) -> ImportFile:
    """The titles of an export, each named once (a later row naming the same title counts as a duplicate).
    InvalidRequest, saying why, for anything else."""
    text = _check_text(content)
    if not text:
        raise InvalidRequest("The file is empty")
    found = _read_trakt(text) if text[0] in "[{" else _read_csv(text)
    unique: dict[str, ImportRow] = {}
    for row in found.rows:
        unique.setdefault(row.key(), row)
    found.duplicates = len(found.rows) - len(unique)
    found.rows = list(unique.values())
    if not found.rows:
        raise InvalidRequest("The file lists no titles")
    return found


@dataclass
class MatchReport:
    matched: list[dict[str, Any]] = field(default_factory=list)  # {row, name, year, title_id, how}
    unmatched: list[dict[str, Any]] = field(default_factory=list)  # {row, name, year, imdb_id, tmdb, reason}
    duplicates: int = 0  # rows that matched a title an earlier row matched


def _by_name(row: ImportRow, identities: TitleIdentities) -> tuple[str | None, str]:
    candidates = identities.by_name.get(fold(row.name or ""), [])
    if row.year is not None:
        exact = [t for t, y in candidates if y == row.year]
        near = [t for t, y in candidates if y is not None and abs(y - row.year) == 1]
        chosen = exact or near
        return (chosen[0], "") if len(chosen) == 1 else (None, "no title of this name and year in the guide")
    if len(candidates) == 1:
        return candidates[0][0], ""
    return None, "several titles have this name: the file gives no year" if candidates else "not in the guide"


def match_rows(rows: list[ImportRow], identities: TitleIdentities) -> MatchReport:
    """Each row matched to a title the guide knows: by IMDb id, TMDb id, then name and year (a year off by
    one counts, as release years differ between sites)."""
    report, seen = MatchReport(), set()
    for row in rows:
        title_id, how, reason = None, "", "not in the guide"
        if row.imdb_id and row.imdb_id in identities.by_imdb:
            title_id, how = identities.by_imdb[row.imdb_id], "imdb"
        elif row.tmdb and row.tmdb in identities.by_tmdb:
            title_id, how = identities.by_tmdb[row.tmdb], "tmdb"
        elif row.name:
            title_id, reason = _by_name(row, identities)
            how = "name"
        if title_id is None:
            report.unmatched.append(asdict(row) | {"reason": reason})
        elif title_id in seen:
            report.duplicates += 1
        else:
            seen.add(title_id)
            report.matched.append(
                {"row": row.row, "name": row.name, "year": row.year, "title_id": title_id, "how": how}
            )
    return report


def search_request(row: dict[str, Any]) -> tuple[str, str]:
    """Watchmode's search for an unmatched row: by its IMDb id, else its TMDb id, else its name."""
    if row.get("imdb_id"):
        return "imdb_id", str(row["imdb_id"])
    if row.get("tmdb"):
        kind, _, number = str(row["tmdb"]).partition("/")
        return ("tmdb_movie_id" if kind == "movie" else "tmdb_tv_id"), number
    return "name", str(row.get("name") or "")
