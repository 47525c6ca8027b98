"""Members amend their network's rules: propose, vote, close, ratify or send back,
the safety floor, and the rules' history (issue 16)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from messaging import tasks
from messaging.models import Event
from messaging.models.escalation import EscalationPolicy
from network.actions import rules as rule_actions
from network.models import Membership, Network, RuleChangeProposal, RuleVote
from tests.factories import MembershipFactory, PersonFactory
from tests.messaging.conftest import make_crisis

pytestmark = pytest.mark.django_db

NEW_STEPS = [
    {"audience": "on_call", "wait_seconds": 60},
    {"audience": "navigators_and_staff", "wait_seconds": 240},
]


def _propose(api, person, network, body=None, **headers):
    body = body or {"changes": {"escalation_steps": NEW_STEPS, "size_cap": 12}, "reason": "Faster to staff"}
    return api(person).post(f"/api/v1/networks/{network.pk}/rule-proposals/", body, format="json", **headers)


def _close_now(proposal_id: int) -> RuleChangeProposal:
    RuleChangeProposal.objects.filter(pk=proposal_id).update(
        voting_closes_at=timezone.now() - timedelta(seconds=1)
    )
    return RuleChangeProposal.objects.get(pk=proposal_id)


def test_propose_vote_pass_ratify_take_effect_and_history(api, network, member, peer, navigator, staff):
    # Four current members: quorum 50% is two votes; majority is more than 50% of yes and no.
    response = _propose(api, member, network, {**_body(), "house_rules": "We listen first."})
    assert response.status_code == 201, response.content
    proposal = response.json()
    assert proposal["state"] == "open"
    assert proposal["proposer"]["display_name"] == "Amara"
    assert proposal["house_rules"] == "We listen first."
    assert (proposal["quorum_percent"], proposal["majority_percent"]) == (50, 50)
    # The house rules and the reason are sealed at rest, never plain in the row.
    raw = RuleChangeProposal.objects.filter(pk=proposal["id"]).values_list("house_rules", "reason").get()
    assert b"listen" not in bytes(raw[0])
    assert b"Faster" not in bytes(raw[1])
    # Every current member is told.
    told = set(Event.objects.filter(type="rules.proposal").values_list("person_id", flat=True))
    assert told == {member.pk, peer.pk, navigator.pk, staff.pk}

    votes = f"/api/v1/rule-proposals/{proposal['id']}/votes/"
    assert api(member).post(votes, {"choice": "yes"}, format="json").status_code == 201
    assert api(peer).post(votes, {"choice": "yes"}, format="json").status_code == 201
    assert api(navigator).post(votes, {"choice": "no"}, format="json").status_code == 201
    # Once per member.
    again = api(member).post(votes, {"choice": "no"}, format="json")
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    listed = api(member).get(f"/api/v1/networks/{network.pk}/rule-proposals/").json()["results"][0]
    assert listed["votes"] == {"yes": 2, "no": 1, "abstain": 0, "eligible": None}
    assert listed["my_vote"] == "yes"
    # Nothing changed yet.
    network.refresh_from_db()
    assert network.size_cap == 10

    _close_now(proposal["id"])
    listed = api(staff).get(f"/api/v1/networks/{network.pk}/rule-proposals/").json()["results"][0]
    assert listed["state"] == "passed"
    assert listed["votes"] == {"yes": 2, "no": 1, "abstain": 0, "eligible": 4}
    # Voting after the window: 409.
    assert api(staff).post(votes, {"choice": "yes"}, format="json").status_code == 409

    ratified = api(staff).post(f"/api/v1/rule-proposals/{proposal['id']}/ratify/", format="json")
    assert ratified.status_code == 200, ratified.content
    assert ratified.json()["state"] == "applied"
    assert ratified.json()["version"] == 1
    network.refresh_from_db()
    assert network.escalation_steps == NEW_STEPS
    assert network.size_cap == 12
    # Ratifying twice changes nothing more.
    assert api(staff).post(f"/api/v1/rule-proposals/{proposal['id']}/ratify/").status_code == 409

    rules = api(peer).get(f"/api/v1/networks/{network.pk}/rules/").json()
    assert rules["version"] == 1
    assert rules["settings"]["escalation_steps"] == NEW_STEPS
    assert rules["house_rules"] == "We listen first."
    assert rules["safety_floor"]["max_wait_seconds"] == 900
    assert rules["voting_days"] == settings.RULES_VOTING_DAYS_DEFAULT
    [version] = rules["history"]
    assert version["proposer"]["display_name"] == "Amara"
    assert version["decided_by"]["display_name"] == "Fiona"
    assert version["votes"]["yes"] == 2
    assert version["applied_at"] is not None
    assert version["previous"]["size_cap"] == 10
    assert set(
        Event.objects.filter(type="rules.proposal", person=peer).values_list("data__change", flat=True)
    ) == {"proposed", "voted", "closed", "ratified"}
    # A vote tells every member the counts changed, never who voted or how.
    voted = Event.objects.filter(type="rules.proposal", data__change="voted")
    assert voted.filter(person=peer).count() == 3
    assert all(set(e.data) == {"proposal_id", "network", "change", "state", "proposer"} for e in voted)


def _body(**changes):
    return {
        "changes": changes or {"escalation_steps": NEW_STEPS, "size_cap": 12},
        "reason": "Faster to staff",
    }


def test_the_idempotency_key_makes_one_proposal(api, network, member):
    first = _propose(api, member, network, HTTP_IDEMPOTENCY_KEY="p-1")
    second = _propose(api, member, network, HTTP_IDEMPOTENCY_KEY="p-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert RuleChangeProposal.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"escalation_steps": [{"audience": "on_call", "wait_seconds": 60}]}, "always a staff step"),
        (
            {"escalation_steps": [{"audience": "on_call", "wait_seconds": 20}, NEW_STEPS[1]]},
            "between 30 and 900",
        ),
        (
            {"escalation_steps": [{"audience": "navigators_and_staff", "wait_seconds": 901}]},
            "between 30 and 900",
        ),
        ({"escalation_steps": [NEW_STEPS[0]] * 6 + [NEW_STEPS[1]]}, "at most 6"),
        ({"size_cap": 51}, "between 2 and 50"),
        ({"size_cap": 1}, "between 2 and 50"),
        ({"emergency_routes": [{"label": "Friend", "number": "0123", "how": "call"}]}, "Emergency routes"),
        ({"vote_quorum_percent": 10}, "between 20% and 100%"),
        ({"vote_majority_percent": 30}, "between 50% and 99%"),
    ],
)
def test_a_proposal_below_the_safety_floor_is_refused_with_the_rule(api, network, member, changes, words):
    response = _propose(api, member, network, _body(**changes))
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "about:blank#below_safety_floor"
    assert words in body["detail"]
    assert not RuleChangeProposal.objects.exists()


def test_bad_input_is_a_validation_problem(api, network, member):
    assert _propose(api, member, network, {"reason": "nothing"}).status_code == 400
    bad = _propose(
        api, member, network, _body(escalation_steps=[{"audience": "everyone", "wait_seconds": 60}])
    )
    assert bad.json()["type"] == "about:blank#validation_error"
    assert not RuleChangeProposal.objects.exists()


def test_a_vote_closing_with_no_quorum(api, network, member, peer, navigator, staff):
    proposal = _propose(api, member, network).json()
    api(member).post(f"/api/v1/rule-proposals/{proposal['id']}/votes/", {"choice": "yes"}, format="json")
    _close_now(proposal["id"])
    # One vote of four is under the 50% quorum.
    rules = api(member).get(f"/api/v1/networks/{network.pk}/rule-proposals/").json()["results"][0]
    assert rules["state"] == "failed_no_quorum"
    assert api(staff).post(f"/api/v1/rule-proposals/{proposal['id']}/ratify/").status_code == 409
    network.refresh_from_db()
    assert network.size_cap == 10


def test_quorum_counts_only_current_members_and_the_network_sets_the_rule(
    network, member, peer, navigator, staff
):
    network.vote_quorum_percent, network.vote_majority_percent = 75, 66
    network.save()
    proposal = rule_actions.do_propose_rule_change(
        network=network, proposer=member, changes={"size_cap": 8}, house_rules=None, reason="smaller"
    )
    assert (proposal.quorum_percent, proposal.majority_percent) == (75, 66)
    for person, choice in ((member, "yes"), (peer, "yes"), (navigator, "no")):
        rule_actions.do_vote(proposal=proposal, member=person, choice=choice)
    # Two yes of three is 66.7%, more than 66; three of four voted (75%): passed.
    closed = rule_actions.do_close_proposal(proposal=_close_now(proposal.pk))
    assert (closed.state, closed.eligible_count) == ("passed", 4)

    # The same votes when the navigator has left: two of three current members voted
    # (under 75%), and the leaver's vote is not counted.
    second = rule_actions.do_propose_rule_change(
        network=network, proposer=member, changes={"size_cap": 9}, house_rules=None, reason="again"
    )
    for person, choice in ((member, "yes"), (peer, "yes"), (navigator, "no")):
        rule_actions.do_vote(proposal=second, member=person, choice=choice)
    Membership.objects.filter(person=navigator, network=network).update(left_at=timezone.now())
    closed = rule_actions.do_close_proposal(proposal=_close_now(second.pk))
    assert (closed.state, closed.eligible_count, closed.no_count) == ("failed_no_quorum", 3, 0)


def test_a_majority_of_no_rejects(network, member, peer, navigator, staff):
    proposal = rule_actions.do_propose_rule_change(
        network=network, proposer=member, changes={"size_cap": 8}, house_rules=None, reason="smaller"
    )
    for person, choice in ((member, "yes"), (peer, "no"), (navigator, "abstain")):
        rule_actions.do_vote(proposal=proposal, member=person, choice=choice)
    # One yes of one yes and one no is not more than half.
    assert rule_actions.do_close_proposal(proposal=_close_now(proposal.pk)).state == "rejected"


def test_send_back_with_a_reason_members_see(api, network, member, peer, navigator, staff):
    proposal = _propose(api, member, network).json()
    for person in (member, peer, navigator):
        api(person).post(f"/api/v1/rule-proposals/{proposal['id']}/votes/", {"choice": "yes"}, format="json")
    _close_now(proposal["id"])
    url = f"/api/v1/rule-proposals/{proposal['id']}/send-back/"
    assert api(staff).post(url, {}, format="json").status_code == 400
    response = api(staff).post(url, {"reason": "Please talk to the staff team first."}, format="json")
    assert response.status_code == 200, response.content
    seen = api(member).get(f"/api/v1/networks/{network.pk}/rule-proposals/").json()["results"][0]
    assert seen["state"] == "sent_back"
    assert seen["decision_reason"] == "Please talk to the staff team first."
    network.refresh_from_db()
    assert network.size_cap == 10
    assert api(member).get(f"/api/v1/networks/{network.pk}/rules/").json()["version"] == 0


def test_a_running_alert_keeps_its_old_policy_after_a_ratified_change():
    crisis = make_crisis()
    network: Network = crisis.network
    old_steps = list(network.escalation_steps)
    running = crisis.raise_alert("before")
    proposal = rule_actions.do_propose_rule_change(
        network=network,
        proposer=crisis.member,
        changes={"escalation_steps": NEW_STEPS},
        house_rules=None,
        reason="faster",
    )
    voters = Membership.objects.filter(network=network, left_at__isnull=True).values_list("person", flat=True)
    for person_id in voters:
        RuleVote.objects.create(proposal=proposal, member_id=person_id, choice="yes")
    rule_actions.do_ratify(proposal=_close_now(proposal.pk), actor=crisis.staff)
    network.refresh_from_db()
    assert network.escalation_steps == NEW_STEPS

    running.refresh_from_db()
    assert _steps(running) == old_steps
    # The next alert carries the new rules.
    other = PersonFactory(display_name="Zed")
    MembershipFactory(person=other, network=network, role="member")
    after = crisis.raise_alert("after", member=other)
    assert _steps(after) == NEW_STEPS
    # And the escalation follows each alert's own snapshot: 90 s on, the new first
    # wait (60 s) has passed, the old one (120 s) has not.
    tasks.sweep(now=crisis.now + timedelta(seconds=90))
    running.refresh_from_db()
    after.refresh_from_db()
    assert (running.step, after.step) == (0, 1)
    tasks.sweep(now=crisis.now + timedelta(seconds=121))
    running.refresh_from_db()
    assert running.step == 1


def _steps(alert):
    return [
        {"audience": step.audience, "wait_seconds": int(step.wait.total_seconds())}
        for step in EscalationPolicy.of(alert).steps
    ]


def test_another_network_and_roles(api, network, other_network, member, navigator, staff, outsider):
    proposal = _propose(api, member, network).json()
    assert api(outsider).get(f"/api/v1/networks/{network.pk}/rule-proposals/").status_code == 404
    assert api(outsider).get(f"/api/v1/networks/{network.pk}/rules/").status_code == 404
    assert _propose(api, outsider, network).status_code == 404
    for url in ("votes", "ratify", "send-back"):
        assert (
            api(outsider)
            .post(f"/api/v1/rule-proposals/{proposal['id']}/{url}/", {}, format="json")
            .status_code
            == 404
        )
    # The other network's list does not show it.
    assert api(outsider).get(f"/api/v1/networks/{other_network.pk}/rule-proposals/").json()["results"] == []
    _close_now(proposal["id"])
    for person in (member, navigator):
        assert api(person).post(f"/api/v1/rule-proposals/{proposal['id']}/ratify/").status_code == 403
        assert (
            api(person)
            .post(f"/api/v1/rule-proposals/{proposal['id']}/send-back/", {"reason": "x"}, format="json")
            .status_code
            == 403
        )


def test_the_network_changes_its_own_voting_rule_by_a_vote(network, member, peer, navigator, staff):
    proposal = rule_actions.do_propose_rule_change(
        network=network,
        proposer=member,
        changes={"vote_quorum_percent": 75, "vote_majority_percent": 66},
        house_rules=None,
        reason="a bigger say",
    )
    for person in (member, peer):
        rule_actions.do_vote(proposal=proposal, member=person, choice="yes")
    rule_actions.do_ratify(proposal=_close_now(proposal.pk), actor=staff)
    network.refresh_from_db()
    assert (network.vote_quorum_percent, network.vote_majority_percent) == (75, 66)
    # The next proposal is counted by the new rule: two votes of four are under 75%.
    second = rule_actions.do_propose_rule_change(
        network=network, proposer=member, changes={"size_cap": 9}, house_rules=None, reason="again"
    )
    for person in (member, peer):
        rule_actions.do_vote(proposal=second, member=person, choice="yes")
    assert rule_actions.do_close_proposal(proposal=_close_now(second.pk)).state == "failed_no_quorum"
