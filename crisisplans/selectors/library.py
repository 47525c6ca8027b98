"""Reads of the networks' shared libraries of coping strategies."""

from __future__ import annotations

from django.db.models import QuerySet

from crisisplans.models import CopingStrategy
from network.models import Person
from network.selectors import current_memberships


def coping_strategies_for(*, person: Person) -> QuerySet[CopingStrategy]:
    network_ids = current_memberships(person=person).values("network_id")
    return CopingStrategy.objects.filter(network_id__in=network_ids).select_related("network", "author")
