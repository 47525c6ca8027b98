"""What members and facilitators control around conversations: whether
someone takes direct messages, blocks, reports of a message to the
network's facilitators, and how long a network keeps messages (with the
scheduled purge)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from messaging.actions.events import send_event_on_commit
from messaging.event_types import MESSAGE_REPORTED, network_ref
from messaging.models import (
    Block,
    Conversation,
    Message,
    MessageReport,
    MessageRetention,
    MessagingPreference,
)
from messaging.selectors import moderation as moderation_selectors
from network.models import Membership, Network, Person
from network.rule_settings import require_within_floor

# The name of the rule setting this is (messaging/rule_settings.py registers it).
MESSAGE_RETENTION_DAYS = "message_retention_days"


def do_set_direct_messages(*, person: Person, enabled: bool) -> MessagingPreference:
    with transaction.atomic():
        preference, _ = MessagingPreference.objects.update_or_create(
            person=person, defaults={"direct_messages": enabled}
        )
    return preference


def do_block_person(*, person: Person, blocked: Person, now: datetime | None = None) -> Block:
    if blocked.pk == person.pk:
        raise ValidationError({"person_id": ["You cannot block yourself."]})
    with transaction.atomic():
        block, _ = Block.objects.get_or_create(
            blocker=person, blocked=blocked, defaults={"created_at": now or timezone.now()}
        )
    return block


def do_unblock_person(*, person: Person, blocked_id: int) -> bool:
    with transaction.atomic():
        return Block.objects.filter(blocker=person, blocked_id=blocked_id).delete()[0] > 0


def do_report_message(
    *, message: Message, reporter: Person, reason: str, now: datetime | None = None
) -> MessageReport:
    """Tell the facilitators of the conversation's network. Reporting shares
    that one message with them (GET /message-reports/); reporting twice
    returns the first report."""
    now = now or timezone.now()
    if message.author_id == reporter.pk:
        raise ValidationError({"message": ["You cannot report your own message."]})
    network = message.conversation.network
    with transaction.atomic():
        report, created = MessageReport.objects.get_or_create(
            message=message,
            reporter=reporter,
            defaults={"network": network, "reason": reason, "created_at": now},
        )
        if created:
            facilitators = Membership.objects.filter(
                network=network, left_at__isnull=True, role=Membership.Role.FACILITATOR
            ).values_list("person_id", flat=True)
            send_event_on_commit(
                event_type=MESSAGE_REPORTED,
                data={"report_id": report.pk, "network": network_ref(network), "reason": reason},
                person_ids=list(facilitators),
            )
    return report


def do_set_message_retention(*, network: Network, days: int, now: datetime | None = None) -> MessageRetention:
    """Within the service's safety floor (network/rule_settings.py), whether a
    facilitator sets it or a ratified proposal does."""
    if not settings.MESSAGE_RETENTION_MIN_DAYS <= days <= settings.MESSAGE_RETENTION_MAX_DAYS:
        raise ValidationError(
            {
                "days": [
                    f"Keep messages {settings.MESSAGE_RETENTION_MIN_DAYS} to "
                    f"{settings.MESSAGE_RETENTION_MAX_DAYS} days."
                ]
            }
        )
    require_within_floor({MESSAGE_RETENTION_DAYS: days}, proposal=False)
    with transaction.atomic():
        retention, _ = MessageRetention.objects.update_or_create(
            network=network, defaults={"days": days, "updated_at": now or timezone.now()}
        )
    return retention


def do_purge_old_messages(*, now: datetime | None = None) -> int:
    """Delete every message older than its network's retention period (the
    scheduled task). Conversations stay, with their order counters, so later
    messages keep increasing orders."""
    now = now or timezone.now()
    deleted = 0
    network_ids = Conversation.objects.values_list("network_id", flat=True).distinct()
    for network in Network.objects.filter(pk__in=network_ids):
        cutoff = now - timedelta(days=moderation_selectors.retention_days_of(network=network))
        with transaction.atomic():
            deleted += (
                Message.objects.filter(conversation__network=network, created_at__lt=cutoff)
                .delete()[1]
                .get("messaging.Message", 0)
            )
    return deleted
