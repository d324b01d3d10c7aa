"""The title search index: every title's folded name, in a few shard items the viewer API keeps in memory.

| item | pk | sk | attributes |
|---|---|---|---|
| search shard | `SEARCHSHARD#<nn>` (title id mod 32) | `NAMES` | `t<id>`: folded name; `x<id>`: ids |
| shard versions | `SEARCHINDEX` | `VERSIONS` | `s<nn>`: changes of shard nn |

Names are folded (case and accents: "Amélie" is kept as "amelie"), so a word or a prefix of one matches by
comparing strings. Why this index: a search must find a prefix among every word of every title, and match
the best first. In DynamoDB that is a Query per word typed over a partition that grows with the catalogue
(the first design: 963 ms p95 at 30,000 titles on the local stack). The names of 30,000 titles are about
1 MB, so each viewer-API container loads them once (32 items, one BatchGetItem) and searches them in
memory, sorted by word. A search then costs one GetItem: the versions item, which tells the container which
shards changed since it loaded them (those it reads again). The consumer, which already writes each title
as it changes, sets the name in its shard and then adds 1 to the shard's version, so a container never
takes an older shard for a newer one. No extra service, no file to rebuild, nothing to deploy when the
catalogue grows (a shard item, at most 400 KB, holds about 12,000 names: 32 hold some 400,000 titles). A
batch of titles costs the consumer one UpdateItem per shard it touches, and one for the versions.

The same shards say who each title is elsewhere (`x<id>`: "year|imdb id|tmdb type/id", the parts known),
so an imported watchlist is matched by IMDb/TMDb id or by name and year in memory, whatever the file's size.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tvguide.repositories import TableRepository

# A title record's `search_version` says its name is indexed this way; a title without it (stored before
# the index existed, or indexed an older way) is indexed again the next time a crawl sees it.
SEARCH_VERSION = 3  # 3: with the title's year and IMDb / TMDb ids
SEARCH_SHARDS = 32
SHARD_PREFIX = "SEARCHSHARD#"
VERSIONS_KEY = {"pk": "SEARCHINDEX", "sk": "VERSIONS"}
MIN_WORD = 2  # a word (or prefix) must have at least this many letters to be indexed or searched
MAX_MATCHES_PER_WORD = 500  # matches kept per word typed (its first in word order)
MAX_NAME = 200
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, accents removed, anything but letters and digits a space: "Amélie!" -> "amelie"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_ALNUM.sub(" ", plain.replace("ß", "ss")).strip()


def words(text: str) -> list[str]:
    """The distinct searchable words of a text, in order."""
    return list(dict.fromkeys(w for w in fold(text).split() if len(w) >= MIN_WORD))


def shard_of(title_id: str) -> int:
    number = int(title_id) if title_id.isdigit() else zlib.crc32(title_id.encode())
    return number % SEARCH_SHARDS


def shard_key(shard: int) -> dict[str, str]:
    return {"pk": f"{SHARD_PREFIX}{shard:02d}", "sk": "NAMES"}


def name_attribute(title_id: str) -> str:
    return f"t{title_id}"


def identity_attribute(title_id: str) -> str:
    return f"x{title_id}"


def identity_value(year: int | None, imdb_id: str | None, tmdb: str | None) -> str | None:
    """ "2001|tt0211915|movie/194" (a part unknown is empty); None when nothing is known."""
    parts = [str(year or ""), imdb_id or "", tmdb or ""]
    return "|".join(parts) if any(parts) else None


def version_attribute(shard: int) -> str:
    return f"s{shard:02d}"


def shard_names(names: Iterable[tuple[str, str]]) -> dict[int, dict[str, str]]:
    """(title id, name) pairs as each shard's attributes to set: {shard: {"t<id>": folded name}}."""
    shards: dict[int, dict[str, str]] = {}
    for title_id, name in names:
        shards.setdefault(shard_of(title_id), {})[name_attribute(title_id)] = fold(name)[:MAX_NAME]
    return shards


class _Shard:
    """One shard in memory: its names, its (word, title id) pairs in word order, and the titles' years and
    ids elsewhere."""

    def __init__(self, item: Mapping[str, Any]) -> None:
        self.names = {k[1:]: str(v) for k, v in item.items() if k.startswith("t") and k[1:].isalnum()}
        self.identities = {
            k[1:]: str(v).split("|") for k, v in item.items() if k.startswith("x") and k[1:] in self.names
        }
        self.words = sorted(
            (word, title_id)
            for title_id, name in self.names.items()
            for word in dict.fromkeys(name.split())
            if len(word) >= MIN_WORD
        )


class SearchIndex(TableRepository):
    """The search shards, loaded once per container and read again only when their version moves."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shards: dict[int, _Shard] = {}
        self._versions: dict[int, int] = {}
        self.shards_read = 0  # shard items read by the last refresh

    def refresh(self) -> None:
        """Read the versions item, then every shard whose version moved (their content is at least as
        new as the versions read, so nothing is missed the next time)."""
        item = self.table.get_item(Key=VERSIONS_KEY).get("Item") or {}
        versions = {n: int(item.get(version_attribute(n)) or 0) for n in range(SEARCH_SHARDS)}
        changed = [n for n, v in versions.items() if n not in self._shards or self._versions.get(n) != v]
        self.shards_read = len(changed)
        if not changed:
            return
        found = {str(i["pk"]): i for i in self.batch_get([shard_key(n) for n in changed])}
        for n in changed:
            self._shards[n] = _Shard(found.get(shard_key(n)["pk"]) or {})
            self._versions[n] = versions[n]

    def matches(self, term: str, limit: int = MAX_MATCHES_PER_WORD) -> list[dict[str, Any]]:
        """Titles with a word starting with `term` (a folded word of at least MIN_WORD letters), the first
        `limit` in word order: each {"word", "title_id", "folded_title"}. Loads the shards on first use."""
        if not self._shards:
            self.refresh()
        found: list[tuple[str, str, str]] = []
        for shard in self._shards.values():
            at = bisect_left(shard.words, (term, ""))
            while at < len(shard.words) and shard.words[at][0].startswith(term):
                word, title_id = shard.words[at]
                found.append((word, title_id, shard.names[title_id]))
                at += 1
        found.sort()
        return [{"word": w, "title_id": t, "folded_title": n} for w, t, n in found[:limit]]

    def identities(self) -> TitleIdentities:
        """Every indexed title by IMDb id, by TMDb type/id, and by folded name (with its year), from the
        shards in memory (loaded on first use)."""
        if not self._shards:
            self.refresh()
        found = TitleIdentities()
        for shard in self._shards.values():
            for title_id, name in shard.names.items():
                year, imdb, tmdb = ([*shard.identities.get(title_id, []), "", "", ""])[:3]
                found.by_name.setdefault(name, []).append((title_id, int(year) if year.isdigit() else None))
                if imdb:
                    found.by_imdb[imdb] = title_id
                if tmdb:
                    found.by_tmdb[tmdb] = title_id
        return found


@dataclass
class TitleIdentities:
    by_imdb: dict[str, str] = field(default_factory=dict)
    by_tmdb: dict[str, str] = field(default_factory=dict)  # "movie/194", "tv/1399"
    by_name: dict[str, list[tuple[str, int | None]]] = field(default_factory=dict)  # folded name
