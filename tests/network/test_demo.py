from __future__ import annotations

import pytest
from django.utils import timezone

from network import demo
from network.models import Asset, MembershipChange, Shift, Tie
from network.selectors import on_call_candidates

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        Shift.objects.count(),
        Tie.objects.count(),
        Asset.objects.count(),
        MembershipChange.objects.count(),
        sorted(Tie.objects.values_list("owner_id", "label", "visibility")),
    )


def test_both_demo_networks_have_someone_on_call_now():
    networks, _people = demo.load()
    now = timezone.now()
    for network in networks.values():
        assert on_call_candidates(network=network, at=now), f"nobody on call in {network}"


def test_loading_the_demo_twice_changes_nothing():
    demo.load()
    first = _snapshot()
    demo.load()
    assert _snapshot() == first
    assert first[0] == len(demo.SHIFTS)
