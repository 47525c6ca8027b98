"""Reads of a plan's co-writing circle."""

from __future__ import annotations

from django.db.models import QuerySet

from crisisplans.models import CoAuthor, Plan
from network.models import Person


def current_co_authors(*, plan: Plan) -> QuerySet[CoAuthor]:
    return plan.co_authors.filter(removed_at__isnull=True).select_related("person")


def person_to_invite(*, person_id: int) -> Person | None:
    """The person an owner names as a co-author; whether they may be one is
    the action's to decide."""
    return Person.objects.filter(pk=person_id).first()
