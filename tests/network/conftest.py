"""Fixtures the rota tests share (tests/conftest.py has the people and networks)."""

from __future__ import annotations

import pytest

from tests.factories import make_ready, nightly_shift, tomorrow_night


@pytest.fixture
def night(network, member, peer, navigator):
    """Amara's nightly shift, Ben ready to cover; the occurrence is tomorrow night."""
    make_ready(member, network)
    make_ready(peer, network)
    return nightly_shift(network, member, actor=navigator), tomorrow_night(network)
