"""Fixtures the unit tests of the APIs share."""

import pytest

from tests.support.events import FakeContext


@pytest.fixture
def api_env(aws_env, watchmode_env):
    """moto + the fake Watchmode, with reference data loaded and the viewer API's cache cleared."""
    from tvguide_preferences_api import handler as api
    from tvguide_reference.handler import lambda_handler as reference_handler

    reference_handler({}, FakeContext())
    api.reference.cache_clear()
    yield aws_env
    api.reference.cache_clear()
