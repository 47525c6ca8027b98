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

DISCUSSION = """
import json
from messaging.models import Conversation
print(json.dumps(str(Conversation.objects.get(rule_proposal_id=%d).pk)))
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
    # (the demo's version 1 gave the people on call 3 minutes, not 2)
    expect(settings).to_contain_text(
        "If nobody takes it in 3 minutes, it goes to members who said they are free."
    )
    version_before = int(page.locator("[data-rules-version]").get_attribute("data-rules-version"))
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
    page.get_by_role("radio", name="Soft size cap").check()
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
    expect(refusal).to_contain_text("Soft size cap must be between 2 and 50 members.")
    expect(page.get_by_role("alert")).to_contain_text("Soft size cap must be between 2 and 50 members.")
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
    discussion = app_server.shell(DISCUSSION % proposal_id)
    talk = page.get_by_role("link", name="Talk about it with the network")
    expect(talk).to_have_attribute("href", f"#/conversations/{discussion}")

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
    # Amara, still on the proposal, sees the count move without a reload.
    expect(page.locator(".coprod-counts")).to_contain_text("Yes: 2. No: 0. Abstain: 0.")
    ben.reload()
    expect(ben.locator(f"[data-proposal='{proposal_id}'] [data-my-vote=yes]")).to_be_visible()
    # ...and may talk about it in its discussion, the network's own conversation.
    card.get_by_role("link", name=re.compile("Read and vote")).click()
    ben.get_by_role("link", name="Talk about it with the network").click()
    expect(ben.get_by_label("Your message")).to_be_visible()
    expect(ben.get_by_role("heading", level=1)).to_have_text("Croydon SUN: talking about a proposed change")
    expect(ben.get_by_role("link", name="Read the proposal and vote")).to_have_attribute(
        "href", f"#/networks/{croydon['id']}/rules/proposals/{proposal_id}"
    )

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
    expect(fiona.locator("[data-rules-version]")).to_have_text(
        f"This is version {version_before + 1} of our rules."
    )
    history = fiona.get_by_role("region", name="Changes so far")
    version = history.locator("li").first
    expect(version).to_contain_text(f"Version {version_before + 1}, in effect from")
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


def test_a_member_reads_how_the_network_is_doing_and_answers_the_pulse_a_facilitator_set(app_server, phone):
    # Fiona, a facilitator, sets the month's question from the report page.
    fiona = phone()
    sign_in(fiona, app_server, FIONA)
    open_network(fiona)
    expect(fiona.get_by_role("region", name="How is it going?")).to_have_count(0)  # she sets it, not answers
    fiona.get_by_role("link", name=re.compile("How we're doing")).click()
    fiona.locator("h1", has_text="How we're doing").wait_for()
    manage = fiona.get_by_role("region", name="The pulse question")
    manage.get_by_label("The question").fill("")
    manage.get_by_role("button", name="Save the question").click()
    expect(fiona.get_by_role("alert")).to_contain_text("Write the question")
    manage.get_by_label("The question").fill("How did the network feel to you this month?")
    manage.get_by_label("What does 1 mean?").fill("Not good")
    manage.get_by_label("What does 5 mean?").fill("Really good")
    manage.get_by_role("button", name="Save the question").click()
    expect(manage).to_contain_text("The question is saved.")
    expect(manage).to_contain_text('Now: "How did the network feel to you this month?"')
    expect(
        fiona.locator("[data-peers=true]")
    ).to_be_visible()  # each peer's load: navigators and facilitators
    axe_check(fiona)

    # Amara is asked on the network page, gently, and told who sees what.
    page = phone()
    sign_in(page, app_server, AMARA)
    open_network(page)
    card = page.get_by_role("region", name="How is it going?")
    expect(card.get_by_role("group", name="How did the network feel to you this month?")).to_be_visible()
    expect(card).to_contain_text("Your words are shared without your name, and only when at least 5 people")
    card.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a number from 1 to 5")
    axe_check(page)
    shoot(page, "network-pulse")
    card.get_by_label("4", exact=True).check()
    card.get_by_label("Anything you'd like to add?").fill("The Tuesday call helped.")
    expect(card.get_by_label(re.compile(r"^5\W+Really good$"))).not_to_be_checked()  # the ends are labelled
    expect(card.get_by_label(re.compile(r"^1\W+Not good$"))).not_to_be_checked()
    card.get_by_role("button", name="Send my answer").click()
    expect(card.get_by_role("status")).to_have_text("Thank you. Your answer is in.")
    page.reload()
    page.locator("h1", has_text="Croydon SUN").wait_for()
    expect(page.get_by_role("link", name=re.compile("How we're doing"))).to_be_visible()
    expect(page.get_by_role("region", name="How is it going?")).to_have_count(0)
    assert app_server.shell(PULSE_ANSWERS) == [[4, "The Tuesday call helped."]]

    # How we're doing: charts, and the same figures as text.
    page.get_by_role("link", name=re.compile("How we're doing")).click()
    page.locator("h1", has_text="How we're doing").wait_for()
    expect(page.get_by_role("table", name="Alerts", exact=True)).to_contain_text("Alerts raised")
    expect(page.get_by_role("table", name="Who took the alerts")).to_contain_text("Peers")
    expect(page.get_by_role("table", name="How long it took")).to_contain_text("Until someone took it")
    expect(page.locator("td", has_text="fewer than 5").first).to_be_visible()
    expect(page.locator("[data-peers=true]")).to_have_count(0)  # members see no one's load
    axe_check(page)
    shoot(page, "report")

    # Another period: its own figures, its own CSV.
    picker = page.get_by_label("Which month or quarter?")
    shown = page.locator(".coprod-period").get_attribute("data-period")
    options = picker.locator("option").evaluate_all("(os) => os.map((o) => [o.value, o.textContent])")
    assert len(options) >= 2
    months = [option for option in options if re.fullmatch(r"\d{4}-\d{2}", option[0])]
    other_key, other_label = max(option for option in months if option[0] < shown)  # the month before
    picker.select_option(other_key)
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".coprod-period")).to_have_attribute("data-period", other_key)
    expect(page.locator(".coprod-period")).to_contain_text(f"Showing: {other_label}")
    expect(page).to_have_url(re.compile(rf"period={re.escape(other_key)}"))
    expect(page.locator("[data-chart][data-drawn=true] canvas").first).to_be_visible()
    csv_link = page.get_by_role("link", name="Download as CSV")
    href = csv_link.get_attribute("href")
    assert href.endswith(f"report.csv?period={other_key}")
    answer = page.request.get(app_server.url + href)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.text().splitlines()[0] == "figure,value"
    assert "fewer than 5" in answer.text()

    # This month (the newest): her answer is counted, and her words are not shown to members.
    this_month, this_label = options[0]
    picker.select_option(this_month)
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".coprod-period")).to_contain_text(f"Showing: {this_label}")
    pulse = page.get_by_role("region", name="What members say")
    expect(pulse).to_contain_text("How did the network feel to you this month?")
    expect(pulse).to_contain_text("Members who answered: fewer than 5")
    expect(pulse).not_to_contain_text("The Tuesday call helped.")


PULSE_ANSWERS = """
import json
from messaging.models import PulseAnswer
answers = PulseAnswer.objects.filter(
    person__phone_number="+447700800001", question__text="How did the network feel to you this month?"
)
print(json.dumps([[a.scale, a.words] for a in answers]))
"""
