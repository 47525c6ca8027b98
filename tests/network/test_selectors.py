from __future__ import annotations

import pytest
from django.utils import timezone

from network import selectors
from network.models import Membership

pytestmark = pytest.mark.django_db


def test_role_in_is_the_current_role_only(member, network, outsider):
    assert selectors.role_in(person=member, network=network) == "member"
    assert selectors.role_in(person=outsider, network=network) is None
    Membership.objects.filter(person=member).update(left_at=timezone.now())
    assert selectors.role_in(person=member, network=network) is None


def test_shared_networks_ignore_other_networks(member, peer, outsider, network):
    assert list(selectors.shared_networks(person=member, other=peer)) == [network]
    assert not selectors.shared_networks(person=member, other=outsider).exists()


def test_people_with_role_over_finds_a_members_navigator_not_another_networks(
    member, navigator, outside_navigator
):
    found = selectors.people_with_role_over(person=member, roles=(Membership.Role.NAVIGATOR,))
    assert list(found) == [navigator]
