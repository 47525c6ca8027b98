"""The desk's frame (issue 15): who gets a desk, and for which networks."""

from __future__ import annotations

from tests.app.conftest import AMARA, NADIA, axe_check, shoot_desk, sign_in

# Nadia navigates Thornton Heath KeyRing; here she is also a member of Croydon SUN.
NADIA_JOINS_CROYDON = """
import json
from network.models import Membership, Network, Person
nadia = Person.objects.get(phone_number="+447700800005")
croydon = Network.objects.get(slug="croydon-sun")
Membership.objects.create(person=nadia, network=croydon, role=Membership.Role.MEMBER)
print(json.dumps({"croydon": croydon.pk}))
"""


def test_a_navigator_has_a_desk_only_where_they_navigate_and_a_member_has_none(app_server, desk):
    croydon = app_server.shell(NADIA_JOINS_CROYDON)["croydon"]
    page = desk()
    sign_in(page, app_server, NADIA)
    # Both networks, each by her role there.
    page.get_by_role("link", name="My networks").click()
    page.get_by_text("You are: Navigator").wait_for()
    page.get_by_text("You are: Member").wait_for()

    page.goto(app_server.url + "/")
    page.get_by_role("link", name="Your desk").click()
    page.get_by_role("heading", name="Thornton Heath KeyRing").wait_for()
    # A desk for the network she navigates, none for the one she is a member of.
    assert page.locator(".desk-network").count() == 1
    assert page.get_by_role("heading", name="Croydon SUN").count() == 0
    axe_check(page)
    shoot_desk(page, "home")
    page.goto(f"{app_server.url}/#/desk/{croydon}/members")
    page.get_by_text("You don't navigate or facilitate this network.").wait_for()
    assert page.locator(".desk-tabs").count() == 0

    member = desk()
    sign_in(member, app_server, AMARA)
    assert member.get_by_role("link", name="Your desk").count() == 0
    member.goto(app_server.url + "/#/desk")
    member.get_by_text("You don't navigate or facilitate a network").wait_for()
