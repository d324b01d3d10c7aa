"""Fixtures for tests on the real local stack started by tools/with-test-stack.sh (`make test`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fake_watchmode.catalogue import Catalogue
from stack_client import StackClient


@pytest.fixture(scope="session")
def stack() -> StackClient:
    path = Path(os.environ.get("TVGUIDE_STACK_FILE", ".local/test/stack.json"))
    if not path.exists():
        pytest.fail(f"{path} is missing: run the integration tests through `make test`")
    return StackClient.from_file(path)


@pytest.fixture
def catalogue(stack: StackClient) -> Catalogue:
    """The same catalogue the fake serves (same seed and size, and the titles tests put on or took off
    sources through its control route), to cross-check what was stored."""
    watchmode = stack.info["watchmode"]
    copy = Catalogue(seed=watchmode["catalogue_seed"], size=watchmode["catalogue_size"])
    for change in stack.fake_watchmode("/_fake/availability")["changes"]:
        copy.set_availability(**change)
    return copy


@pytest.fixture(scope="session")
def table(stack: StackClient):
    import boto3

    resource = boto3.resource(
        "dynamodb",
        endpoint_url=stack.endpoint,
        region_name=stack.region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    return resource.Table(stack.info["table"])
