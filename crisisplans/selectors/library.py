"""Reads of the networks' shared libraries of coping strategies."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from crisisplans.models import CopingStrategy
from network.models import Network, Person
from network.selectors import current_memberships


def coping_strategies_for(*, person: Person) -> QuerySet[CopingStrategy]:
    network_ids = current_memberships(person=person).values("network_id")
    return CopingStrategy.objects.filter(network_id__in=network_ids).select_related("network", "author")


def access_network_by_id(*, person: Person, network_id: int) -> Network:
    network = Network.objects.filter(pk=network_id).first()
    if network is None or not current_memberships(person=person).filter(network=network).exists():
        raise NotFound
    return network
