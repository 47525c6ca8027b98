from __future__ import annotations

from collections.abc import Iterator

import pytest

from crisisplans.selectors import access
from tests.crisisplans.factories import FakeAlerts, alert_provider


@pytest.fixture(autouse=True)
def _only_our_alert_provider() -> Iterator[None]:
    """These tests test crisisplans alone: any provider another app
    registered is set aside, and tests that need alerts use ``alerts``."""
    saved = access._alert_access_providers[:]
    access._alert_access_providers.clear()
    yield
    access._alert_access_providers[:] = saved


@pytest.fixture
def alerts() -> Iterator[FakeAlerts]:
    with alert_provider() as fake:
        yield fake
