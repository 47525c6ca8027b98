"""The desk's membership section (issue 15): the queue of requests to join,
invitations, the members, readiness, removal and the history, live on both
sides: the navigator's desk and the person's own networks screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.app.conftest import FIONA, NADIA, axe_check, shoot_desk, sign_in

NEWCOMER = "+447700800099"
DECLINED_BECAUSE = "We only take people who live nearby; Croydon SUN may suit you."


def network_id(server, slug: str) -> int:
    return server.shell(
        "import json; from network.models import Network\n"
        f"print(json.dumps(Network.objects.get(slug='{slug}').pk))"
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
        f"m = Membership.objects.get(person__phone_number='{NEWCOMER}', network_id={keyring},"
        " left_at__isnull=True)\n"
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


def membership_id(server, number: str, slug: str) -> int:
    return server.shell(
        "import json; from network.models import Membership\n"
        f"print(json.dumps(Membership.objects.get(person__phone_number='{number}', network__slug='{slug}', "
        "left_at__isnull=True).pk))"
    )


def test_invite_decline_with_a_reason_remove_and_readiness_only_for_a_facilitator(app_server, desk, phone):
    keyring = network_id(app_server, "thornton-heath-keyring")
    asker = phone()
    sign_in(asker, app_server, "+447700800098", name="Omar")
    ask_to_join(asker, "thornton-heath-keyring", "I work in Thornton Heath")
    asker.get_by_role("heading", name="Waiting for an answer").wait_for()

    nadia = desk()
    sign_in(nadia, app_server, NADIA)
    nadia.goto(f"{app_server.url}/#/desk/{keyring}/members/invite")
    nadia.get_by_role("heading", name="Invite someone").wait_for()
    phone_field = nadia.get_by_label("What is their mobile number?")
    phone_field.fill("12345")
    nadia.get_by_role("button", name="Send the invitation").click()
    # The service's words, by the field, GOV.UK style; nothing was sent.
    nadia.locator(".error-summary a[href='#invite-phone']").wait_for()
    nadia.locator("#invite-phone-error").wait_for()
    expect(phone_field).to_have_attribute("aria-invalid", "true")
    axe_check(nadia)
    phone_field.fill("07700 800097")
    nadia.get_by_label("A note for them").fill("Hana's neighbour")
    nadia.get_by_role("button", name="Send the invitation").click()
    nadia.get_by_text("We texted an invitation to +447700800097.").wait_for()
    expect(nadia.locator("[data-invitation]", has_text="+447700800097")).to_contain_text("Nadia (navigator)")

    # Declining needs a reason, and the person sees it on their own screen, live.
    request = nadia.locator(".members-request", has_text="Omar")
    request.get_by_role("button", name="Decline").click()
    request.get_by_text("Say why you are declining: the person will see it").first.wait_for()
    request.get_by_label("Your reason for Omar").fill(DECLINED_BECAUSE)
    request.get_by_role("button", name="Decline").click()
    nadia.get_by_role("dialog").get_by_role("button", name="Decline").click()
    nadia.get_by_text("You declined Omar's request.").wait_for()
    asker.get_by_role("heading", name="Answers to your requests").wait_for()
    asker.get_by_text(DECLINED_BECAUSE).wait_for()
    expect(asker.get_by_role("heading", name="Waiting for an answer")).to_have_count(0)

    # A navigator sees readiness but has no control for it; removal needs a reason.
    nadia.locator(".members-table").get_by_role("link", name="Gus").click()
    nadia.get_by_role("heading", name="Gus").wait_for()
    nadia.get_by_text("Gus is ready to go on call.").wait_for()
    nadia.get_by_text("Only a facilitator can change this.").wait_for()
    expect(nadia.get_by_role("button", name=re.compile("Mark"))).to_have_count(0)
    nadia.get_by_text("Their plan and their map stay theirs").wait_for()
    axe_check(nadia)
    nadia.get_by_role("button", name="Remove").click()
    nadia.locator("#remove-reason-error").wait_for()
    nadia.get_by_label("Why are they being removed?").fill("asked to leave the network")
    nadia.get_by_role("button", name="Remove").click()
    dialog = nadia.get_by_role("dialog")
    expect(dialog).to_contain_text("Their plan and their map stay theirs.")
    dialog.get_by_role("button", name="Remove").click()
    nadia.get_by_text("Gus is no longer in the network.").wait_for()
    expect(nadia.locator(".members-table tbody tr", has_text="Gus")).to_have_count(0)

    stored = app_server.shell(
        "import json\n"
        "from network.models import Invitation, JoinRequest, Membership, MembershipChange\n"
        f"i = Invitation.objects.get(network_id={keyring}, phone_number='+447700800097')\n"
        "j = JoinRequest.objects.get(person__phone_number='+447700800098')\n"
        f"gus = Membership.objects.get(network_id={keyring}, person__phone_number='+447700800007')\n"
        "removed = MembershipChange.objects.get(kind='removed', person=gus.person)\n"
        "print(json.dumps([i.status, i.note, j.status, j.decision_reason, gus.left_at is not None,"
        " removed.actor.display_name, removed.reason]))"
    )
    assert stored == [
        "pending",
        "Hana's neighbour",
        "declined",
        DECLINED_BECAUSE,
        True,
        "Nadia (navigator)",
        "asked to leave the network",
    ]

    # Fiona, a facilitator, marks Dev not ready (his shifts end) and ready again.
    dev = membership_id(app_server, "+447700800004", "croydon-sun")
    fiona = desk()
    sign_in(fiona, app_server, FIONA)
    fiona.goto(f"{app_server.url}/#/desk/{network_id(app_server, 'croydon-sun')}/members/{dev}")
    fiona.get_by_role("heading", name="Dev").wait_for()
    fiona.get_by_text("Dev is ready to go on call.").wait_for()
    fiona.get_by_role("button", name="Mark not ready").click()
    dialog = fiona.get_by_role("dialog")
    expect(dialog).to_contain_text("their shifts end")
    axe_check(fiona)
    dialog.get_by_role("button", name="Mark not ready").click()
    fiona.get_by_text("Dev is not ready to go on call yet.").wait_for()
    off = app_server.shell(
        "import json; from network.models import Membership, Shift\n"
        f"m = Membership.objects.get(pk={dev})\n"
        "print(json.dumps([m.ready_for_on_call_at is None,"
        " Shift.objects.filter(network=m.network, person=m.person, is_active=True).count()]))"
    )
    assert off == [True, 0]
    fiona.get_by_label("Why? (optional, kept in the history)").fill("refresher done")
    fiona.get_by_role("button", name="Mark ready for on call").click()
    fiona.get_by_text("Dev is ready to go on call.").wait_for()
    assert app_server.shell(
        "import json; from network.models import Membership, MembershipChange\n"
        f"m = Membership.objects.get(pk={dev})\n"
        "c = MembershipChange.objects.filter(kind='marked_ready', person=m.person).order_by('-pk').first()\n"
        "print(json.dumps([m.ready_for_on_call_at is not None, c.actor.display_name, c.reason]))"
    ) == [True, "Fiona (facilitator)", "refresher done"]
    shoot_desk(fiona, "members-person")
