"""Builds the adapters a function needs from the settings it is given, once per container (cached by them)."""

from __future__ import annotations

import gc
import json
import time
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities import parameters

from tvguide.aws_session import new_client, new_resource
from tvguide.jobs import JobRepository
from tvguide.observability import aws_calls
from tvguide.publisher import KinesisTitlePublisher
from tvguide.repositories import PreferencesRepository, ReferenceRepository, TitleRepository
from tvguide.settings import WatchmodeSettings, WebPushSettings
from tvguide.watchmode import WatchmodeClient
from tvguide.watchmode_budget import CreditLedger, SharedRateLimiter
from tvguide.web_push import VapidKeys, ensure_vapid_keys, read_vapid_keys

SECRET_MAX_AGE_SECONDS = 3600


def watchmode_api_key(config: WatchmodeSettings) -> str:
    """The key from Secrets Manager (cached for an hour), or from the environment in tests and tools."""
    if config.watchmode_api_key:
        return config.watchmode_api_key
    if not config.watchmode_secret_arn:
        raise RuntimeError("WATCHMODE_SECRET_ARN is not set")
    raw = str(parameters.get_secret(config.watchmode_secret_arn, max_age=SECRET_MAX_AGE_SECONDS))
    try:
        data = json.loads(raw)
    except ValueError:
        return raw.strip()
    return str(data["api_key"]) if isinstance(data, dict) else raw.strip()


@cache
def watchmode_client(caller: str, config: WatchmodeSettings) -> WatchmodeClient:
    """A client for the configured Watchmode whose calls take tokens from the account's rate limit, shared
    with every other caller and container through the table (see tvguide.watchmode_budget)."""
    rate = config.watchmode_rate_limit_per_minute / 60 * config.watchmode_pace_fraction
    return WatchmodeClient(
        config.watchmode_base_url,
        lambda: watchmode_api_key(config),
        timeout=config.watchmode_timeout_seconds,
        max_retries=config.watchmode_max_retries,
        pacer=SharedRateLimiter(config.table_name, caller, rate, resource_factory=new_dynamodb_resource),
    )


@cache
def credit_ledger(config: WatchmodeSettings) -> CreditLedger:
    """The month's Watchmode credits and the budget (tvguide.watchmode_budget)."""
    return CreditLedger(
        config.table_name, config.watchmode_monthly_credit_budget, resource_factory=new_dynamodb_resource
    )


def new_dynamodb_resource() -> Any:
    """A DynamoDB resource whose calls are counted (one per thread: resources are not thread-safe)."""
    resource = new_resource("dynamodb")
    aws_calls.attach(resource.meta.client)
    return resource


@cache
def title_repository(table_name: str) -> TitleRepository:
    return TitleRepository(table_name, resource_factory=new_dynamodb_resource)


@cache
def reference_repository(table_name: str) -> ReferenceRepository:
    return ReferenceRepository(table_name, resource_factory=new_dynamodb_resource)


@cache
def preferences_repository(table_name: str) -> PreferencesRepository:
    return PreferencesRepository(table_name, resource_factory=new_dynamodb_resource)


@cache
def job_repository(table_name: str) -> JobRepository:
    return JobRepository(table_name, resource_factory=new_dynamodb_resource)


@cache
def title_publisher(stream_name: str) -> KinesisTitlePublisher:
    return KinesisTitlePublisher(stream_name, aws_calls.attach(new_client("kinesis")))


@cache
def sqs() -> Any:
    return new_client("sqs")


@cache
def lambda_client() -> Any:
    return new_client("lambda")


def nudge_enrichment_worker(name: str | None, logger: Any) -> None:
    """Ask the enrichment worker (`name`; None: none to nudge) to drain the queue now (an asynchronous
    invoke: a worker already running returns at once, as the queue is being drained). A failed nudge is
    only logged: the worker's schedule drains the queue within minutes anyway."""
    if not name:
        return
    try:
        lambda_client().invoke(
            FunctionName=name, InvocationType="Event", Payload=b'{"source": "enrichment.nudge"}'
        )
    except Exception:
        logger.warning("enrichment worker not nudged (its schedule will drain the queue)", exc_info=True)


_vapid: dict[str, tuple[float, VapidKeys]] = {}


@cache
def secrets_client() -> Any:
    """One Secrets Manager client per container (thread-safe): a notifier on a stack with no keys yet asks
    again for every push, and would otherwise make a client each time."""
    return new_client("secretsmanager")


def vapid_keys(config: WebPushSettings, *, create: bool = False) -> VapidKeys | None:
    """The stack's VAPID keys (cached for an hour once found); `create`: make them the first time (the
    viewer API, when a site asks for the public key). None when none were made yet."""
    cached = _vapid.get(config.web_push_secret_arn)
    if cached and time.monotonic() - cached[0] < SECRET_MAX_AGE_SECONDS:
        return cached[1]
    client = secrets_client()
    keys = (
        ensure_vapid_keys(client, config.web_push_secret_arn)
        if create
        else read_vapid_keys(client, config.web_push_secret_arn)
    )
    if keys is not None:
        _vapid[config.web_push_secret_arn] = (time.monotonic(), keys)
    return keys


def forget_vapid_keys() -> None:
    """Tests: read the keys again."""
    _vapid.clear()


def settle_cold_start() -> None:
    """The last line of every entry module. What a cold start made (modules, models, the resolver, clients)
    lives as long as the container, yet every full garbage collection walks it again: ~150,000 objects,
    measured 30 ms per collection in the viewer API, which lands on whichever request triggers it. Frozen
    (`gc.freeze`), those objects are left out of collections; what requests make is still collected."""
    gc.collect()
    gc.freeze()
