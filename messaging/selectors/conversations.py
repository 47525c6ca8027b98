"""Reads of conversations and messages, with the permission checks built in.

Who takes part: in an alert or direct conversation, the people with a
Participant row (kept after an alert closes, so both sides can read it back);
in a group conversation and a rule proposal's discussion, the current members
of its network (people who join later take part too). Anyone else gets
404 for the conversation and everything in it (DESIGN.md invariant 7).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from rest_framework.exceptions import NotFound

from crisisplans import crypto
from messaging.models import (
    Conversation,
    Message,
    Participant,
)
from network.models import Membership, Network, Person
from network.selectors import current_memberships, shared_networks

MESSAGE_TEXT_PURPOSE = "message-text"
MODERATORS: tuple[str, ...] = (Membership.Role.NAVIGATOR, Membership.Role.FACILITATOR)
# The conversations the network's current members take part in, rather than
# the people with a Participant row.
NETWORK_KINDS: tuple[str, ...] = (Conversation.Kind.GROUP, Conversation.Kind.PROPOSAL)


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound from None


def _network_ids(person: Person) -> QuerySet[Membership]:
    return current_memberships(person=person).values("network_id")


def _taking_part(*, person: Person) -> QuerySet[Conversation]:
    """Every conversation the person may read and write in."""
    return (
        Conversation.objects.filter(
            Q(participants__person=person, kind__in=[Conversation.Kind.ALERT, Conversation.Kind.DIRECT])
            | Q(kind__in=NETWORK_KINDS, network_id__in=_network_ids(person))
        )
        .distinct()
        .select_related("network", "alert")
    )


def conversations_of(*, person: Person) -> QuerySet[Conversation]:
    """The person's list: alert and direct conversations they are in, the
    group conversations of their networks, and a proposal's discussion once
    someone has written in it (until then it is reached from its proposal)."""
    return _taking_part(person=person).exclude(kind=Conversation.Kind.PROPOSAL, last_order=0)


def access_conversation_by_id(*, person: Person, conversation_id: Any) -> Conversation:
    conversation = _taking_part(person=person).filter(pk=_uuid(conversation_id)).first()
    if conversation is None:
        raise NotFound
    return conversation


def participant_of(*, conversation: Conversation, person: Person) -> Participant | None:
    return Participant.objects.filter(conversation=conversation, person=person).first()


def participant_ids(*, conversation: Conversation) -> list[int]:
    """Who hears about a message in this conversation."""
    if conversation.kind in NETWORK_KINDS:
        return list(
            Membership.objects.filter(network_id=conversation.network_id, left_at__isnull=True)
            .values_list("person_id", flat=True)
            .distinct()
        )
    return list(conversation.participants.values_list("person_id", flat=True))


def access_message_by_id(*, person: Person, conversation: Conversation, message_id: Any) -> Message:
    """A message of a conversation the caller was already given by
    access_conversation_by_id."""
    message = conversation.messages.select_related("author").filter(pk=_uuid(message_id)).first()
    if message is None:
        raise NotFound
    return message


def messages_of(*, conversation: Conversation, after: int | None = None) -> QuerySet[Message]:
    messages = conversation.messages.select_related("author")
    if after is not None:
        messages = messages.filter(order__gt=after)
    return messages


def author_deleted(*, message: Message) -> bool:
    """Every message has an author until they delete their account; then the
    row stays (so orders have no gaps) and their data key, their words with it,
    is gone."""
    return message.author_id is None


def message_text(*, message: Message) -> str | None:
    """The decrypted text, or None for a deleted message or one whose author
    deleted their account. Callers check access."""
    if (
        message.deleted_at is not None
        or author_deleted(message=message)
        or message.sealed_text is None
        or message.sealed_owner_id is None
    ):
        return None
    return crypto.decrypt(
        owner_id=message.sealed_owner_id,
        purpose=MESSAGE_TEXT_PURPOSE,
        data_key_id=message.sealed_key_id,
        ciphertext=bytes(message.sealed_text),
    )["text"]


def is_moderator(*, person: Person, network_id: int) -> bool:
    return Membership.objects.filter(
        person=person, network_id=network_id, left_at__isnull=True, role__in=MODERATORS
    ).exists()


def access_person_to_message(*, person: Person, person_id: Any) -> Person:
    """Someone who shares a network with the caller; anyone else is 404."""
    if not isinstance(person_id, int) or isinstance(person_id, bool):
        raise NotFound
    other = Person.objects.filter(pk=person_id, is_active=True).first()
    if other is None or other.pk == person.pk or not shared_networks(person=person, other=other).exists():
        raise NotFound
    return other


# --- unread counts and receipts ------------------------------------------------------


@dataclass(frozen=True)
class ConversationState:
    unread: int
    read_through: int
    delivered_through: int
    muted: bool
    muted_until: datetime | None


def state_for(
    *, conversation: Conversation, person: Person, now: datetime | None = None
) -> ConversationState:
    me = participant_of(conversation=conversation, person=person)
    read_through = me.read_through if me else 0
    unread = (
        conversation.messages.filter(order__gt=read_through, deleted_at__isnull=True)
        .exclude(author=person)
        .count()
    )
    return ConversationState(
        unread=unread,
        read_through=read_through,
        delivered_through=me.delivered_through if me else 0,
        muted=bool(me and me.is_muted(now=now or timezone.now())),
        muted_until=me.muted_until if me and me.muted else None,
    )


def unread_counts(*, person: Person, conversation_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Unread messages per conversation in one query (for lists)."""
    reads = dict(
        Participant.objects.filter(person=person, conversation_id__in=conversation_ids).values_list(
            "conversation_id", "read_through"
        )
    )
    condition = Q()
    for conversation_id in conversation_ids:
        condition |= Q(conversation_id=conversation_id, order__gt=reads.get(conversation_id, 0))
    if not conversation_ids:
        return {}
    rows = (
        Message.objects.filter(condition, deleted_at__isnull=True)
        .exclude(author=person)
        .values("conversation_id")
        .annotate(n=Count("pk"))
    )
    counts = {conversation_id: 0 for conversation_id in conversation_ids}
    counts.update({row["conversation_id"]: row["n"] for row in rows})
    return counts


def receipt_watermarks(*, conversation: Conversation, person: Person) -> tuple[int, int]:
    """How far everyone else has received and read: (delivered, read). A
    message of the caller's at or below a watermark is delivered / read."""
    others = Participant.objects.filter(conversation=conversation).exclude(person=person)
    if conversation.kind in NETWORK_KINDS:
        others = others.filter(person_id__in=participant_ids(conversation=conversation))
    marks = list(others.values_list("delivered_through", "read_through"))
    if not marks:
        return 0, 0
    return min(m[0] for m in marks), min(m[1] for m in marks)


def receipt_status(*, message: Message, viewer: Person, watermarks: tuple[int, int]) -> str | None:
    """sent / delivered / read, for the author's own messages only."""
    if message.author_id != viewer.pk:
        return None
    delivered, read = watermarks
    if read >= message.order:
        return "read"
    if delivered >= message.order:
        return "delivered"
    return "sent"


# --- presence ----------------------------------------------------------------------------------

PRESENCE_QUERY_MAX = 50


def on_call_among(*, person: Person, person_ids: list[int], at: datetime) -> dict[int, bool]:
    """For each asked person who shares a network with the caller: whether
    they are on call in one of those networks now. Anyone else is left out."""
    from network.selectors import on_call_candidates

    networks = list(Network.objects.filter(pk__in=_network_ids(person)))
    visible = set(
        Membership.objects.filter(
            network__in=networks, person_id__in=person_ids[:PRESENCE_QUERY_MAX], left_at__isnull=True
        ).values_list("person_id", flat=True)
    )
    visible.discard(person.pk)
    on_call: set[int] = set()
    for network in networks:
        on_call.update(p.pk for p in on_call_candidates(network=network, at=at) if p.pk in visible)
    return {pid: pid in on_call for pid in sorted(visible)}


# --- messages waiting for a device: the offline fallbacks' reads ---------------------------


def pending_participants(*, now: datetime) -> list[int]:
    """Participants whose push or SMS fallback is due (for the sweep)."""
    push_before = now - timedelta(seconds=settings.MESSAGE_PUSH_AFTER_SECONDS)
    sms_before = now - timedelta(seconds=settings.MESSAGE_SMS_AFTER_PUSH_SECONDS)
    return list(
        Participant.objects.filter(pending_since__isnull=False)
        .filter(
            Q(push_sent_at__isnull=True, pending_since__lte=push_before)
            | Q(
                sms_sent_at__isnull=True,
                push_sent_at__lte=sms_before,
                conversation__kind__in=[Conversation.Kind.ALERT, Conversation.Kind.DIRECT],
            )
        )
        .values_list("pk", flat=True)[:500]
    )


def participants_waiting(*, conversation_id: Any) -> list[int]:
    """Participants of one conversation with an unseen message (for its fallback task)."""
    return list(
        Participant.objects.filter(conversation_id=conversation_id, pending_since__isnull=False).values_list(
            "pk", flat=True
        )
    )
