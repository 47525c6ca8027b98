"""The fixed structure of a plan: its section names, and where sections
name people. The input serializers that validate each section are in
``crisisplans.serializers`` (``PlanSectionsIn``).

The sections follow safety-planning practice (Stanley and Brown's safety
plan, WRAP's crisis and post-crisis plans, NICE's crisis-plan contents). A
plan's content is a dict keyed by section name; a section may be absent
(not written yet). Consent is given per section, so the names are stable API.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class Section(models.TextChoices):
    WHEN_WELL = "when_well", "When I am well"
    TRIGGERS = "triggers", "My triggers"
    WARNING_SIGNS = "warning_signs", "My early warning signs"
    WHAT_HELPS = "what_helps", "What helps and what does not"
    COPING_STRATEGIES = "coping_strategies", "My coping strategies"
    REASONS_FOR_LIVING = "reasons_for_living", "Reasons for living"
    CONTACTS = "contacts", "Who to contact, and who must not be contacted"
    PROFESSIONAL_CONTACTS = "professional_contacts", "Professional contacts"
    ON_CALL_STEPS = "on_call_steps", "What on-call peers should do, step by step"
    PRACTICAL_NEEDS = "practical_needs", "Practical needs"
    SAFE_PLACES = "safe_places", "Safe places"
    OUT_OF_CRISIS_SIGNS = "out_of_crisis_signs", "Signs that I am out of crisis"
    AFTERWARDS = "afterwards", "What I would like afterwards"


SECTION_NAMES: tuple[str, ...] = tuple(Section.values)
PROFESSIONAL_ROLES: tuple[str, ...] = ("care_coordinator", "gp", "crisis_team", "other")


# Sections that name people, and where: (section, key) pairs.
PERSON_REFERENCES: tuple[tuple[str, str], ...] = (
    ("contacts", "contact_in_order"),
    ("contacts", "do_not_contact"),
    ("afterwards", "check_in_from"),
)


def referenced_person_ids(sections: dict[str, Any]) -> set[int]:
    ids: set[int] = set()
    for section, key in PERSON_REFERENCES:
        ids.update(sections.get(section, {}).get(key, []))
    return ids
