"""Reactions to signals from the network app (below us)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from crisisplans.actions import do_end_co_authorships_without_shared_network
from network.models import MembershipChange
from network.signals import membership_changed

# A transfer is judged on its "in" half, once the new membership exists (a
# move into a network the owner is also in keeps the co-authorship).
ENDING = {MembershipChange.Kind.LEFT, MembershipChange.Kind.REMOVED, MembershipChange.Kind.TRANSFERRED_IN}


@receiver(membership_changed)
def end_co_authorships_with_the_last_shared_network(sender: Any, *, change: Any, **kwargs: Any) -> None:
    """Sent inside the membership change's transaction, so the co-authorship
    ends in the same commit as the membership."""
    if change.kind in ENDING and change.person is not None:
        do_end_co_authorships_without_shared_network(person=change.person)
