"""What ingestion's two functions (the titles refresh and new demand) share: the settings they need and the
crawl-state stores, built once per container."""

from __future__ import annotations

from functools import cache

from tvguide.runtime import new_dynamodb_resource
from tvguide.settings import settings
from tvguide_ingestion.store import CrawlMisses, CrawlStates

NEEDS = ("table_name", "title_stream_name")  # validated at the first invocation


@cache
def crawl_states() -> CrawlStates:
    return CrawlStates(settings().table_name, resource_factory=new_dynamodb_resource)


@cache
def crawl_misses() -> CrawlMisses:
    return CrawlMisses(settings().table_name, resource_factory=new_dynamodb_resource)
