"""Co-production in the app (issue 16), in a real browser: members propose a
change to their network's rules (the safety floor refuses one, with the
reason beside the field and nothing typed lost), vote once, a facilitator
ratifies what passed and the rules show the new version and its history;
a member reads how the network is doing for a period (charts and the same
figures as text, small counts as "fewer than 5", the CSV), and answers the
monthly pulse question a facilitator set."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.app.conftest import AMARA, BEN, FIONA, axe_check, shoot, sign_in

# Chioma's vote (the third of Croydon SUN's five, so the quorum of 50% is
# met), then the window is made to have ended: the next read counts it.
CLOSE_THE_VOTE = """
import json
from datetime import timedelta
from django.utils import timezone
from network.models import Person, RuleChangeProposal, RuleVote
proposal = RuleChangeProposal.objects.get(pk=%d)
chioma = Person.objects.get(phone_number="+447700800003")
RuleVote.objects.create(proposal=proposal, member=chioma, choice="abstain")
ended = timezone.now() - timedelta(minutes=1)
RuleChangeProposal.objects.filter(pk=proposal.pk).update(voting_closes_at=ended)
print(json.dumps(proposal.state))
"""

CROYDON = """
import json
from network.models import Network
network = Network.objects.get(slug="croydon-sun")
print(json.dumps({"id": network.pk, "size_cap": network.size_cap}))
"""

STORED = """
import json
from network.models import RuleChangeProposal
p = RuleChangeProposal.objects.get(pk=%d)
print(json.dumps([p.state, p.changes, p.reason]))
"""


def open_network(page: Page, name: str = "Croydon SUN") -> None:
    page.get_by_role("link", name="My networks").click()
    page.get_by_role("link", name=re.compile(name)).click()
    page.locator("h1", has_text=name).wait_for()


def test_members_propose_and_vote_and_a_facilitator_ratifies_a_change_to_their_rules(app_server, phone):
    croydon = app_server.shell(CROYDON)
    page = phone()
    sign_in(page, app_server, AMARA)
    open_network(page)
    page.get_by_role("link", name=re.compile("Our rules")).click()
    page.locator("h1", has_text="Our rules").wait_for()
    settings = page.get_by_role("region", name="How the service works for us")
    expect(settings).to_contain_text("An alert goes first to the people on call.")
    expect(settings).to_contain_text(
        "If nobody takes it in 2 minutes, it goes to members who said they are free."
    )
    expect(page.get_by_role("region", name="What no vote can change")).to_contain_text(
        "There is always a last step that reaches the navigators and staff."
    )
    axe_check(page)
    shoot(page, "rules")

    # One thing per page: what to change, then the new value and why.
    page.get_by_role("link", name="Propose a change").click()
    page.locator("h1", has_text="Propose a change").wait_for()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose what you would like to change")
    axe_check(page)
    page.get_by_role("radio", name=re.compile("How many people the network aims", re.I)).check()
    page.get_by_role("button", name="Continue").click()
    page.locator("h1", has_text="Change:").wait_for()
    expect(page.locator(".coprod-now")).to_contain_text(f"stay at {croydon['size_cap']} people or fewer")

    # Beyond the safety floor: refused, the reason by the field, nothing lost.
    value = page.get_by_label("What should it be?")
    value.fill("80")
    page.get_by_label("Why should it change?").fill("We keep being asked by neighbours to join.")
    page.reload()  # a draft survives a reload
    page.locator("h1", has_text="Change:").wait_for()
    expect(value).to_have_value("80")
    expect(page.get_by_label("Why should it change?")).to_have_value(
        "We keep being asked by neighbours to join."
    )
    page.get_by_role("button", name="Propose this change").click()
    refusal = page.locator("#value-error")
    expect(refusal).to_contain_text("The size cap must be between 2 and 50.")
    expect(page.get_by_role("alert")).to_contain_text("The size cap must be between 2 and 50.")
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(value).to_have_value("80")
    expect(page.get_by_label("Why should it change?")).to_have_value(
        "We keep being asked by neighbours to join."
    )
    axe_check(page)
    shoot(page, "rules-propose-refused")

    value.fill("12")
    page.get_by_role("button", name="Propose this change").click()
    expect(page.get_by_role("status").filter(has_text="Your proposal is open for votes.")).to_be_visible()
    change = page.locator("[data-change=size_cap]")
    expect(change.locator(".coprod-before")).to_contain_text(f"stay at {croydon['size_cap']} people or fewer")
    expect(change.locator(".coprod-after")).to_contain_text("stay at 12 people or fewer")
    expect(page.get_by_role("region", name="Why")).to_contain_text(
        "We keep being asked by neighbours to join."
    )
    expect(page.locator(".coprod-state")).to_contain_text("Open for votes until")
    proposal_id = int(re.search(r"proposals/(\d+)", page.url).group(1))

    # Her vote: said to be final before, and said back after, in one tap.
    vote = page.get_by_role("group", name=re.compile("Your vote"))
    expect(vote).to_contain_text("You cannot change your vote afterwards.")
    axe_check(page)
    shoot(page, "rules-proposal")
    vote.get_by_role("button", name="Vote yes").click()
    expect(vote).to_contain_text("You voted yes.")
    expect(vote.get_by_role("button", name="Vote no")).to_have_count(0)
    expect(page.locator(".coprod-counts")).to_contain_text("Yes: 1. No: 0. Abstain: 0.")

    # Ben votes from the rules page, where it is open with its live count.
    ben = phone()
    sign_in(ben, app_server, BEN)
    ben.goto(f"{app_server.url}/#/networks/{croydon['id']}/rules")
    card = ben.locator(f"[data-proposal='{proposal_id}']")
    expect(card).to_contain_text("Yes: 1. No: 0. Abstain: 0.")
    card.get_by_role("button", name="Vote yes").click()
    expect(card).to_contain_text("You voted yes.")
    expect(card).to_contain_text("Yes: 2. No: 0. Abstain: 0.")
    ben.reload()
    expect(ben.locator(f"[data-proposal='{proposal_id}'] [data-my-vote=yes]")).to_be_visible()

    # The window closes; Fiona, a facilitator, ratifies what passed.
    assert app_server.shell(CLOSE_THE_VOTE % proposal_id) == "open"
    fiona = phone()
    sign_in(fiona, app_server, FIONA)
    fiona.goto(f"{app_server.url}/#/networks/{croydon['id']}/rules/proposals/{proposal_id}")
    expect(fiona.locator(".coprod-state")).to_contain_text("Passed.")
    expect(fiona.locator(".coprod-counts")).to_contain_text(
        "Yes: 2. No: 0. Abstain: 1. 5 members could vote."
    )
    decide = fiona.get_by_role("region", name="For facilitators")
    axe_check(fiona)
    decide.get_by_role("button", name="Ratify this change").click()
    dialog = fiona.get_by_role("dialog")
    expect(dialog).to_contain_text("from the next alert on")
    dialog.get_by_role("button", name="Ratify this change").click()
    fiona.locator("h1", has_text="Our rules").wait_for()
    expect(fiona.get_by_role("status").filter(has_text="Ratified. The change is in effect.")).to_be_visible()
    history = fiona.get_by_role("region", name="Changes so far")
    version = history.locator("li").first
    expect(version).to_contain_text("in effect from")
    expect(version).to_contain_text("Proposed by Amara")
    expect(version).to_contain_text("Yes: 2. No: 0. Abstain: 1.")
    expect(version).to_contain_text("Decided by Fiona")
    expect(fiona.get_by_role("region", name="How the service works for us")).to_contain_text(
        "stay at 12 people or fewer"
    )

    # Amara's page hears of it (rules.proposal) with no reload.
    expect(page.locator(".coprod-state")).to_contain_text("In effect since")
    assert app_server.shell(CROYDON)["size_cap"] == 12
    stored = app_server.shell(STORED % proposal_id)
    assert stored == ["applied", {"size_cap": 12}, "We keep being asked by neighbours to join."]
