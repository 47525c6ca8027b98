"""Reads, with the permission checks built in. A plan someone may not see
at all answers 404, exactly like one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound, PermissionDenied

from crisisplans.access import Standing, decide_sections, relationship
from crisisplans.models import AccessRecord, CopingStrategy, OwnerNotice, Plan, Revision
from crisisplans.reading import read_for_the_service
from network.models import Network, Person
from network.selectors import current_memberships


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


def notices_for(*, person: Person) -> QuerySet[OwnerNotice]:
    return (
        OwnerNotice.objects.filter(owner=person)
        .select_related("break_glass__reader", "co_author__person")
        .order_by("-pk")
    )


def notices_due_for_text(*, now: datetime) -> list[int]:
    """Notices whose text is owed and due: its task was lost, its worker died
    mid-send, or the provider failed for now."""
    return list(
        OwnerNotice.objects.filter(text_due_at__lte=now, texted_at__isnull=True, text_failed_at__isnull=True)
        .order_by("text_due_at")
        .values_list("pk", flat=True)[:500]
    )


def coping_strategies_for(*, person: Person) -> QuerySet[CopingStrategy]:
    network_ids = current_memberships(person=person).values("network_id")
    return CopingStrategy.objects.filter(network_id__in=network_ids).select_related("network", "author")


def access_network_by_id(*, person: Person, network_id: int) -> Network:
    network = Network.objects.filter(pk=network_id).first()
    if network is None or not current_memberships(person=person).filter(network=network).exists():
        raise NotFound
    return network


# For the alerts issue: routing and aftercare from the active plan. Each call
# is a read of plan content by the service, logged with the caller's reason.


@dataclass(frozen=True)
class ContactRouting:
    contact_in_order: tuple[int, ...]
    do_not_contact: frozenset[int]


@dataclass(frozen=True)
class Aftercare:
    check_in_after: timedelta
    check_in_from: tuple[int, ...]  # person ids, in the owner's order


def _active_sections(*, owner: Person, names: list[str], why: str) -> dict[str, Any] | None:
    plan = Plan.objects.select_related("active_revision").filter(owner=owner).first()
    if plan is None or plan.active_revision is None:
        return None
    return read_for_the_service(plan=plan, sections=names, why=why)


def contact_routing_for(*, owner: Person, why: str) -> ContactRouting:
    """Who to contact (person ids, first first) and who must never be,
    from the signed-off plan. Empty when there is none."""
    sections = _active_sections(owner=owner, names=["contacts"], why=why) or {}
    contacts = sections.get("contacts", {})
    return ContactRouting(
        contact_in_order=tuple(contacts.get("contact_in_order", [])),
        do_not_contact=frozenset(contacts.get("do_not_contact", [])),
    )


def aftercare_for(*, owner: Person, why: str) -> Aftercare | None:
    """The check-in the owner asked for after a crisis, or None."""
    sections = _active_sections(owner=owner, names=["afterwards"], why=why) or {}
    afterwards = sections.get("afterwards")
    if not afterwards:
        return None
    return Aftercare(
        check_in_after=timedelta(hours=afterwards["check_in_after_hours"]),
        check_in_from=tuple(afterwards.get("check_in_from", [])),
    )
