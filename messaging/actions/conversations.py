"""Every write of a conversation's life: open, send, delete, receipts, mute
(check-ins are in messaging.actions.check_ins; direct-message choices,
blocks, reports and retention in messaging.actions.moderation).

Sending locks the conversation row and takes ``last_order + 1``: orders are
gap-free per conversation and follow commit order, the way per-person event
sequences do (messaging.actions.events). A client-made id per author makes a send
idempotent: the same id and text return the first message, the same id with
other text is a 422. Message text is sealed with the author's data key
(crisisplans.crypto): the author owns their words, so erasing their key erases
what they wrote and nobody else's, and a message needs no key of its readers.
No text is ever put in an event, a Celery task, a log line or a notification.

``now`` is a parameter everywhere so tests drive a controlled clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, PermissionDenied, ValidationError

from crisisplans import crypto
from foundation.problems import Conflict, UnprocessableRequest
from messaging import signals
from messaging.actions.events import send_event_on_commit
from messaging.actions.notifications import on_commit_check_message_delivery
from messaging.event_types import (
    CONVERSATION_ADDED,
    MESSAGE_DELETED,
    MESSAGE_NEW,
    MESSAGE_RECEIPT,
    network_ref,
    person_ref,
)
from messaging.models import (
    Alert,
    Conversation,
    FollowUp,
    Message,
    Participant,
)
from messaging.models.events import EventSequence
from messaging.selectors import conversations as sel
from messaging.selectors import moderation as moderation_selectors
from messaging.serializers.conversations import ReceiptsIn, SendMessageIn
from network.models import Membership, Network, Person, RuleChangeProposal
from network.selectors import shared_networks

logger = logging.getLogger(__name__)


class MessageKeyReused(UnprocessableRequest):
    default_detail = "This client id was already used for a different message."
    default_code = "idempotency_key_reused"


class ConversationClosed(Conflict):
    default_detail = "This alert is closed: its conversation can be read but not added to."
    default_code = "conversation_closed"


class FollowUpAnswered(Conflict):
    default_detail = "This follow-up already has its check-in."


class DirectMessagesClosed(PermissionDenied):
    # One answer for "direct messages off" and "blocked", so a block is not revealed.
    default_detail = "This person is not taking direct messages from you."
    default_code = "direct_messages_closed"


def _announce(conversation: Conversation, person_ids: list[int]) -> None:
    send_event_on_commit(
        event_type=CONVERSATION_ADDED,
        data={
            "conversation_id": str(conversation.pk),
            "kind": conversation.kind,
            "network": network_ref(conversation.network),
            "alert_id": str(conversation.alert_id) if conversation.alert_id else None,
        },
        person_ids=person_ids,
    )


# --- opening conversations ---------------------------------------------------------


def do_open_alert_conversation(*, alert: Alert, holder: Person, now: datetime | None = None) -> Conversation:
    """Called by do_accept_alert, under the alert's lock: the member and the
    person who took it (a peer, a handover peer, or staff once it escalated to
    them) share one conversation per alert. Earlier holders stay in it, so
    the history stays readable to everyone who was part of it."""
    now = now or timezone.now()
    conversation, _ = Conversation.objects.select_related("network").get_or_create(
        alert=alert, defaults={"kind": Conversation.Kind.ALERT, "network": alert.network, "created_at": now}
    )
    people = [pid for pid in (alert.member_id, holder.pk) if pid is not None]
    present = set(conversation.participants.values_list("person_id", flat=True))
    new = [pid for pid in people if pid not in present]
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, person_id=pid, joined_at=now) for pid in new]
    )
    if new:
        _announce(conversation, new)
    return conversation


def _pair_key(a: Person, b: Person) -> str:
    low, high = sorted((a.pk, b.pk))
    return f"{low}-{high}"


@dataclass(frozen=True)
class Started:
    conversation: Conversation
    created: bool


def do_start_direct_conversation(
    *, person: Person, other: Person, now: datetime | None = None, via_follow_up: bool = False
) -> Started:
    """The one direct conversation between two people who share a network.
    ``via_follow_up``: a check-in the member's plan asked for, which their
    direct-message choice does not stop (a block still does)."""
    now = now or timezone.now()
    existing = (
        Conversation.objects.filter(pair_key=_pair_key(person, other)).select_related("network").first()
    )
    if existing is not None:
        return Started(conversation=existing, created=False)
    _require_may_message(sender=person, recipient=other, via_follow_up=via_follow_up)
    # Through a shared network that allows direct messages, if there is one.
    network = shared_networks(person=person, other=other).order_by("-direct_messages", "pk").first()
    assert network is not None  # checked by _require_may_message
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                kind=Conversation.Kind.DIRECT,
                network=network,
                pair_key=_pair_key(person, other),
                created_at=now,
            )
            Participant.objects.bulk_create(
                [Participant(conversation=conversation, person=p, joined_at=now) for p in (person, other)]
            )
            _announce(conversation, [person.pk, other.pk])
    except IntegrityError:
        # The other person started it at the same moment.
        conversation = Conversation.objects.select_related("network").get(pair_key=_pair_key(person, other))
        return Started(conversation=conversation, created=False)
    return Started(conversation=conversation, created=True)


def do_ensure_group_conversation(*, network: Network, now: datetime | None = None) -> Conversation:
    """The network's one group conversation, made on first use."""
    existing = Conversation.objects.filter(network=network, kind=Conversation.Kind.GROUP).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Conversation.objects.create(
                kind=Conversation.Kind.GROUP, network=network, created_at=now or timezone.now()
            )
    except IntegrityError:
        return Conversation.objects.get(network=network, kind=Conversation.Kind.GROUP)


def do_open_proposal_discussion(*, proposal: RuleChangeProposal, now: datetime | None = None) -> Conversation:
    """A rule-change proposal's one discussion (from the rule_proposal_changed
    receiver, inside the proposal's transaction): like the group conversation,
    the network's current members read and post, whoever joins later too."""
    existing = Conversation.objects.filter(rule_proposal=proposal).select_related("network").first()
    if existing is not None:
        return existing
    conversation = Conversation.objects.create(
        kind=Conversation.Kind.PROPOSAL,
        network_id=proposal.network_id,
        rule_proposal=proposal,
        created_at=now or proposal.created_at,
    )
    conversation = Conversation.objects.select_related("network").get(pk=conversation.pk)
    _announce(conversation, sel.participant_ids(conversation=conversation))
    return conversation


def _network_allows_direct(*, sender: Person, recipient: Person) -> bool:
    """A network's rules may turn direct messages between its members off
    (Network.direct_messages): two people need a shared network that allows
    them. Navigators and facilitators of a shared network may still message
    its members, as with a member's own choice (they must be able to reach them)."""
    shared = shared_networks(person=sender, other=recipient)
    if shared.filter(direct_messages=True).exists():
        return True
    return Membership.objects.filter(
        person=sender, network__in=shared, left_at__isnull=True, role__in=sel.MODERATORS
    ).exists()


def _require_may_message(*, sender: Person, recipient: Person, via_follow_up: bool = False) -> None:
    if via_follow_up:
        allowed = shared_networks(
            person=sender, other=recipient
        ).exists() and not moderation_selectors.is_blocked_between(person=sender, other=recipient)
    else:
        allowed = moderation_selectors.may_message_directly(
            sender=sender, recipient=recipient
        ) and _network_allows_direct(sender=sender, recipient=recipient)
    if not allowed:
        raise DirectMessagesClosed


# --- sending -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    message: Message
    created: bool


def _validate_text(text: str, *, kind: str) -> str:
    if not isinstance(text, str):
        raise ValidationError({"text": ["Send the text as a string."]})
    if len(text) > settings.MESSAGE_MAX_CHARS:
        raise ValidationError({"text": [f"Keep a message to {settings.MESSAGE_MAX_CHARS} characters."]})
    if kind == Message.Kind.TEXT and not text.strip():
        raise ValidationError({"text": ["A message needs some text."]})
    return text


def validate_client_id(client_id: Any) -> str:
    if not isinstance(client_id, str) or not 1 <= len(client_id.strip()) <= 200:
        raise ValidationError({"client_id": ["Send a client-made id of 1 to 200 characters."]})
    return client_id.strip()


def replay_message(existing: Message, *, conversation_id: Any, text: str, kind: str) -> Sent:
    """A retried send: the first message, or MessageKeyReused for other text."""
    same = (
        str(existing.conversation_id) == str(conversation_id)
        and existing.kind == kind
        and (existing.deleted_at is not None or sel.message_text(message=existing) == text)
    )
    if not same:
        raise MessageKeyReused
    return Sent(message=existing, created=False)


def _require_may_send(conversation: Conversation, author: Person, *, via_follow_up: bool) -> None:
    if conversation.kind == Conversation.Kind.ALERT:
        assert conversation.alert is not None
        if conversation.alert.is_closed:
            raise ConversationClosed
    elif conversation.kind == Conversation.Kind.DIRECT:
        other_id = (
            conversation.participants.exclude(person=author).values_list("person_id", flat=True).first()
        )
        other = Person.objects.filter(pk=other_id).first()
        if other is None:
            raise DirectMessagesClosed
        _require_may_message(sender=author, recipient=other, via_follow_up=via_follow_up)


def _confirm_first_contact(conversation: Conversation, author: Person, now: datetime) -> None:
    """The holder's first message in the alert conversation is the contact
    the alert waits for. Runs before the conversation row is locked: the
    alert lock comes first everywhere (do_accept_alert holds it while it
    opens the conversation), so the two cannot deadlock."""
    alert = conversation.alert
    if alert is None or alert.taken_by_id != author.pk or alert.first_contact_at is not None:
        return
    signals.alert_holder_wrote.send(sender=Conversation, alert_id=alert.pk, person=author, now=now)


def check_send_message(*, person: Person, conversation_id: Any, text: Any, client_key: str) -> Sent:
    """The entry point of both fronts (REST and the websocket's message.send):
    find the conversation with the caller's access checked, parse the text,
    then do_send_message."""
    conversation = sel.access_conversation_by_id(person=person, conversation_id=conversation_id)
    if text is not None and not isinstance(text, str):
        raise ValidationError({"text": ["Send the text as a string."]})
    data = SendMessageIn(data={"text": text} if text is not None else {})
    data.is_valid(raise_exception=True)
    return do_send_message(
        conversation_id=conversation.pk, author=person, client_id=client_key, text=data.validated_data["text"]
    )


def do_send_message(
    *,
    conversation_id: Any,
    author: Person,
    client_id: str,
    text: str,
    kind: str = Message.Kind.TEXT,
    follow_up: FollowUp | None = None,
    now: datetime | None = None,
) -> Sent:
    """Add a message to a conversation the caller already has access to
    (access_conversation_by_id). Idempotent on ``client_id``."""
    now = now or timezone.now()
    client_id = validate_client_id(client_id)
    text = _validate_text(text, kind=kind)
    existing = Message.objects.filter(author=author, client_id=client_id).first()
    if existing is not None:
        return replay_message(existing, conversation_id=conversation_id, text=text, kind=kind)
    try:
        with transaction.atomic():
            conversation = Conversation.objects.select_related("alert", "network").get(pk=conversation_id)
            _require_may_send(conversation, author, via_follow_up=follow_up is not None)
            _confirm_first_contact(conversation, author, now)
            conversation = (
                Conversation.objects.select_for_update(of=("self",))
                .select_related("alert", "network")
                .get(pk=conversation_id)
            )
            # A concurrent retry that committed while we waited for the lock.
            existing = Message.objects.filter(author=author, client_id=client_id).first()
            if existing is not None:
                return replay_message(existing, conversation_id=conversation_id, text=text, kind=kind)
            conversation.last_order += 1
            conversation.save(update_fields=["last_order"])
            sealed = crypto.encrypt(
                owner_id=author.pk, purpose=sel.MESSAGE_TEXT_PURPOSE, payload={"text": text}
            )
            message = Message.objects.create(
                conversation=conversation,
                order=conversation.last_order,
                author=author,
                client_id=client_id,
                kind=kind,
                sealed_owner_id=author.pk,
                sealed_key_id=sealed.data_key_id,
                sealed_text=sealed.ciphertext,
                follow_up=follow_up,
                created_at=now,
            )
            _deliver(conversation, message, author=author, now=now)
    except IntegrityError:
        # The same client id won in another conversation, or the follow-up
        # was answered by another device: answer as a retry or refuse.
        existing = Message.objects.filter(author=author, client_id=client_id).first()
        if existing is None:
            raise FollowUpAnswered from None
        return replay_message(existing, conversation_id=conversation_id, text=text, kind=kind)
    return Sent(message=message, created=True)


def _deliver(conversation: Conversation, message: Message, *, author: Person, now: datetime) -> None:
    """One message.new event per participant (the author too, for their other
    devices), and the offline fallback armed for everyone else."""
    people = sel.participant_ids(conversation=conversation)
    if conversation.kind in sel.NETWORK_KINDS:
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, person_id=pid, joined_at=now) for pid in people],
            ignore_conflicts=True,
        )
    send_event_on_commit(
        event_type=MESSAGE_NEW,
        data={
            "conversation_id": str(conversation.pk),
            "conversation_kind": conversation.kind,
            "message_id": str(message.pk),
            "order": message.order,
            "kind": message.kind,
            "author": person_ref(author),
            "sent_at": now.isoformat(),
        },
        person_ids=people,
    )
    Participant.objects.filter(conversation=conversation, person=author).update(
        delivered_through=Greatest(F("delivered_through"), Value(message.order)),
        read_through=Greatest(F("read_through"), Value(message.order)),
    )
    # Arm the offline fallback for everyone not already waiting on an earlier
    # message, in one UPDATE (a group can have hundreds): each person's
    # sequence row is locked by this transaction and was just advanced, so its
    # last_seq is this message's event for them.
    armed = (
        Participant.objects.filter(
            conversation=conversation, person_id__in=people, pending_since__isnull=True
        )
        .exclude(person=author)
        .update(
            pending_event_seq=Subquery(
                EventSequence.objects.filter(person_id=OuterRef("person_id")).values("last_seq")[:1]
            ),
            pending_since=now,
            push_sent_at=None,
            sms_sent_at=None,
        )
    )
    if armed:
        on_commit_check_message_delivery(conversation_id=conversation.pk, pending_since=now)


# --- deleting, receipts, mute --------------------------------------------------------------


def do_delete_message(*, message: Message, person: Person, now: datetime | None = None) -> Message:
    """The author deletes their own message; in a group conversation a
    navigator or facilitator of the network may remove anyone's. The row and
    its order stay (no gap), the text goes."""
    now = now or timezone.now()
    conversation = message.conversation
    if message.author_id == person.pk:
        by = "author"
    elif conversation.kind in sel.NETWORK_KINDS and sel.is_moderator(
        person=person, network_id=conversation.network_id
    ):
        by = "moderator"
    else:
        raise PermissionDenied("Only the author can delete this message.")
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.deleted_at is not None:
            return locked
        locked.deleted_at, locked.deleted_by = now, person
        locked.sealed_text = locked.sealed_key_id = None
        locked.save(update_fields=["deleted_at", "deleted_by", "sealed_text", "sealed_key_id"])
        send_event_on_commit(
            event_type=MESSAGE_DELETED,
            data={
                "conversation_id": str(conversation.pk),
                "message_id": str(locked.pk),
                "order": locked.order,
                "by": by,
            },
            person_ids=sel.participant_ids(conversation=conversation),
        )
    return locked


def _my_row(conversation: Conversation, person: Person, now: datetime) -> Participant:
    """The caller's participant row (made on first use in a group conversation)."""
    row, _ = Participant.objects.get_or_create(
        conversation=conversation, person=person, defaults={"joined_at": now}
    )
    return row


def check_update_receipts(*, person: Person, conversation_id: Any, body: dict[str, Any]) -> Participant:
    """The entry point of both fronts (REST and the websocket's
    message.receipt): access check, parse the watermarks, do_update_receipts."""
    conversation = sel.access_conversation_by_id(person=person, conversation_id=conversation_id)
    data = ReceiptsIn(data=body)
    data.is_valid(raise_exception=True)
    return do_update_receipts(conversation=conversation, person=person, **data.validated_data)


def do_update_receipts(
    *,
    conversation: Conversation,
    person: Person,
    delivered_through: int | None = None,
    read_through: int | None = None,
    now: datetime | None = None,
) -> Participant:
    """Move the person's delivered / read watermarks forward (never back;
    read implies delivered) and tell the others in an alert or direct
    conversation. Reaching the newest message ends any pending fallback."""
    now = now or timezone.now()
    for name, value in (("delivered_through", delivered_through), ("read_through", read_through)):
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= conversation.last_order
        ):
            raise ValidationError({name: [f"Give an order from 0 to {conversation.last_order}."]})
    delivered = max(delivered_through or 0, read_through or 0)
    with transaction.atomic():
        row = _my_row(conversation, person, now)
        row = Participant.objects.select_for_update().get(pk=row.pk)
        before = (row.delivered_through, row.read_through)
        row.delivered_through = max(row.delivered_through, delivered)
        row.read_through = max(row.read_through, read_through or 0)
        last = Conversation.objects.values_list("last_order", flat=True).get(pk=conversation.pk)
        if row.delivered_through >= last:
            row.pending_event_seq = row.pending_since = None
        row.save(update_fields=["delivered_through", "read_through", "pending_event_seq", "pending_since"])
        if (
            row.delivered_through,
            row.read_through,
        ) != before and conversation.kind not in sel.NETWORK_KINDS:
            others = [pid for pid in sel.participant_ids(conversation=conversation) if pid != person.pk]
            send_event_on_commit(
                event_type=MESSAGE_RECEIPT,
                data={
                    "conversation_id": str(conversation.pk),
                    "person": person_ref(person),
                    "delivered_through": row.delivered_through,
                    "read_through": row.read_through,
                },
                person_ids=others,
            )
    return row


def do_mute_conversation(
    *,
    conversation: Conversation,
    person: Person,
    muted: bool,
    until: datetime | None = None,
    now: datetime | None = None,
) -> Participant:
    """Muted: no push or SMS for it (events still reach open apps). An alert's
    conversation cannot be muted: the member in crisis and the peer holding it
    must each hear the other's next message, even with the app closed."""
    now = now or timezone.now()
    if muted and conversation.kind == Conversation.Kind.ALERT:
        raise ValidationError(
            {"muted": [ErrorDetail("An alert's conversation cannot be muted.", code="alert_conversation")]}
        )
    if until is not None and until <= now:
        raise ValidationError({"until": ["Give a time in the future."]})
    with transaction.atomic():
        row = _my_row(conversation, person, now)
        row.muted, row.muted_until = muted, until if muted else None
        row.save(update_fields=["muted", "muted_until"])
    return row
