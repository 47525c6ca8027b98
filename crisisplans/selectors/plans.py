"""Reads of plans and their metadata, with the permission checks built in.
A plan someone may not see at all answers 404, exactly like one that does
not exist."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound, PermissionDenied

from crisisplans.models import AccessRecord, Plan, Revision
from crisisplans.selectors.access import Standing, decide_sections, relationship
from network.models import Person


def plans_for(*, person: Person) -> QuerySet[Plan]:
    """The person's own plan and the plans they currently co-write."""
    return (
        Plan.objects.filter(
            Q(owner=person) | Q(co_authors__person=person, co_authors__removed_at__isnull=True)
        )
        .select_related("owner", "active_revision")
        .distinct()
    )


def _may_see(standing: Standing, person: Person, plan: Plan) -> bool:
    if standing.is_owner or standing.is_co_author or standing.is_facilitator:
        return True
    return any(decision.allowed for decision in decide_sections(person=person, plan=plan).values())


def access_plan_by_id(*, person: Person, plan_id: int) -> Plan:
    """A plan the person may know of: owner, co-author, a facilitator over
    the owner (who may break glass), or anyone allowed to read a section now."""
    plan = Plan.objects.select_related("owner", "active_revision").filter(pk=plan_id).first()
    if plan is None or not _may_see(relationship(person=person, plan=plan), person, plan):
        raise NotFound
    return plan


def access_own_plan_by_id(*, person: Person, plan_id: int) -> Plan:
    """For owner-only operations: 404 if invisible, 403 if visible but not theirs."""
    plan = access_plan_by_id(person=person, plan_id=plan_id)
    if plan.owner_id != person.pk:
        raise PermissionDenied("Only the plan's owner can do this.")
    return plan


def access_co_written_plan_by_id(*, person: Person, plan_id: int) -> Plan:
    """For the co-writing circle (owner and current co-authors)."""
    plan = access_plan_by_id(person=person, plan_id=plan_id)
    standing = relationship(person=person, plan=plan)
    if not (standing.is_owner or standing.is_co_author):
        raise PermissionDenied("Only the owner and co-authors can do this.")
    return plan


def access_exportable_plan_by_id(*, person: Person, plan_id: int) -> Plan:
    """For a care-record export: the owner, or a facilitator over them."""
    plan = access_plan_by_id(person=person, plan_id=plan_id)
    standing = relationship(person=person, plan=plan)
    if not (standing.is_owner or standing.is_facilitator):
        raise PermissionDenied("Only the owner and their facilitators export plans.")
    return plan


def access_revision_by_number(*, person: Person, plan_id: int, number: int) -> Revision:
    plan = access_co_written_plan_by_id(person=person, plan_id=plan_id)
    revision = plan.revisions.select_related("plan").filter(number=number).first()
    if revision is None:
        raise NotFound
    return revision


def revisions_of(*, plan: Plan) -> QuerySet[Revision]:
    return plan.revisions.select_related("author").order_by("-number")


def access_log_of(*, plan: Plan) -> QuerySet[AccessRecord]:
    return AccessRecord.objects.filter(plan=plan).order_by("-pk")


def display_names_of(*, person_ids: set[int | None]) -> dict[int, str]:
    """Readers' names for an access log page (a deleted reader has none)."""
    return dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "display_name"))
