"""Reads of follow-up check-ins: the ones a person was asked to do."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from messaging.models import FollowUp
from network.models import Person


def follow_ups_for(*, person: Person) -> QuerySet[FollowUp]:
    """Follow-ups this person was asked to do, once they fell due."""
    return FollowUp.objects.filter(check_in_by=person, prompted_at__isnull=False).select_related("member")


def access_follow_up_by_id(*, person: Person, follow_up_id: Any) -> FollowUp:
    if not isinstance(follow_up_id, int):
        raise NotFound
    follow_up = follow_ups_for(person=person).filter(pk=follow_up_id).first()
    if follow_up is None:
        raise NotFound
    return follow_up
