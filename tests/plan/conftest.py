"""Loads the Terraform plan JSON written by tools/with-test-stack.sh (`make test-plan`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _modules(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield module
    for child in module.get("child_modules", []):
        yield from _modules(child)


@pytest.fixture(scope="session")
def plan() -> dict[str, Any]:
    path = Path(os.environ.get("TVGUIDE_PLAN_FILE", ".local/test/plan.json"))
    if not path.exists():
        pytest.fail(f"{path} is missing: run the plan tests through `make test-plan`")
    return dict(json.loads(path.read_text()))


@pytest.fixture(scope="session")
def bootstrap_resources() -> list[dict[str, Any]]:
    """Every planned resource of terraform/bootstrap."""
    path = Path(os.environ.get("TVGUIDE_BOOTSTRAP_PLAN_FILE", ".local/test/bootstrap-plan.json"))
    if not path.exists():
        pytest.fail(f"{path} is missing: run the plan tests through `make test`")
    plan = json.loads(path.read_text())
    return [r for m in _modules(plan["planned_values"]["root_module"]) for r in m.get("resources", [])]


@pytest.fixture(scope="session")
def resources(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every planned resource, from all modules."""
    return [r for m in _modules(plan["planned_values"]["root_module"]) for r in m.get("resources", [])]


@pytest.fixture(scope="session")
def prefix(plan: dict[str, Any]) -> str:
    return str(plan["variables"]["name_prefix"]["value"])


def of_type(resources: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in resources if r["type"] == kind]
