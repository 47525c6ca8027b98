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


def test_the_demo_says_where_the_app_is_and_who_is_on_call_now():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_demo", "--base-url=http://127.0.0.1:8000", stdout=out)
    text = out.getvalue()
    assert "The app:             http://127.0.0.1:8000/" in text
    assert "The desk:            http://127.0.0.1:8000/#/desk" in text
    on_call = [line for line in text.splitlines() if line.startswith("On call in ")]
    assert len(on_call) == 2
    assert all(not line.endswith(": nobody") for line in on_call)
