"""Exports: a printable plan, a FHIR CarePlan, and "my data".

Each one reads plan content through ``crisisplans.actions.reading`` and so
leaves access records with channel "export": an export is a logged read, so
it lives in actions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone

from crisisplans.actions.reading import PlanReading, read_break_glass_reason, read_comments, read_plan_content
from crisisplans.models import AccessRecord, CoAuthor, CopingStrategy, OwnerNotice, Plan
from crisisplans.sections import Section
from crisisplans.selectors.access import Purpose
from network.models import Person

PROFESSIONAL_LABELS = {
    "care_coordinator": "Care coordinator",
    "gp": "GP",
    "crisis_team": "Crisis team",
    "other": "Professional",
}


def _names(person_ids: list[int]) -> list[str]:
    names = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "display_name"))
    return [names.get(pk) or "someone who has left" for pk in person_ids]


def section_lines(name: str, value: Any) -> list[str]:
    """A section as plain lines of text, people and strategies by name."""
    if name == Section.WHEN_WELL:
        return [str(value)]
    if name == Section.WHAT_HELPS:
        return [f"Helps: {item}" for item in value.get("helps", [])] + [
            f"Does not help: {item}" for item in value.get("does_not_help", [])
        ]
    if name == Section.COPING_STRATEGIES:
        library = dict(
            CopingStrategy.objects.filter(pk__in=value.get("from_library", [])).values_list("pk", "text")
        )
        picked = [library[pk] for pk in value.get("from_library", []) if pk in library]
        return list(value.get("own", [])) + [f"{text} (from the network library)" for text in picked]
    if name == Section.CONTACTS:
        order = _names(value.get("contact_in_order", []))
        lines = [f"{index}. {who}" for index, who in enumerate(order, start=1)]
        lines += [f"Do not contact: {who}" for who in _names(value.get("do_not_contact", []))]
        if value.get("do_not_contact_notes"):
            lines.append(f"Do not contact: {value['do_not_contact_notes']}")
        return lines
    if name == Section.PROFESSIONAL_CONTACTS:
        return [f"{PROFESSIONAL_LABELS[c['kind']]}: {c['name']}, {c['phone_number']}" for c in value]
    if name == Section.ON_CALL_STEPS:
        return [f"{index}. {step}" for index, step in enumerate(value, start=1)]
    if name == Section.PRACTICAL_NEEDS:
        return [f"{key.capitalize()}: {text}" for key, text in value.items() if text]
    if name == Section.AFTERWARDS:
        who = ", ".join(_names(value.get("check_in_from", []))) or "anyone"
        lines = [f"A check-in {value['check_in_after_hours']} hours after, from {who}."]
        return [*lines, value["notes"]] if value.get("notes") else lines
    return [str(item) for item in value]


def titled_sections(reading: PlanReading) -> list[tuple[str, list[str]]]:
    return [
        (str(section.label), section_lines(section.value, reading.sections[section.value]))
        for section in Section
        if section.value in reading.sections
    ]


def printable_html(*, reader: Person, plan: Plan) -> str:
    reading = read_plan_content(
        reader=reader, plan=plan, revision=plan.active_revision, channel=AccessRecord.Channel.EXPORT
    )
    return render_to_string(
        "crisisplans/plan_print.html",
        {
            "owner": plan.owner,
            "plan": plan,
            "revision": reading.revision,
            "sections": titled_sections(reading),
            "printed_at": timezone.now(),
        },
    )


def _care_team(*, sections: dict[str, Any], subject: dict[str, str]) -> list[dict[str, Any]]:
    """The CarePlan's contained resources: a Practitioner per professional
    contact, then the CareTeam of those and the peers to contact."""
    contained: list[dict[str, Any]] = []
    participants: list[dict[str, Any]] = []
    for index, contact in enumerate(sections.get(Section.PROFESSIONAL_CONTACTS, []), start=1):
        contained.append(
            {
                "resourceType": "Practitioner",
                "id": f"professional-{index}",
                "name": [{"text": contact["name"]}],
                "telecom": [{"system": "phone", "value": contact["phone_number"], "use": "work"}],
            }
        )
        participants.append(
            {
                "role": {"text": PROFESSIONAL_LABELS[contact["kind"]]},
                "member": {"reference": f"#professional-{index}"},
            }
        )
    for who in _names(list(sections.get(Section.CONTACTS, {}).get("contact_in_order", []))):
        participants.append({"role": {"text": "Peer supporter"}, "member": {"display": who}})
    contained.append(
        {
            "resourceType": "CareTeam",
            "id": "care-team",
            "status": "active",
            "name": "Crisis support",
            "subject": subject,
            "participant": participants,
        }
    )
    return contained


def fhir_care_plan(*, reader: Person, plan: Plan) -> dict[str, Any] | None:
    """A FHIR R5 CarePlan with its CareTeam contained, holding only the
    sections the owner consented to export. None when they consented to none."""
    reading = read_plan_content(
        reader=reader,
        plan=plan,
        revision=plan.active_revision,
        channel=AccessRecord.Channel.EXPORT,
        purpose=Purpose.FHIR_EXPORT,
    )
    if not reading.sections or reading.revision is None:
        return None
    owner = {"display": plan.owner.display_name or f"Person {plan.owner_id}"}
    return care_plan_resource(
        reading=reading,
        subject=owner,
        description="Written and owned by the member; shared with their consent.",
    )


def care_plan_resource(*, reading: PlanReading, subject: dict[str, str], description: str) -> dict[str, Any]:
    """The CarePlan of a reading's sections (the caller decided and logged the read)."""
    plan, revision = reading.plan, reading.revision
    assert revision is not None
    contained = _care_team(sections=reading.sections, subject=subject)
    return {
        "resourceType": "CarePlan",
        "id": f"crisis-plan-{plan.pk}-r{revision.number}",
        "contained": contained,
        "status": "active",
        "intent": "plan",
        "title": "Crisis and support plan",
        "description": description,
        "subject": subject,
        "created": revision.created_at.isoformat(),
        **({"period": {"end": plan.review_due_at.isoformat()}} if plan.review_due_at else {}),
        "careTeam": [{"reference": "#care-team"}],
        "note": [{"text": f"{title}: " + "; ".join(lines)} for title, lines in titled_sections(reading)],
    }


# "My data" ---------------------------------------------------------------------

SECRET_FIELDS = {"password", "digest", "token_key", "salt", "request_fingerprint"}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _row(instance: models.Model) -> dict[str, Any]:
    out = {}
    for field in instance._meta.concrete_fields:
        if (
            field.name in SECRET_FIELDS
            or field.name.endswith("_hash")
            or isinstance(field, models.BinaryField)
        ):
            continue
        out[field.attname] = _plain(getattr(instance, field.attname))
    return out


def network_records_about(*, person: Person) -> dict[str, list[dict[str, Any]]]:
    """Every row of the network app that refers to the person, by model,
    found by following foreign keys so new network models are included too.
    Secrets (hashes, token digests) are left out."""
    out: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_app_config("network").get_models():
        if model is Person:
            out[model._meta.label] = [_row(person)]
            continue
        links = [
            field
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model is Person
        ]
        if not links:
            continue
        query = models.Q()
        for field in links:
            query |= models.Q(**{field.name: person})
        rows = [_row(instance) for instance in model._default_manager.filter(query).order_by("pk")]
        if rows:
            out[model._meta.label] = rows
    return out


def _plan_data(*, person: Person, plan: Plan) -> dict[str, Any]:
    channel = AccessRecord.Channel.EXPORT
    revisions = []
    for revision in plan.revisions.order_by("number"):
        reading = read_plan_content(reader=person, plan=plan, revision=revision, channel=channel)
        revisions.append(
            {
                "number": revision.number,
                "author_id": revision.author_id,
                "created_at": revision.created_at.isoformat(),
                "changed_sections": revision.changed_sections,
                "sections": reading.sections,
            }
        )
    notices = OwnerNotice.objects.filter(owner=person).select_related("break_glass__plan").order_by("pk")
    return {
        "id": plan.pk,
        "created_at": plan.created_at.isoformat(),
        "active_revision": plan.active_revision.number if plan.active_revision else None,
        "review_due_at": _plain(plan.review_due_at),
        "revisions": revisions,
        "sign_offs": [_row(s) for s in plan.sign_offs.order_by("pk")],
        "co_authors": [_row(c) for c in plan.co_authors.order_by("pk")],
        "consents": [_row(c) for c in plan.consents.order_by("pk")],
        "comments": [
            {**_row(view.comment), "text": view.text}
            for view in read_comments(reader=person, plan=plan, channel=channel)
        ],
        "notices": [
            {
                **_row(notice),
                "break_glass_reason": (
                    read_break_glass_reason(owner=person, break_glass=notice.break_glass, channel=channel)
                    if notice.break_glass
                    else ""
                ),
            }
            for notice in notices
        ],
        "access_log": [_row(r) for r in AccessRecord.objects.filter(plan=plan).order_by("pk")],
        # The codes are left out: a live one is shown in the app, an ended one is wiped.
        "shares": [
            {
                "id": share.pk,
                "label": share.label,
                "sections": share.sections,
                "show_name": share.show_name,
                "created_at": share.created_at.isoformat(),
                "expires_at": share.expires_at.isoformat(),
                "revoked_at": _plain(share.revoked_at),
            }
            for share in plan.shares.order_by("pk")
        ],
    }


ExportSection = Callable[..., Any]
_export_sections: dict[str, ExportSection] = {}


def register_export_section(name: str, section: ExportSection) -> None:
    """For the apps above this one (messaging): ``section(person=...)`` returns
    what that app holds of the person, as JSON-ready values, under ``name`` in
    "my data". It must hold the person's own things only, never another
    person's words. Registering a name again replaces it."""
    _export_sections[name] = section


def my_data(*, person: Person) -> dict[str, Any]:
    """Everything held about the person."""
    plan = Plan.objects.select_related("active_revision", "owner").filter(owner=person).first()
    return {
        "exported_at": timezone.now().isoformat(),
        "network": network_records_about(person=person),
        "crisis_plan": _plan_data(person=person, plan=plan) if plan else None,
        "co_writing": [_row(c) for c in CoAuthor.objects.filter(person=person).order_by("pk")],
        "coping_strategies_added": [_row(s) for s in CopingStrategy.objects.filter(author=person)],
        "plans_read": [_row(r) for r in AccessRecord.objects.filter(reader=person).exclude(owner=person)],
        **{name: section(person=person) for name, section in sorted(_export_sections.items())},
    }
