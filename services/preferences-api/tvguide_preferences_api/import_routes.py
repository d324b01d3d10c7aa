"""Bringing a watchlist along, and taking it away: import a Letterboxd, IMDb or Trakt export (read and matched
first; then, if the viewer agrees to its cost, Watchmode's search for the rest; then added; undone in one
step), and export the watchlist as CSV."""

from __future__ import annotations

import csv
import io
import time
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field

from tvguide.api import SECURITY, json_response
from tvguide.errors import Conflict, UpstreamFailed
from tvguide.runtime import credit_ledger, watchmode_client
from tvguide.watchmode_errors import WatchmodeError
from tvguide_preferences_api.settings import preferences_api_settings as settings
from tvguide_preferences_api.store import MAX_WATCHLIST
from tvguide_preferences_api.watchlist_import import MAX_CHARS, match_rows, read_export, search_request
from tvguide_preferences_api.wiring import caller, imports, search_index, titles, watchlist

router = Router()  # type: ignore[no-untyped-call]  # Powertools' Router has no annotations
ImportId = Annotated[str, Path(pattern=r"^\d{14}[0-9a-f]{6}$", description="an import's id")]
IMPORT_PATH = "/watchlist/imports"
MAX_IMPORT_BYTES = 5 * 1024 * 1024  # an export's text as JSON (a Lambda's request is at most 6 MB)
SEARCH_SECONDS = 12.0  # a search call stops starting searches past this (the gateway waits 29 s at most)


class NewImport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: Annotated[str | None, Field(max_length=200)] = None
    content: Annotated[str, Field(min_length=1, max_length=MAX_CHARS)] = Field(
        description="the export's text: Letterboxd watchlist.csv, an IMDb list CSV, or Trakt's JSON"
    )


def _view(item: dict[str, Any]) -> dict[str, Any]:
    """An import as the site shows it: what matched, what did not (and why), and what searching costs."""
    report = item["report"]
    to_search = [u for u in report["unmatched"] if not u.get("searched")]
    ledger_state = credit_ledger(settings()).state()
    return {
        "import_id": item["import_id"],
        "status": item["status"],
        "format": item.get("format"),
        "filename": item.get("filename"),
        "rows_read": item.get("rows_read"),
        "duplicates": int(item.get("duplicates") or 0) + int(report.get("duplicates") or 0),
        "skipped": report.get("skipped") or [],
        "matched": report["matched"],
        "unmatched": report["unmatched"],
        "search": {
            "titles": len(to_search),
            "credits": len(to_search),  # one credit a search
            "credits_left": ledger_state.remaining,  # null: no monthly budget set
        },
        "added": item.get("added"),
        "removed": item.get("removed"),
        "created_at": item.get("created_at"),
    }


@router.post(IMPORT_PATH, security=SECURITY)
def create_import(body: NewImport) -> Response[str]:
    """Read an export and match its titles to the guide's (nothing is added yet): the answer says what
    matched, what did not, and what searching Watchmode for the rest would cost. At most 5,000 titles."""
    user = caller(router).sub
    found = read_export(body.content)  # InvalidRequest (400) for a wrong, damaged or hostile file
    report = match_rows(found.rows, search_index().identities())
    summary = {
        "format": found.format,
        "filename": (body.filename or "")[:200] or None,
        "rows_read": len(found.rows) + found.duplicates + len(found.skipped),
        "duplicates": found.duplicates,
    }
    saved = {
        "matched": report.matched,
        "unmatched": report.unmatched,
        "duplicates": report.duplicates,
        "skipped": found.skipped,
    }
    import_id = imports().create(user, {k: v for k, v in summary.items() if v is not None}, saved)
    return json_response(201, _view(imports().get(user, import_id)))


@router.get("/watchlist/imports", security=SECURITY)
def list_imports() -> Response[str]:
    """Your latest imports (kept 30 days), newest first."""
    return json_response(200, {"items": imports().latest(caller(router).sub)})


@router.get("/watchlist/imports/<import_id>", security=SECURITY)
def get_import(import_id: ImportId) -> Response[str]:
    return json_response(200, _view(imports().get(caller(router).sub, import_id)))


class SearchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    titles: int = Field(
        default=20, ge=1, le=50, description="how many unmatched titles to search (1 credit each)"
    )


@router.post("/watchlist/imports/<import_id>/search", security=SECURITY)
def search_import(import_id: ImportId, body: SearchBody) -> Response[str]:
    """Search Watchmode for unmatched titles (1 credit each, within the month's budget: the import's view
    says the cost first); call again for more. A title found is added with the rest, and alerts you when it
    arrives on one of your services."""
    user = caller(router).sub
    item = imports().get(user, import_id)
    if item["status"] != "preview":
        raise Conflict("This import was added already")
    report = item["report"]
    pending = [u for u in report["unmatched"] if not u.get("searched")][: body.titles]
    if not pending:
        return json_response(200, _view(item))
    ledger = credit_ledger(settings())
    reservation = ledger.reserve(len(pending), hold_seconds=120)
    if reservation.credits <= 0:
        raise Conflict("This month's Watchmode credits are spent: the rest can be searched next month")
    client = watchmode_client("imports", settings())
    client.take_credits()
    started, searched, failure = time.monotonic(), 0, None
    try:
        for row in pending[: reservation.credits]:
            if time.monotonic() - started > SEARCH_SECONDS:
                break
            field, value = search_request(row)
            try:
                results = client.search(field, value)
            except WatchmodeError as error:  # what was found so far is kept; the rest can be searched again
                failure = error
                break
            pick = _pick(results, row)
            row["searched"] = True
            searched += 1
            if pick is None:
                row["reason"] = "Watchmode does not know it either"
                continue
            report["unmatched"].remove(row)
            if any(m["title_id"] == pick["id"] for m in report["matched"]):
                report["duplicates"] = int(report.get("duplicates") or 0) + 1
                continue
            matched = {"row": row["row"], "name": pick["name"] or row["name"], "year": pick["year"]}
            matched["imdb_id"] = pick["imdb_id"] or row.get("imdb_id")
            report["matched"].append(matched | {"title_id": pick["id"], "how": "watchmode"})
    finally:
        ledger.settle("imports", reservation, client.take_credits())
    imports().save_report(user, import_id, report, searched)
    if failure is not None:
        raise UpstreamFailed(
            f"Watchmode's search failed after {searched} title(s): {failure}. Try again later"
        )
    return json_response(200, _view(imports().get(user, import_id)))


def _pick(results: list[dict[str, Any]], row: dict[str, Any]) -> dict[str, Any] | None:
    """An id search's one result; a name search's result of the row's year (or its only result)."""
    if not results:
        return None
    if row.get("imdb_id") or row.get("tmdb"):
        return results[0]
    year = row.get("year")
    same = [r for r in results if year is not None and r["year"] is not None and abs(r["year"] - year) <= 1]
    if same:
        return same[0]
    return results[0] if len(results) == 1 and year is None else None


@router.post("/watchlist/imports/<import_id>/add", security=SECURITY)
def add_import(import_id: ImportId) -> Response[str]:
    """Add the import's matched titles to your watchlist: never a duplicate, and as many as it has room for
    (500 titles); an add cut short is finished by calling again."""
    user = caller(router).sub
    item = imports().get(user, import_id)
    if item["status"] in ("added", "undone"):
        raise Conflict(f"This import was {item['status']} already")
    if item["status"] == "preview":
        have = {str(e["title_id"]) for e in watchlist().entries(user)}
        room = max(0, MAX_WATCHLIST - len(have))
        fresh = [m["title_id"] for m in item["report"]["matched"] if m["title_id"] not in have][:room]
        imports().start_adding(user, import_id, fresh)  # recorded before anything is written
        planned = set(fresh)
    else:  # an add cut short: what it recorded it would write
        planned = set(item["added_ids"])
    matched = [m for m in item["report"]["matched"] if m["title_id"] in planned]
    known = titles().get_many(m["title_id"] for m in matched)
    entries = [
        {"title_id": m["title_id"]}
        | ({} if m["title_id"] in known else {k: m.get(k) for k in ("name", "year", "imdb_id")})
        for m in matched
    ]
    written = imports().add_entries(user, entries, import_id)
    imports().finish(user, import_id, "added", added=len(written))
    view = _view(imports().get(user, import_id))
    left_out = len(item["report"]["matched"]) - len(planned)
    return json_response(200, view | {"not_added": left_out, "message": f"{len(written)} title(s) added"})


@router.delete("/watchlist/imports/<import_id>", security=SECURITY)
def undo_import(import_id: ImportId) -> Response[str]:
    """Undo an import in one step: every title it added leaves your watchlist (titles you had before stay).
    An import not added yet is discarded."""
    user = caller(router).sub
    item = imports().get(user, import_id)
    if item["status"] == "preview":
        imports().discard(user, import_id)
        return json_response(200, {"message": "Import discarded", "removed": 0})
    if item["status"] == "undone":
        return json_response(200, {"message": "This import was undone already", "removed": 0})
    removed = imports().remove_entries(user, item["added_ids"], import_id)
    imports().finish(user, import_id, "undone", removed=removed)
    return json_response(200, {"message": f"Import undone: {removed} title(s) removed", "removed": removed})


EXPORT_COLUMNS = ["title_id", "title", "year", "type", "imdb_id", "tmdb_id", "added_at"]


def _cell(value: Any) -> str:
    """A spreadsheet cell that is never a formula (a name starting with = + - @ is quoted)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@router.get("/watchlist/export", security=SECURITY)
def export_watchlist() -> Response[str]:
    """Your watchlist as CSV (title, year, type, IMDb and TMDb ids where known, when you added it)."""
    user = caller(router).sub
    entries = watchlist().entries(user)
    records = titles().get_many(str(e["title_id"]) for e in entries)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for entry in entries:
        record = records.get(str(entry["title_id"])) or {}
        row = {"title_id": entry["title_id"], "added_at": entry.get("added_at")}
        row |= {k: record.get(k) or entry.get(k) for k in ("title", "year", "type", "imdb_id", "tmdb_id")}
        writer.writerow([_cell(row.get(c)) for c in EXPORT_COLUMNS])
    return Response(
        status_code=200,
        content_type="text/csv; charset=utf-8",
        body=out.getvalue(),
        headers={"Content-Disposition": 'attachment; filename="uk-tv-guide-watchlist.csv"'},
    )
