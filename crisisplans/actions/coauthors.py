"""Writes of a plan's co-writing circle: invitations, removals, and the end
of a co-authorship when no network joins the two people any more."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from crisisplans.actions.notices import do_tell_owner
from crisisplans.actions.plans import invalid_field, require_owner
from crisisplans.models import CoAuthor, OwnerNotice, Plan
from network.models import Person
from network.selectors import shared_networks


@transaction.atomic
def do_invite_co_author(*, owner: Person, plan: Plan, person: Person) -> CoAuthor:
    require_owner(person=owner, plan=plan, doing="invites co-authors")
    if person.pk == owner.pk or not shared_networks(person=owner, other=person).exists():
        raise invalid_field("person", "Invite someone from your networks.", "unknown_person")
    existing = CoAuthor.objects.filter(plan=plan, person=person, removed_at__isnull=True).first()
    return existing or CoAuthor.objects.create(plan=plan, person=person)


@transaction.atomic
def do_remove_co_author(*, owner: Person, plan: Plan, person_id: int) -> int:
    require_owner(person=owner, plan=plan, doing="removes co-authors")
    return CoAuthor.objects.filter(plan=plan, person_id=person_id, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )


@transaction.atomic
def do_end_co_authorships_without_shared_network(*, person: Person) -> int:
    """After ``person``'s membership ended: every co-authorship between them
    and a plan's owner (either way round) that no network joins any more
    ends now, and the owner is told. Returns how many ended. Rejoining later
    does not restore one: the owner invites again (docs/consent.md)."""
    now = timezone.now()
    ended = 0
    current = CoAuthor.objects.select_for_update().filter(removed_at__isnull=True)
    for co_author in current.filter(models.Q(person=person) | models.Q(plan__owner=person)).select_related(
        "plan__owner", "person"
    ):
        if shared_networks(person=co_author.plan.owner, other=co_author.person).exists():
            continue
        co_author.removed_at = now
        co_author.save(update_fields=["removed_at"])
        do_tell_owner(
            owner_id=co_author.plan.owner_id, kind=OwnerNotice.Kind.CO_AUTHOR_ENDED, co_author=co_author
        )
        ended += 1
    return ended
