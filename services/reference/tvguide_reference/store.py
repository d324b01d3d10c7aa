"""The reference service's own writes: sources and genres keyed by Watchmode id (a rename updates the same
row; a source no longer listed is marked inactive), each source's departures (leaving soon) and coming
releases (coming soon)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from boto3.dynamodb.conditions import Key

from tvguide.departures import PK, Departure, departures_key, notice_item, stored_departures
from tvguide.models import Genre, Source, iso_now
from tvguide.releases import PK as RELEASES_PK
from tvguide.releases import Release, releases_key
from tvguide.repositories import ReferenceRepository, TableRepository, from_dynamo, to_dynamo


class ReferenceWriter(ReferenceRepository):
    def stored_counts(self) -> tuple[int, int]:
        """(active sources, genres) stored now."""
        return len(self.list_sources()), len(self.list_genres())

    def replace_sources(self, sources: Iterable[Source]) -> dict[str, int]:
        """Upsert the current sources; mark those no longer listed as inactive. Returns counts."""
        current = {s.id: s for s in sources}
        existing = {s.id: s for s in self.list_sources(include_inactive=True)}
        now = iso_now()
        with self.table.batch_writer() as batch:
            for source in current.values():
                batch.put_item(
                    Item=to_dynamo(
                        {"pk": "REF#SOURCE", "sk": f"SOURCE#{source.id}", "updated_at": now}
                        | source.model_dump(mode="json")
                        | {"regions": list(source.regions), "active": True}
                    )
                )
            gone = [s for sid, s in existing.items() if sid not in current and s.active]
            for source in gone:
                batch.put_item(
                    Item=to_dynamo(
                        {"pk": "REF#SOURCE", "sk": f"SOURCE#{source.id}", "updated_at": now}
                        | source.model_dump(mode="json")
                        | {"regions": list(source.regions), "active": False}
                    )
                )
        return {"sources": len(current), "sources_deactivated": len(gone)}

    def replace_genres(self, genres: Iterable[Genre]) -> dict[str, int]:
        current = {g.id: g for g in genres}
        existing = {g.id for g in self.list_genres()}
        now = iso_now()
        with self.table.batch_writer() as batch:
            for genre in current.values():
                batch.put_item(
                    Item=to_dynamo(
                        {"pk": "REF#GENRE", "sk": f"GENRE#{genre.id}", "updated_at": now}
                        | genre.model_dump(mode="json")
                    )
                )
            gone = existing - current.keys()
            for genre_id in gone:
                batch.delete_item(Key={"pk": "REF#GENRE", "sk": f"GENRE#{genre_id}"})
        return {"genres": len(current), "genres_removed": len(gone)}


class DepartureWriter(TableRepository):
    """Each source's departures (`tvguide.departures`), the reference function's own items."""

    def all(self) -> dict[str, list[Departure]]:
        """Every source's stored departures (one small Query: an item per source that has any)."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(PK)}
        while True:
            response = self.table.query(**kwargs)
            items += [from_dynamo(i) for i in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return {str(i["sk"]).removeprefix("SOURCE#"): stored_departures(i) for i in items}

    def notice(self, departure: Departure, *, now: str) -> bool:
        """Write the departure's notice once (False when it was written before)."""
        try:
            item = to_dynamo(notice_item(departure, now=now))
            self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def replace(self, source_id: str, departures: list[Departure], *, crawled_at: str) -> None:
        """A source's departures now (its item deleted when it has none left)."""
        key = departures_key(source_id)
        if not departures:
            self.table.delete_item(Key=key)
            return
        item = key | {"departures": [d.stored() for d in departures], "crawled_at": crawled_at}
        self.table.put_item(Item=to_dynamo(item))


class ReleaseWriter(TableRepository):
    """Each source's coming releases (`tvguide.releases`), the reference function's own items."""

    def sources(self) -> set[str]:
        """The sources that hold releases now."""
        query = {"KeyConditionExpression": Key("pk").eq(RELEASES_PK), "ProjectionExpression": "sk"}
        return {str(i["sk"]).removeprefix("SOURCE#") for i in self._query_all(**query)}

    def replace(self, source_id: str, releases: list[Release], *, crawled_at: str) -> None:
        key = releases_key(source_id)
        if not releases:
            self.table.delete_item(Key=key)
            return
        item = key | {"releases": [r.stored() for r in releases], "crawled_at": crawled_at}
        self.table.put_item(Item=to_dynamo(item))
