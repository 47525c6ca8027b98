"""Membership changes reach the person and the network's navigators and
facilitators through the event pipeline, in the change's transaction."""

from __future__ import annotations

import pytest

from foundation.problems import Conflict
from messaging.models import Event
from network import actions
from network.models import JoinRequest, Membership
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def changes_seen_by(person) -> list[str]:
    return list(
        Event.objects.filter(person=person, type="membership.changed")
        .order_by("seq")
        .values_list("data__change", flat=True)
    )


def test_a_join_request_reaches_the_navigator_and_staff_not_other_members(network, navigator, staff, member):
    newcomer = PersonFactory(display_name="Nia")
    actions.do_request_to_join(person=newcomer, network=network, note="a friend told me")
    assert changes_seen_by(navigator) == ["join_requested"]
    assert changes_seen_by(staff) == ["join_requested"]
    assert changes_seen_by(newcomer) == ["join_requested"]
    assert changes_seen_by(member) == []
    event = Event.objects.get(person=navigator)
    assert event.data == {
        "network": {"id": network.pk, "name": network.name},
        "person": {"id": newcomer.pk, "display_name": "Nia"},
        "change": "join_requested",
        "role": None,
    }
    assert "a friend told me" not in str(event.data)


def test_accepting_tells_the_newcomer_their_role(network, navigator):
    newcomer = PersonFactory(display_name="Nia")
    request = actions.do_request_to_join(person=newcomer, network=network)
    actions.do_accept_join_request(join_request=JoinRequest.objects.get(pk=request.pk), actor=navigator)
    last = Event.objects.filter(person=newcomer).order_by("-seq").first()
    assert (last.data["change"], last.data["role"]) == ("join_accepted", "member")


def test_a_refused_change_sends_nothing(network, navigator, member):
    with pytest.raises(Conflict):
        actions.do_request_to_join(person=member, network=network)
    assert not Event.objects.filter(type="membership.changed").exists()


def test_leaving_is_announced(network, navigator, member):
    actions.do_leave_network(membership=Membership.objects.get(person=member, network=network))
    assert changes_seen_by(member) == ["left"]
    assert changes_seen_by(navigator) == ["left"]
