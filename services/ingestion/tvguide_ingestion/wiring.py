"""What ingestion's two functions (the titles refresh and new demand) share: the crawl-state stores, built
once per container on the table the function's settings name."""

from __future__ import annotations

from functools import cache

from tvguide.runtime import new_dynamodb_resource
from tvguide_ingestion.store import CrawlMisses, CrawlStates


@cache
def crawl_states(table_name: str) -> CrawlStates:
    return CrawlStates(table_name, resource_factory=new_dynamodb_resource)


@cache
def crawl_misses(table_name: str) -> CrawlMisses:
    return CrawlMisses(table_name, resource_factory=new_dynamodb_resource)
