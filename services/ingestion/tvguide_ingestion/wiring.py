"""What ingestion's two functions (the titles refresh and new demand) share: the crawl-state stores and the
crawler, built on the adapters the function's settings name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from tvguide.models import Demand, Preferences
from tvguide.runtime import (
    credit_ledger,
    new_dynamodb_resource,
    title_publisher,
    title_repository,
    watchmode_client,
)
from tvguide_ingestion.logic import Audience, IngestionFailed, IngestionReport, run_ingestion
from tvguide_ingestion.settings import DemandSettings
from tvguide_ingestion.store import CrawlMisses, CrawlStates


@cache
def crawl_states(table_name: str) -> CrawlStates:
    return CrawlStates(table_name, resource_factory=new_dynamodb_resource)


@cache
def crawl_misses(table_name: str) -> CrawlMisses:
    return CrawlMisses(table_name, resource_factory=new_dynamodb_resource)


@dataclass(frozen=True)
class WatchmodeCrawler:
    """`logic.run_ingestion` on Watchmode, the table and the title stream (a `refresh.Crawler`): the credits
    each crawl spent are entered in the month's ledger, whatever happened."""

    settings: DemandSettings

    def __call__(
        self,
        demands: list[Demand],
        *,
        cause: str,
        correlation_id: str,
        baseline: Iterable[str],
        audience: Iterable[Preferences],
        remove_missing: bool = True,
        should_stop: Callable[[int], bool] | None = None,
    ) -> IngestionReport:
        config = self.settings
        client = watchmode_client("ingestion", config)
        try:
            return run_ingestion(
                demands,
                client,
                title_repository(config.table_name),
                title_publisher(config.title_stream_name),
                misses=crawl_misses(config.table_name),
                cause=cause,
                correlation_id=correlation_id,
                region=config.regions[0],
                max_pages=config.ingestion_max_pages_per_source,
                page_limit=config.ingestion_page_limit,
                remove_missing=remove_missing,
                baseline=baseline,
                audience=Audience(audience),
                should_stop=should_stop,
            )
        except IngestionFailed as exc:  # the failed sources are in the report
            return exc.report
        finally:
            credit_ledger(config).record("ingestion", client.take_credits())
