"""What enrichment's two functions (the queue's worker and the enrich job) share: their store, built once
per container."""

from __future__ import annotations

from functools import cache

from tvguide.runtime import new_dynamodb_resource
from tvguide.settings import settings
from tvguide_enrichment.store import TitleEnrichmentStore


@cache
def store() -> TitleEnrichmentStore:
    return TitleEnrichmentStore(settings().table_name, resource_factory=new_dynamodb_resource)
