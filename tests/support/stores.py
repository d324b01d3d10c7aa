"""Tests read and write titles the way every service does: one object with each service's store."""

from tvguide_consumer.store import TitleIngestStore
from tvguide_enrichment.store import TitleEnrichmentStore


class TitleStores(TitleIngestStore, TitleEnrichmentStore):
    """The consumer's and enrichment's writes over the shared title reads."""
