from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.crisisplans.factories import FakeAlerts, alert_provider


@pytest.fixture
def alerts() -> Iterator[FakeAlerts]:
    with alert_provider() as fake:
        yield fake
