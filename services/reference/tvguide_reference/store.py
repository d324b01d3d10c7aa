"""The reference service's own writes: sources and genres keyed by Watchmode id (a rename updates the same
row; a source no longer listed is marked inactive)."""

from __future__ import annotations

from collections.abc import Iterable

from tvguide.models import Genre, Source, iso_now
from tvguide.repositories import ReferenceRepository, to_dynamo


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
