"""The fixed structure of a plan, validated on input.

The sections follow safety-planning practice (Stanley and Brown's safety
plan, WRAP's crisis and post-crisis plans, NICE's crisis-plan contents). A
plan's content is a dict keyed by section name; a section may be absent
(not written yet). Consent is given per section, so the names are stable API.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers


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
MAX_ITEMS = 30
PROFESSIONAL_ROLES: tuple[str, ...] = ("care_coordinator", "gp", "crisis_team", "other")


def section_name_field(**kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=SECTION_NAMES, **kwargs)


def _lines(help_text: str = "") -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=1000), max_length=MAX_ITEMS, help_text=help_text
    )


class WhatHelpsIn(serializers.Serializer):
    helps = _lines()
    does_not_help = _lines()


class CopingStrategiesIn(serializers.Serializer):
    own = _lines("strategies in the member's own words")
    from_library = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=MAX_ITEMS,
        help_text="ids of coping strategies from a network library the member belongs to",
    )


class ContactsIn(serializers.Serializer):
    contact_in_order = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=MAX_ITEMS,
        help_text="person ids of peers in the member's networks, first to contact first",
    )
    do_not_contact = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=MAX_ITEMS,
        help_text="person ids in the member's networks who must not be contacted",
    )
    do_not_contact_notes = serializers.CharField(
        max_length=1000, allow_blank=True, required=False, default=""
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        both = set(attrs["contact_in_order"]) & set(attrs["do_not_contact"])
        if both:
            raise serializers.ValidationError("Nobody can be both a contact and someone not to contact.")
        if len(set(attrs["contact_in_order"])) != len(attrs["contact_in_order"]):
            raise serializers.ValidationError({"contact_in_order": ["A person appears twice."]})
        return attrs


class ProfessionalContactIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PROFESSIONAL_ROLES)
    name = serializers.CharField(max_length=120)
    phone_number = PhoneNumberField()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        value["phone_number"] = str(value["phone_number"])
        return value


class PracticalNeedsIn(serializers.Serializer):
    children = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    pets = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    medication = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    keys = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    other = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")


class AfterwardsIn(serializers.Serializer):
    check_in_after_hours = serializers.IntegerField(
        min_value=1, max_value=24 * 14, help_text="hours after the crisis ends"
    )
    check_in_from = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=10,
        help_text="person ids of peers in the member's networks",
    )
    notes = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class PlanSectionsIn(serializers.Serializer):
    """Any subset of the sections; unknown names are an error, not ignored."""

    when_well = serializers.CharField(max_length=4000, required=False)
    triggers = _lines()
    warning_signs = _lines()
    what_helps = WhatHelpsIn(required=False)
    coping_strategies = CopingStrategiesIn(required=False)
    reasons_for_living = _lines()
    contacts = ContactsIn(required=False)
    professional_contacts = ProfessionalContactIn(many=True, required=False, max_length=MAX_ITEMS)
    on_call_steps = _lines()
    practical_needs = PracticalNeedsIn(required=False)
    safe_places = _lines()
    out_of_crisis_signs = _lines()
    afterwards = AfterwardsIn(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(SECTION_NAMES))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Not a plan section."] for name in unknown}, code="unknown_section"
                )
        return dict(super().to_internal_value(data))


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
