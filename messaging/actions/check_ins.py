"""Check-ins: "thinking of you" from a peer, and the follow-up check-in an
alert's plan asked for. Each is a real message in the direct conversation,
sent through messaging.actions.conversations.do_send_message and idempotent
on the client's id the same way."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from messaging.actions.conversations import (
    FollowUpAnswered,
    Sent,
    do_send_message,
    do_start_direct_conversation,
    replay_message,
    validate_client_id,
)
from messaging.models import FollowUp, Message
from network.models import Person


def _replay_check_in(author: Person, client_id: str, *, text: str, kind: str) -> Sent | None:
    """A retried check-in: answered with the first, in the conversation it went to."""
    existing = Message.objects.filter(author=author, client_id=validate_client_id(client_id)).first()
    if existing is None:
        return None
    return replay_message(existing, conversation_id=existing.conversation_id, text=text, kind=kind)


def do_send_check_in(
    *, sender: Person, recipient: Person, client_id: str, text: str = "", now: datetime | None = None
) -> Sent:
    """ "Thinking of you": a check-in message in the direct conversation,
    under the same rules as any direct message (direct messages off and
    blocks stop it)."""
    now = now or timezone.now()
    replayed = _replay_check_in(sender, client_id, text=text, kind=Message.Kind.CHECK_IN)
    if replayed is not None:
        return replayed
    conversation = do_start_direct_conversation(person=sender, other=recipient, now=now).conversation
    return do_send_message(
        conversation_id=conversation.pk,
        author=sender,
        client_id=client_id,
        text=text,
        kind=Message.Kind.CHECK_IN,
        now=now,
    )


def do_send_follow_up_check_in(
    *, follow_up: FollowUp, person: Person, client_id: str, text: str, now: datetime | None = None
) -> Sent:
    """The follow-up check-in after an alert, from the person the plan named
    (prompted by alert.follow_up_due): a real message in their direct
    conversation with the member. The member asked for it in their plan, so
    their direct-message choice does not stop it; a block does."""
    now = now or timezone.now()
    if follow_up.check_in_by_id != person.pk:
        raise PermissionDenied("This follow-up is someone else's.")
    replayed = _replay_check_in(person, client_id, text=text, kind=Message.Kind.FOLLOW_UP)
    if replayed is not None:
        return replayed
    if Message.objects.filter(follow_up=follow_up).exists():
        raise FollowUpAnswered
    conversation = do_start_direct_conversation(
        person=person, other=follow_up.member, now=now, via_follow_up=True
    ).conversation
    return do_send_message(
        conversation_id=conversation.pk,
        author=person,
        client_id=client_id,
        text=text,
        kind=Message.Kind.FOLLOW_UP,
        follow_up=follow_up,
        now=now,
    )
