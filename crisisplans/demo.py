"""Demo plans for the demo members (see network/demo.py). Idempotent: a
member who already has a plan is left alone."""

from __future__ import annotations

from django.db import transaction

from crisisplans import actions
from crisisplans.models import Plan
from network.models import Person

MEMBERS = ("amara", "ben", "chioma", "dev", "gus", "hana")
# Who each member would contact first: a peer in one of their networks.
FIRST_CONTACT = {
    "amara": "ben",
    "ben": "amara",
    "chioma": "dev",
    "dev": "chioma",
    "gus": "hana",
    "hana": "gus",
}
CRISIS_PART = [
    "warning_signs",
    "coping_strategies",
    "contacts",
    "on_call_steps",
    "practical_needs",
    "safe_places",
]


@transaction.atomic
def load(*, people: dict[str, Person]) -> None:
    for key in MEMBERS:
        owner = people[key]
        if Plan.objects.filter(owner=owner).exists():
            continue
        contact = people[FIRST_CONTACT[key]]
        plan = actions.do_create_plan(
            owner=owner,
            sections={
                "when_well": "I go to group, cook, and text people back.",
                "warning_signs": ["not sleeping", "not answering messages"],
                "what_helps": {"helps": ["a walk and a cup of tea"], "does_not_help": ["being rushed"]},
                "coping_strategies": {"own": ["cold water on my face", "music"], "from_library": []},
                "reasons_for_living": ["my family"],
                "contacts": {
                    "contact_in_order": [contact.pk],
                    "do_not_contact": [],
                    "do_not_contact_notes": "",
                },
                "on_call_steps": [
                    "ring me",
                    "if I do not answer, come round",
                    "stay with me until I am calmer",
                ],
                "practical_needs": {"keys": "spare key with my neighbour"},
                "safe_places": ["the library"],
                "out_of_crisis_signs": ["I am eating and sleeping again"],
                "afterwards": {"check_in_after_hours": 24, "check_in_from": [contact.pk], "notes": ""},
            },
        )
        actions.do_sign_off_revision(owner=owner, revision=plan.revisions.get(number=1))
        actions.do_set_consent(owner=owner, plan=plan, audience="alert_peer", sections=CRISIS_PART)
        actions.do_set_consent(owner=owner, plan=plan, audience="navigator", sections=["contacts"])
