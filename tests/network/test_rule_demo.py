"""The demo's Croydon SUN has a history of its rules and a proposal a visitor
can vote on (issue 16: "a proposal open for a vote, and one passed change in
the history")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Conversation
from network import demo
from network.models import RuleChangeProposal

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_ratified_change_and_one_proposal_open_for_votes(api):
    networks, people = demo.load()
    sun = networks["croydon-sun"]
    rules = api(people["amara"]).get(f"/api/v1/networks/{sun.pk}/rules/").json()
    assert rules["version"] == 1
    [version] = rules["history"]
    assert version["proposer"]["display_name"] == "Amara"
    assert version["decided_by"]["display_name"].startswith("Fiona")
    assert version["previous"]["escalation_steps"][0]["wait_seconds"] == 120
    assert rules["settings"]["escalation_steps"][0]["wait_seconds"] == 180
    assert rules["house_rules"].startswith("We listen first")
    assert timezone.now() - timedelta(weeks=8) < RuleChangeProposal.objects.get(version=1).applied_at
    [open_now] = [
        p
        for p in api(people["amara"]).get(f"/api/v1/networks/{sun.pk}/rule-proposals/").json()["results"]
        if p["state"] == "open"
    ]
    assert open_now["votes"]["yes"] + open_now["votes"]["no"] == 3
    assert open_now["my_vote"] is None
    assert Conversation.objects.filter(pk=open_now["discussion_id"]).exists()
    closes = RuleChangeProposal.objects.get(pk=open_now["id"]).voting_closes_at
    assert closes > timezone.now() + timedelta(days=3)
    # Amara, signing in to the demo, can vote.
    vote = api(people["amara"]).post(
        f"/api/v1/rule-proposals/{open_now['id']}/votes/", {"choice": "yes"}, format="json"
    )
    assert vote.status_code == 201
    # Loading again adds nothing.
    demo.load()
    assert RuleChangeProposal.objects.filter(network=sun).count() == 2
