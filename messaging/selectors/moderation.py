"""Reads of what members and facilitators control: who takes direct
messages from whom, blocks, reports in the networks one facilitates, and a
network's message retention."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from messaging.models import Block, MessageReport, MessageRetention, MessagingPreference
from messaging.selectors.conversations import MODERATORS
from network.models import Membership, Network, Person
from network.selectors import shared_networks


def takes_direct_messages(*, person: Person) -> bool:
    preference = MessagingPreference.objects.filter(person=person).first()
    return preference is None or preference.direct_messages


def is_blocked_between(*, person: Person, other: Person) -> bool:
    """Either has blocked the other (a block stops both directions, so
    nobody can message someone and hide behind a block)."""
    return Block.objects.filter(Q(blocker=person, blocked=other) | Q(blocker=other, blocked=person)).exists()


def may_message_directly(*, sender: Person, recipient: Person) -> bool:
    """A direct message or check-in needs a shared network, no block either
    way, and the recipient taking direct messages. Navigators and facilitators
    of a network the recipient is in may message them with direct messages off
    (they run the network and must be able to reach its members); a block
    stops them too."""
    if sender.pk == recipient.pk or not recipient.is_active:
        return False
    networks = shared_networks(person=sender, other=recipient)
    if not networks.exists() or is_blocked_between(person=sender, other=recipient):
        return False
    if takes_direct_messages(person=recipient):
        return True
    return Membership.objects.filter(
        person=sender, network__in=networks, left_at__isnull=True, role__in=MODERATORS
    ).exists()


def blocks_of(*, person: Person) -> QuerySet[Block]:
    return Block.objects.filter(blocker=person).select_related("blocked")


def reports_for(*, person: Person) -> QuerySet[MessageReport]:
    """Reports in the networks the person facilitates."""
    networks = Membership.objects.filter(
        person=person, left_at__isnull=True, role=Membership.Role.FACILITATOR
    ).values("network_id")
    return MessageReport.objects.filter(network_id__in=networks).select_related(
        "message", "message__author", "reporter", "network"
    )


def retention_days_of(*, network: Network) -> int:

    row = MessageRetention.objects.filter(network=network).values_list("days", flat=True).first()
    return row if row is not None else settings.MESSAGE_RETENTION_DAYS_DEFAULT
