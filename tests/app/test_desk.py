"""The desk's frame (issue 15): who gets a desk, and for which networks."""

from __future__ import annotations

from tests.app.conftest import AMARA, NADIA, axe_check, shoot_desk, sign_in


def test_a_navigator_finds_their_desk_from_home_and_a_member_has_none(app_server, desk):
    page = desk()
    sign_in(page, app_server, NADIA)
    page.get_by_role("link", name="Your desk").click()
    page.get_by_role("heading", name="Thornton Heath KeyRing").wait_for()
    # Nadia navigates one network: one card, with its sections.
    assert page.locator(".desk-network").count() == 1
    axe_check(page)
    shoot_desk(page, "home")

    member = desk()
    sign_in(member, app_server, AMARA)
    assert member.get_by_role("link", name="Your desk").count() == 0
    member.goto(app_server.url + "/#/desk")
    member.get_by_text("You don't navigate or facilitate a network").wait_for()
