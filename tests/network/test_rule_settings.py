"""Every setting the software enforces is one of the network's rules (issue 16):
the registry the proposal form is drawn from, the safety floor on every path
(proposals and direct changes alike), each setting enforced where it is used,
house rules that outlive their proposer, a discussion per proposal, and windows
that close on their own."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from crisisplans.actions import do_delete_account
from crisisplans.models import PlanPolicy
from messaging.actions import alerts
from messaging.models import Alert, Conversation, Event, Message, MessageRetention
from network import rule_settings, tasks
from network.actions import do_record_alert_offers, do_update_my_membership
from network.actions import rules as rule_actions
from network.models import Membership, Network, Person, RuleChangeProposal, RuleVote
from network.selectors import on_call_candidates
from tests.factories import MembershipFactory, PersonFactory
from tests.messaging.conftest import make_crisis, put_on_call, send_message

pytestmark = pytest.mark.django_db

EVERY_SETTING = {
    "escalation_steps",
    "size_cap",
    "first_contact_seconds",
    "direct_messages",
    "max_alerts_per_shift",
    "default_quiet_hours",
    "vote_quorum_percent",
    "vote_majority_percent",
    "plan_grace_hours",
    "message_retention_days",
}


def _proposals(network: Network) -> str:
    return f"/api/v1/networks/{network.pk}/rule-proposals/"


def _passed(network: Network, proposer: Person, changes: dict, house_rules: str | None = None):
    """A proposal every current member voted for, its window ended."""
    proposal = rule_actions.do_propose_rule_change(
        network=network, proposer=proposer, changes=changes, house_rules=house_rules, reason="why not"
    )
    for person_id in Membership.objects.filter(network=network, left_at__isnull=True).values_list(
        "person_id", flat=True
    ):
        RuleVote.objects.create(proposal=proposal, member_id=person_id, choice="yes")
    RuleChangeProposal.objects.filter(pk=proposal.pk).update(
        voting_closes_at=timezone.now() - timedelta(seconds=1)
    )
    return RuleChangeProposal.objects.get(pk=proposal.pk)


# --- what the proposal form is drawn from -------------------------------------------------


def test_the_rules_list_every_proposable_setting_with_the_floors_limits(api, network, member, settings):
    body = api(member).get(f"/api/v1/networks/{network.pk}/rules/").json()
    proposable = {entry["name"]: entry for entry in body["proposable"]}
    assert set(proposable) == EVERY_SETTING
    for entry in body["proposable"]:
        assert set(entry) == {"name", "label", "kind", "help", "min", "max", "unit"}
        assert entry["kind"] in ("integer", "boolean", "escalation_steps", "time_range")
        assert entry["label"]
        assert entry["help"]
    floor = settings.RULES_SAFETY_FLOOR
    assert proposable["size_cap"] | {"help": ""} == {
        "name": "size_cap",
        "label": "Soft size cap",
        "kind": "integer",
        "help": "",
        "min": floor["min_size_cap"],
        "max": floor["max_size_cap"],
        "unit": "members",
    }
    assert (proposable["escalation_steps"]["min"], proposable["escalation_steps"]["max"]) == (30, 900)
    assert (proposable["plan_grace_hours"]["min"], proposable["plan_grace_hours"]["max"]) == (0, 72)
    assert proposable["message_retention_days"]["unit"] == "days"
    assert proposable["direct_messages"]["kind"] == "boolean"
    assert proposable["default_quiet_hours"]["kind"] == "time_range"
    # Every proposable setting's value now, by name (and the routes, always shown).
    assert set(body["settings"]) == EVERY_SETTING | {"emergency_routes"}
    assert body["settings"]["plan_grace_hours"] == settings.PLAN_ALERT_GRACE_DEFAULT.total_seconds() // 3600
    assert body["settings"]["message_retention_days"] == settings.MESSAGE_RETENTION_DAYS_DEFAULT
    assert body["settings"]["first_contact_seconds"] == settings.ALERT_FIRST_CONTACT_SECONDS
    assert body["settings"]["direct_messages"] is True
    assert body["settings"]["default_quiet_hours"] is None


def test_the_upper_apps_settings_are_proposed_ratified_and_applied_by_their_own_actions(
    api, network, member, peer, navigator, staff
):
    changes = {
        "plan_grace_hours": 4,
        "message_retention_days": 90,
        "first_contact_seconds": 300,
        "direct_messages": False,
        "max_alerts_per_shift": 2,
        "default_quiet_hours": {"start": "23:00", "end": "07:00"},
    }
    response = api(member).post(_proposals(network), {"changes": changes, "reason": "calmer"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["changes"] == changes
    proposal = RuleChangeProposal.objects.get(pk=response.json()["id"])
    for person in (member, peer, navigator):
        rule_actions.do_vote(proposal=proposal, member=person, choice="yes")
    RuleChangeProposal.objects.filter(pk=proposal.pk).update(voting_closes_at=timezone.now())
    ratified = api(staff).post(f"/api/v1/rule-proposals/{proposal.pk}/ratify/")
    assert ratified.status_code == 200, ratified.content
    assert PlanPolicy.objects.get(network=network).alert_grace_hours == 4
    assert MessageRetention.objects.get(network=network).days == 90
    network.refresh_from_db()
    assert (network.first_contact_seconds, network.direct_messages, network.max_alerts_per_shift) == (
        300,
        False,
        2,
    )
    assert network.default_quiet_hours == {"start": "23:00", "end": "07:00"}
    rules = api(peer).get(f"/api/v1/networks/{network.pk}/rules/").json()
    assert {name: rules["settings"][name] for name in changes} == changes
    assert rules["history"][0]["previous"]["plan_grace_hours"] == 24
    assert rules["history"][0]["previous"]["direct_messages"] is True


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"plan_grace_hours": 73}, "between 0 and 72 hours"),
        ({"message_retention_days": 10}, "between 30 and 1095 days"),
        ({"first_contact_seconds": 30}, "between 60 and 900 seconds"),
        ({"max_alerts_per_shift": 21}, "between 1 and 20 alerts"),
        ({"default_quiet_hours": {"start": "20:00", "end": "09:00"}}, "at most 12 hours"),
    ],
)
def test_a_proposal_beyond_the_floor_of_any_setting_is_refused(api, network, member, changes, words):
    response = api(member).post(_proposals(network), {"changes": changes, "reason": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "about:blank#below_safety_floor"
    assert words in response.json()["detail"]
    assert not RuleChangeProposal.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"no_such_setting": 1},
        {"direct_messages": "off"},
        {"size_cap": "12"},
        {"size_cap": True},
        {"default_quiet_hours": {"start": "23:00"}},
        {"default_quiet_hours": {"start": "23:00", "end": "23:00"}},
        {"default_quiet_hours": {"start": "11pm", "end": "07:00"}},
        ["size_cap", 12],
    ],
)
def test_a_change_of_the_wrong_shape_is_a_validation_problem(api, network, member, changes):
    response = api(member).post(_proposals(network), {"changes": changes, "reason": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "about:blank#validation_error"
    assert response["Content-Type"] == "application/problem+json"
    assert not RuleChangeProposal.objects.exists()


# --- the floor binds every path -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"size_cap": 51}, "between 2 and 50"),
        ({"escalation_steps": [{"audience": "on_call", "wait_seconds": 60}]}, "always a staff step"),
        (
            {"escalation_steps": [{"audience": "navigators_and_staff", "wait_seconds": 3600}]},
            "between 30 and 900",
        ),
        ({"first_contact_seconds": 3600}, "between 60 and 900"),
        ({"max_alerts_per_shift": 50}, "between 1 and 20"),
        ({"default_quiet_hours": {"start": "18:00", "end": "09:00"}}, "at most 12 hours"),
    ],
)
def test_a_direct_change_beyond_the_floor_is_refused_with_the_same_reason(
    api, network, navigator, staff, body, words
):
    for person in (navigator, staff):
        response = api(person).patch(f"/api/v1/networks/{network.pk}/", body, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["type"] == "about:blank#below_safety_floor"
        assert words in response.json()["detail"]
    network.refresh_from_db()
    assert (network.size_cap, len(network.escalation_steps), network.default_quiet_hours) == (10, 3, None)


def test_a_direct_change_within_the_floor_is_made(api, network, navigator, member):
    body = {
        "first_contact_seconds": 240,
        "direct_messages": False,
        "max_alerts_per_shift": 4,
        "default_quiet_hours": {"start": "00:00", "end": "06:00"},
    }
    response = api(navigator).patch(f"/api/v1/networks/{network.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    assert {name: response.json()[name] for name in body} == body
    assert api(member).patch(f"/api/v1/networks/{network.pk}/", body, format="json").status_code == 403


def test_the_plan_policy_endpoint_keeps_to_the_floor(api, network, navigator):
    url = f"/api/v1/networks/{network.pk}/plan-policy/"
    refused = api(navigator).put(url, {"alert_grace_hours": 100}, format="json")
    assert refused.status_code == 400
    assert refused.json()["type"] == "about:blank#below_safety_floor"
    assert "between 0 and 72 hours" in refused.json()["detail"]
    assert not PlanPolicy.objects.exists()
    assert api(navigator).put(url, {"alert_grace_hours": 72}, format="json").status_code == 200


def test_message_retention_keeps_to_the_floor(api, network, staff):
    url = f"/api/v1/networks/{network.pk}/message-retention/"
    refused = api(staff).put(url, {"days": 3000}, format="json")
    assert refused.status_code == 400
    assert refused.json()["type"] == "about:blank#below_safety_floor"
    assert "between 30 and 1095 days" in refused.json()["detail"]
    assert not MessageRetention.objects.exists()
    assert api(staff).put(url, {"days": 1095}, format="json").status_code == 200


def test_ratifying_checks_the_floor_again_when_it_has_risen(network, member, peer, staff, settings):
    proposal = _passed(network, member, {"plan_grace_hours": 48})
    settings.RULES_SAFETY_FLOOR = {**settings.RULES_SAFETY_FLOOR, "max_plan_grace_hours": 24}
    with pytest.raises(rule_settings.BelowSafetyFloor):
        rule_actions.do_ratify(proposal=proposal, actor=staff)
    assert not PlanPolicy.objects.exists()
    assert RuleChangeProposal.objects.get(pk=proposal.pk).version is None


# --- each setting enforced where it is used -----------------------------------------------


def test_a_running_alert_keeps_its_first_contact_time_and_the_next_uses_the_new_one():
    crisis = make_crisis()
    network = crisis.network
    running = crisis.raise_alert("before")
    network.first_contact_seconds = 600
    network.save(update_fields=["first_contact_seconds"])
    other = PersonFactory(display_name="Zed")
    MembershipFactory(person=other, network=network, role="member")
    after = crisis.raise_alert("after", member=other)
    taken_at = crisis.now + timedelta(seconds=5)
    for alert, peer in ((running, crisis.peers[0]), (after, crisis.peers[1])):
        alerts.do_accept_alert(alert_id=alert.pk, person=peer, now=taken_at)
    running, after = Alert.objects.get(pk=running.pk), Alert.objects.get(pk=after.pk)
    assert running.contact_check_due_at == taken_at + timedelta(seconds=180)
    assert after.contact_check_due_at == taken_at + timedelta(seconds=600)


def _on_call_now(network: Network, at: datetime) -> list[str]:
    return [p.display_name for p in on_call_candidates(network=network, at=at)]


def test_the_networks_ceiling_caps_each_peers_own_cap(network, member, peer, navigator):
    now = timezone.now()
    for person in (member, peer):
        put_on_call(person, network, actor=navigator, now=now - timedelta(minutes=5))
    do_update_my_membership(
        membership=Membership.objects.get(person=peer, network=network), max_alerts_per_shift=1
    )
    network.max_alerts_per_shift = 2
    network.save(update_fields=["max_alerts_per_shift"])
    do_record_alert_offers(offers=[(member, network), (peer, network)], at=now - timedelta(minutes=2))
    # Ben's own cap (1) is reached; Amara's (3) still counts only up to the network's 2.
    assert _on_call_now(network, now) == ["Amara"]
    do_record_alert_offers(offers=[(member, network)], at=now - timedelta(minutes=1))
    assert _on_call_now(network, now) == []


def test_the_networks_quiet_hours_hold_for_members_who_set_none(network, member, peer, navigator):
    at = datetime(2026, 12, 2, 23, 30, tzinfo=network.tzinfo)
    for person in (member, peer):
        put_on_call(person, network, actor=navigator, now=at - timedelta(hours=2))
    # Ben has quiet hours of his own, which do not cover 23:30.
    do_update_my_membership(
        membership=Membership.objects.get(person=peer, network=network),
        quiet_hours_start=time(1, 0),
        quiet_hours_end=time(6, 0),
    )
    assert _on_call_now(network, at) == ["Amara", "Ben"]
    network.default_quiet_hours = {"start": "23:00", "end": "07:00"}
    network.save(update_fields=["default_quiet_hours"])
    assert _on_call_now(network, at) == ["Ben"]
    assert _on_call_now(network, at.replace(hour=22)) == ["Amara", "Ben"]
    assert _on_call_now(network, at + timedelta(hours=3)) == []  # 02:30: Ben's own, Amara's the network's


def _direct(client, person_id: int):
    return client.post("/api/v1/conversations/direct/", {"person_id": person_id}, format="json")


def test_direct_messages_off_for_the_network_stops_members_but_not_groups_or_navigators(
    api, network, member, peer, navigator
):
    conversation_id = _direct(api(peer), member.pk).json()["id"]
    network.direct_messages = False
    network.save(update_fields=["direct_messages"])
    other = PersonFactory(display_name="Cal")
    MembershipFactory(person=other, network=network)
    refused = _direct(api(other), member.pk)
    assert refused.status_code == 403
    assert refused.json()["type"] == "about:blank#direct_messages_closed"
    sent = api(peer).post(
        f"/api/v1/conversations/{conversation_id}/messages/",
        {"text": "hi"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="d-1",
    )
    assert sent.status_code == 403
    assert not Message.objects.exists()
    # The group conversation carries on, and so do the navigator's messages to members.
    group_id = api(member).get(f"/api/v1/networks/{network.pk}/conversation/").json()["id"]
    send_message(api(member), group_id, "see you Tuesday", "g-1")
    navigator_conversation = _direct(api(navigator), member.pk)
    assert navigator_conversation.status_code == 201
    send_message(api(navigator), navigator_conversation.json()["id"], "checking in", "n-1")
    # Two members who also share a network that allows them may still write.
    elsewhere = Network.objects.create(name="Sutton", slug="sutton", kind="living_support")
    for person in (member, peer):
        MembershipFactory(person=person, network=elsewhere)
    send_message(api(peer), conversation_id, "hi again", "d-2")


# --- house rules outlive their proposer ---------------------------------------------------


def test_adopted_house_rules_still_read_after_the_proposer_deletes_their_account(
    api, network, member, peer, staff
):
    proposal = _passed(network, member, {}, house_rules="We listen first. We keep what we hear here.")
    rule_actions.do_ratify(proposal=proposal, actor=staff)
    do_delete_account(person=Person.objects.get(pk=member.pk))
    rules = api(peer).get(f"/api/v1/networks/{network.pk}/rules/").json()
    assert rules["house_rules"] == "We listen first. We keep what we hear here."
    assert rules["history"][0]["house_rules"] == "We listen first. We keep what we hear here."
    assert rules["history"][0]["proposer"] is None
    # Sealed at rest under the service's key, which is nobody's account.
    raw = (
        RuleChangeProposal.objects.filter(pk=proposal.pk).values_list("adopted_house_rules", flat=True).get()
    )
    assert b"listen" not in bytes(raw)
    keeper = RuleChangeProposal.objects.get(pk=proposal.pk).house_rules_keeper
    assert keeper is not None
    assert not keeper.is_active
    assert not keeper.has_usable_password()
    assert not Membership.objects.filter(person=keeper).exists()
    # Its number is no phone's: nobody can ask for a sign-in code for it.
    asked = api(None).post("/api/v1/auth/code/", {"phone_number": str(keeper.phone_number)}, format="json")
    assert asked.status_code == 400
    # The proposal's own reason was the proposer's, and went with them.
    assert RuleChangeProposal.objects.get(pk=proposal.pk).reason == ""


# --- a discussion per proposal ----------------------------------------------------------


def test_every_proposal_has_a_discussion_for_the_networks_members(api, network, member, peer, outsider):
    proposal = (
        api(member)
        .post(
            _proposals(network), {"changes": {"size_cap": 12}, "reason": "room for two more"}, format="json"
        )
        .json()
    )
    discussion_id = proposal["discussion_id"]
    assert discussion_id is not None
    assert Conversation.objects.get(pk=discussion_id).rule_proposal_id == proposal["id"]
    listed = api(peer).get(_proposals(network)).json()["results"][0]
    assert listed["discussion_id"] == discussion_id
    # Every current member hears it opened.
    assert Event.objects.filter(type="conversation.added", person=peer, data__conversation_id=discussion_id)
    # Reached from its proposal; in the conversation list once someone writes.
    assert [c["id"] for c in api(member).get("/api/v1/conversations/").json()] == []
    assert api(member).get(f"/api/v1/conversations/{discussion_id}/").json()["kind"] == "proposal"
    message = send_message(api(peer), discussion_id, "I'd rather stay small.", "p-1")
    assert [c["id"] for c in api(member).get("/api/v1/conversations/").json()] == [discussion_id]
    page = api(member).get(f"/api/v1/conversations/{discussion_id}/messages/?after=0").json()["results"]
    assert [(m["id"], m["text"]) for m in page] == [(message["id"], "I'd rather stay small.")]
    assert Event.objects.filter(type="message.new", person=member, data__conversation_id=discussion_id)
    # Someone who joins later takes part too.
    newcomer = PersonFactory(display_name="Nia")
    MembershipFactory(person=newcomer, network=network)
    send_message(api(newcomer), discussion_id, "Hello, I'm new.", "p-2")
    # Another network's people: 404, and nothing added.
    assert api(outsider).get(f"/api/v1/conversations/{discussion_id}/").status_code == 404
    assert api(outsider).get(f"/api/v1/conversations/{discussion_id}/messages/").status_code == 404
    posted = api(outsider).post(
        f"/api/v1/conversations/{discussion_id}/messages/",
        {"text": "hi"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="o-1",
    )
    assert posted.status_code == 404
    assert Message.objects.filter(conversation_id=discussion_id).count() == 2


# --- windows close on their own -----------------------------------------------------------


def test_the_beat_closes_due_proposals_and_members_hear_the_result(network, member, peer, settings):
    from config.celery import app as celery_app

    entry = settings.CELERY_BEAT_SCHEDULE["close-due-rule-proposals"]
    assert entry["task"] == "network.tasks.close_due_rule_proposals"
    celery_app.loader.import_default_modules()
    assert "network.tasks.close_due_rule_proposals" in celery_app.tasks

    due = rule_actions.do_propose_rule_change(
        network=network, proposer=member, changes={"size_cap": 12}, house_rules=None, reason="more"
    )
    still_open = rule_actions.do_propose_rule_change(
        network=network, proposer=member, changes={"size_cap": 14}, house_rules=None, reason="more"
    )
    RuleChangeProposal.objects.filter(pk=due.pk).update(
        voting_closes_at=timezone.now() - timedelta(minutes=1)
    )
    assert tasks.close_due_rule_proposals() == 1
    assert RuleChangeProposal.objects.get(pk=due.pk).state == "failed_no_quorum"
    assert RuleChangeProposal.objects.get(pk=still_open.pk).state == "open"
    told = Event.objects.filter(type="rules.proposal", person=peer, data__proposal_id=due.pk).order_by("seq")
    assert [(e.data["change"], e.data["state"], e.data["network"]["id"]) for e in told] == [
        ("proposed", "open", network.pk),
        ("closed", "failed_no_quorum", network.pk),
    ]
    # A second run closes nothing twice.
    assert tasks.close_due_rule_proposals() == 0
    # No text in the events: the reason stays in the sealed row.
    assert all("reason" not in e.data for e in told)
