"""The title search index: one item per distinct word of a title's name, in DynamoDB.

| item | pk | sk |
|---|---|---|
| search word | `SEARCH#<first two letters>` | `<word>#<title id>` |

Words are folded (case and accents: "Amélie" is indexed as "amelie"), so a word or a prefix of one is a
single Query (`begins_with` on the sort key, within the partition of its first two letters). Why DynamoDB:
the catalogue changes with every crawl and the consumer already writes each title as it changes, so the
index stays current with no extra service, file to rebuild or cold-start load; a query costs one Query per
word typed plus one batch read of the page, whatever the catalogue's size. The consumer writes the items
(see its store); the viewer API reads them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from boto3.dynamodb.conditions import Key

from tvguide.repositories import TableRepository

SEARCH_PREFIX = "SEARCH#"
# A title record's `search_version` says its name is indexed this way; a title without it (stored before
# the index existed, or indexed an older way) is indexed again the next time a crawl sees it.
SEARCH_VERSION = 1
MIN_WORD = 2  # a word (or prefix) must have at least this many letters to be indexed or searched
MAX_MATCHES_PER_WORD = 500  # items read per word typed (its first matches in word order)
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, accents removed, anything but letters and digits a space: "Amélie!" -> "amelie"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_ALNUM.sub(" ", plain.replace("ß", "ss")).strip()


def words(text: str) -> list[str]:
    """The distinct searchable words of a text, in order."""
    return list(dict.fromkeys(w for w in fold(text).split() if len(w) >= MIN_WORD))


def search_key(word: str, title_id: str) -> dict[str, str]:
    return {"pk": f"{SEARCH_PREFIX}{word[:MIN_WORD]}", "sk": f"{word}#{title_id}"}


class SearchIndex(TableRepository):
    def matches(self, term: str, limit: int = MAX_MATCHES_PER_WORD) -> list[dict[str, Any]]:
        """Index items whose word starts with `term` (a folded word of at least MIN_WORD letters): each
        {"word", "title_id", "folded_title"}."""
        response = self.table.query(
            KeyConditionExpression=Key("pk").eq(f"{SEARCH_PREFIX}{term[:MIN_WORD]}")
            & Key("sk").begins_with(term),
            ProjectionExpression="sk, title_id, folded_title",
            Limit=limit,
        )
        return [
            {
                "word": str(item["sk"]).rsplit("#", 1)[0],
                "title_id": str(item["title_id"]),
                "folded_title": str(item.get("folded_title") or ""),
            }
            for item in response.get("Items", [])
        ]
