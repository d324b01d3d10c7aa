"""What enrichment's two functions (the queue's worker and the enrich job) share: their store, built once
per container on the table the function's settings name."""

from __future__ import annotations

from functools import cache

from tvguide.runtime import new_dynamodb_resource
from tvguide_enrichment.store import TitleEnrichmentStore


@cache
def store(table_name: str) -> TitleEnrichmentStore:
    return TitleEnrichmentStore(table_name, resource_factory=new_dynamodb_resource)
