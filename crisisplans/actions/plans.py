"""Writes of a plan's content: the plan, its revisions, sign-off and comments.

Every write of plan state lives in ``crisisplans.actions``: keyword-only,
typed, one transaction each. Permission checks that depend on the person
doing the write live here too, so no caller can skip them: viewing a plan at
all is checked by the selectors (404), doing something to a visible plan
here (403).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, PermissionDenied, ValidationError

from crisisplans import crypto
from crisisplans.actions.reading import COMMENT_PURPOSE, REVISION_PURPOSE, decrypt_revision
from crisisplans.models import Comment, CopingStrategy, Plan, Revision, SignOff
from crisisplans.sections import referenced_person_ids
from crisisplans.selectors.access import decide_sections, relationship
from foundation.problems import Conflict
from network.models import Person
from network.selectors import current_memberships, shared_networks


class PlanAlreadyExists(Conflict):
    default_detail = "You already have a plan: write a new revision of it instead."
    default_code = "plan_exists"


def invalid_field(field: str, message: str, code: str = "invalid") -> ValidationError:
    """A 400 naming the field, for the checks the serializers cannot make."""
    return ValidationError({field: [ErrorDetail(message, code=code)]})


def _check_references(*, owner: Person, sections: dict[str, Any]) -> None:
    """People named in the plan are peers in the owner's networks; library
    strategies come from those networks."""
    for person_id in sorted(referenced_person_ids(sections)):
        other = Person.objects.filter(pk=person_id, is_active=True).first()
        if other is None or other.pk == owner.pk or not shared_networks(person=owner, other=other).exists():
            raise invalid_field(
                "sections", f"Person {person_id} is not a peer in your networks.", "unknown_person"
            )
    library_ids = set(sections.get("coping_strategies", {}).get("from_library", []))
    if library_ids:
        network_ids = current_memberships(person=owner).values("network_id")
        found = set(
            CopingStrategy.objects.filter(pk__in=library_ids, network_id__in=network_ids).values_list(
                "pk", flat=True
            )
        )
        missing = sorted(library_ids - found)
        if missing:
            raise invalid_field(
                "sections.coping_strategies.from_library",
                f"Not in your networks' libraries: {missing}.",
                "unknown_strategy",
            )


def _write_revision(*, plan: Plan, author: Person, content: dict[str, Any], changed: list[str]) -> Revision:
    last = plan.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    sealed = crypto.encrypt(owner_id=plan.owner_id, purpose=REVISION_PURPOSE, payload=content)
    return Revision.objects.create(
        plan=plan,
        number=last + 1,
        author=author,
        changed_sections=changed,
        data_key_id=sealed.data_key_id,
        ciphertext=sealed.ciphertext,
    )


@transaction.atomic
def do_create_plan(*, owner: Person, sections: dict[str, Any]) -> Plan:
    """The member's plan with its first revision (a draft until signed off)."""
    if not current_memberships(person=owner).exists():
        raise PermissionDenied("Join a network before writing a plan.")
    Person.objects.select_for_update().filter(pk=owner.pk).first()
    if Plan.objects.filter(owner=owner).exists():
        raise PlanAlreadyExists
    _check_references(owner=owner, sections=sections)
    plan = Plan.objects.create(owner=owner)
    _write_revision(plan=plan, author=owner, content=sections, changed=sorted(sections))
    return plan


@transaction.atomic
def do_propose_revision(*, author: Person, plan: Plan, sections: dict[str, Any]) -> Revision:
    """A new immutable revision: the latest one with ``sections`` replaced.
    Co-authors may only change sections the owner shares with co-authors."""
    plan = Plan.objects.select_for_update().select_related("owner").get(pk=plan.pk)
    standing = relationship(person=author, plan=plan)
    if not (standing.is_owner or standing.is_co_author):
        raise PermissionDenied("Only the owner and co-authors write revisions.")
    if not sections:
        raise invalid_field("sections", "Change at least one section.", "empty")
    if not standing.is_owner:
        decisions = decide_sections(person=author, plan=plan)
        hidden = sorted(name for name in sections if not decisions[name].allowed)
        if hidden:
            raise PermissionDenied(f"The owner has not shared these sections with co-authors: {hidden}.")
    _check_references(owner=plan.owner, sections=sections)
    latest = plan.revisions.order_by("-number").first()
    base = decrypt_revision(latest) if latest is not None else {}
    changed = sorted(name for name, value in sections.items() if base.get(name) != value)
    if not changed:
        raise invalid_field("sections", "This revision changes nothing.", "unchanged")
    return _write_revision(plan=plan, author=author, content={**base, **sections}, changed=changed)


@transaction.atomic
def do_sign_off_revision(
    *, owner: Person, revision: Revision, review_due_at: datetime | None = None
) -> SignOff:
    plan = Plan.objects.select_for_update().get(pk=revision.plan_id)
    if plan.owner_id != owner.pk:
        raise PermissionDenied("Only the owner signs off their plan.")
    now = timezone.now()
    if review_due_at is not None and review_due_at <= now:
        raise invalid_field("review_due_at", "Pick a review date in the future.")
    due = review_due_at or now + settings.PLAN_REVIEW_AFTER
    sign_off = SignOff.objects.create(
        plan=plan, revision=revision, signed_by=owner, signed_at=now, review_due_at=due
    )
    plan.active_revision = revision
    plan.review_due_at = due
    plan.review_prompted_at = None
    plan.save(update_fields=["active_revision", "review_due_at", "review_prompted_at"])
    return sign_off


@transaction.atomic
def do_add_comment(*, author: Person, revision: Revision, section: str, text: str) -> Comment:
    plan = revision.plan
    standing = relationship(person=author, plan=plan)
    if not (standing.is_owner or standing.is_co_author):
        raise PermissionDenied("Only the owner and co-authors comment.")
    if section and not decide_sections(person=author, plan=plan)[section].allowed:
        raise PermissionDenied("The owner has not shared this section with co-authors.")
    sealed = crypto.encrypt(owner_id=plan.owner_id, purpose=COMMENT_PURPOSE, payload={"text": text})
    return Comment.objects.create(
        plan=plan,
        revision=revision,
        section=section,
        author=author,
        data_key_id=sealed.data_key_id,
        ciphertext=sealed.ciphertext,
    )


def require_owner(*, person: Person, plan: Plan, doing: str) -> None:
    if plan.owner_id != person.pk:
        raise PermissionDenied(f"Only the owner {doing}.")
