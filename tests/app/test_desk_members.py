"""The desk's membership section (issue 15): the queue of requests to join,
invitations, the members, readiness, removal and the history, live on both
sides: the navigator's desk and the person's own networks screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.app.conftest import FIONA, NADIA, axe_check, shoot_desk, sign_in

NEWCOMER = "+447700800099"


def network_id(server, slug: str) -> int:
    return server.shell(
        f"import json; from network.models import Network; print(json.dumps(Network.objects.get(slug='{slug}').pk))"
    )


def ask_to_join(page, slug: str, note: str) -> None:
    page.goto(page.url.split("#")[0] + "#/networks/join")
    page.get_by_label("What is the network's short name?").fill(slug)
    page.get_by_label("Is there anything you'd like them to know?").fill(note)
    page.get_by_role("button", name="Send my request").click()
    page.get_by_text("A navigator will answer.").first.wait_for()


def test_a_navigator_accepts_a_self_referral_and_the_new_members_page_updates_live(app_server, desk, phone):
    keyring = network_id(app_server, "thornton-heath-keyring")
    nadia = desk()
    sign_in(nadia, app_server, NADIA)
    nadia.goto(f"{app_server.url}/#/desk/{keyring}/members")
    nadia.get_by_text("Nobody is waiting for an answer.").wait_for()
    members = nadia.locator(".members-table tbody tr")
    expect(members).to_have_count(4)
    axe_check(nadia)

    newcomer = phone()
    sign_in(newcomer, app_server, NEWCOMER, name="Nell")
    ask_to_join(newcomer, "thornton-heath-keyring", "I live on Brigstock Road")
    newcomer.get_by_role("heading", name="Waiting for an answer").wait_for()

    # The request appears on the desk without a reload, with the note.
    request = nadia.locator(".members-request", has_text="Nell")
    request.get_by_text("I live on Brigstock Road").wait_for()
    nadia.get_by_text("1 person is waiting for an answer.").wait_for()
    axe_check(nadia)
    shoot_desk(nadia, "members")
    request.get_by_label("Your reason for Nell").fill("met at the Tuesday meeting")
    request.get_by_role("button", name="Accept").click()
    nadia.get_by_text("Nell is now a member.").wait_for()
    expect(members).to_have_count(5)
    expect(nadia.locator(".members-request")).to_have_count(0)
    row = nadia.locator(".members-table tbody tr", has_text="Nell")
    expect(row).to_contain_text("Member")
    expect(row).to_contain_text("Not ready")

    # The newcomer's own screen changes by itself: the network is theirs now.
    newcomer.locator(".people-link", has_text="Thornton Heath KeyRing").wait_for()
    expect(newcomer.get_by_role("heading", name="Waiting for an answer")).to_have_count(0)

    stored = app_server.shell(
        "import json\n"
        "from network.models import Membership, MembershipChange\n"
        f"m = Membership.objects.get(person__phone_number='{NEWCOMER}', network_id={keyring}, left_at__isnull=True)\n"
        "c = MembershipChange.objects.get(network_id=m.network_id, person=m.person, kind='join_accepted')\n"
        "print(json.dumps([m.role, c.actor.display_name, c.reason]))"
    )
    assert stored == ["member", "Nadia (navigator)", "met at the Tuesday meeting"]

    nadia.get_by_role("link", name=re.compile("See the history")).click()
    nadia.get_by_role("heading", name="Membership history").wait_for()
    newest = nadia.locator(".members-history tbody tr").first
    expect(newest).to_contain_text("Nell's request was accepted")
    expect(newest).to_contain_text("Nadia (navigator)")
    expect(newest).to_contain_text("met at the Tuesday meeting")
    expect(nadia.locator(".members-history tbody tr").nth(1)).to_contain_text("Nell asked to join")
    axe_check(nadia)
