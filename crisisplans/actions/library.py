"""Writes of a network's shared plan resources: the coping-strategy library
and the plan policy (the on-call peer's grace period)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from crisisplans.models import CopingStrategy, PlanPolicy
from network.models import Membership, Network, Person
from network.selectors import role_in


@transaction.atomic
def do_add_coping_strategy(
    *, author: Person, network: Network, text: str, show_author: bool
) -> CopingStrategy:
    if role_in(person=author, network=network) is None:
        raise PermissionDenied("Only members add to their network's library.")
    return CopingStrategy.objects.create(network=network, author=author, text=text, show_author=show_author)


@transaction.atomic
def do_set_plan_policy(*, person: Person, network: Network, alert_grace_hours: int) -> PlanPolicy:
    if role_in(person=person, network=network) not in (
        Membership.Role.NAVIGATOR,
        Membership.Role.FACILITATOR,
    ):
        raise PermissionDenied("Only navigators and facilitators set the network's plan policy.")
    policy, _ = PlanPolicy.objects.update_or_create(
        network=network, defaults={"alert_grace_hours": alert_grace_hours, "updated_at": timezone.now()}
    )
    return policy
