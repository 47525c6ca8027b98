"""What messaging holds of a person, for "my data" (GET /my-data/).

Registered with ``crisisplans.actions.register_export_section`` (crisisplans
sits below messaging and must not import it). Only the person's own things:
alerts they raised (their words and location, decrypted for them), the offers
and alerts they had as a peer (states and times, never the member's words),
the messages and debriefs they wrote, their blocks, reports, push
subscriptions (the endpoint's host only: the rest is a credential) and the
check-ins they sent or were asked to make. Of a conversation, only their own
messages: what the others wrote is theirs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from messaging.actions.alerts import alert_details
from messaging.models import (
    Alert,
    AlertDebrief,
    Block,
    FollowUp,
    Message,
    MessageReport,
    Offer,
    Participant,
    PushSubscription,
)
from messaging.selectors.conversations import message_text
from network.models import Person


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _alert_times(alert: Alert) -> dict[str, Any]:
    return {
        "id": str(alert.pk),
        "network_id": alert.network_id,
        "urgency": alert.urgency,
        "state": alert.state,
        "step": alert.step,
        "raised_at": _when(alert.raised_at),
        "taken_at": _when(alert.taken_at),
        "first_contact_at": _when(alert.first_contact_at),
        "staff_notified_at": _when(alert.staff_notified_at),
        "emergency_routes_shown_at": _when(alert.emergency_routes_shown_at),
        "closed_at": _when(alert.closed_at),
    }


def messaging_data_of(*, person: Person) -> dict[str, list[dict[str, Any]]]:
    check_in_kinds = (Message.Kind.CHECK_IN, Message.Kind.FOLLOW_UP)
    sent = list(Message.objects.filter(author=person).order_by("created_at", "pk"))
    check_ins = [message for message in sent if message.kind in check_in_kinds]
    return {
        "alerts_raised": _alerts_raised(person=person),
        "alerts_offered": [
            _offer_row(offer) for offer in Offer.objects.filter(person=person).order_by("offered_at", "pk")
        ],
        "alerts_taken": [
            _alert_times(alert) for alert in Alert.objects.filter(taken_by=person).order_by("raised_at")
        ],
        "messages_sent": [_message_row(message) for message in sent],
        "debriefs_written": [
            _debrief_row(debrief)
            for debrief in AlertDebrief.objects.filter(author=person).order_by("created_at", "pk")
        ],
        "blocks": [
            {"blocked_id": block.blocked_id, "created_at": _when(block.created_at)}
            for block in Block.objects.filter(blocker=person).order_by("created_at", "pk")
        ],
        "reports": [
            _report_row(report)
            for report in MessageReport.objects.filter(reporter=person).order_by("created_at", "pk")
        ],
        "push_subscriptions": [
            {
                "endpoint_host": urlsplit(subscription.endpoint).hostname,
                "created_at": _when(subscription.created_at),
            }
            for subscription in PushSubscription.objects.filter(person=person).order_by("created_at", "pk")
        ],
        "check_ins_sent": _check_ins_sent(person=person, check_ins=check_ins),
        "follow_ups": [
            _follow_up_row(follow_up)
            for follow_up in FollowUp.objects.filter(check_in_by=person).order_by("due_at", "pk")
        ],
    }


def _alerts_raised(*, person: Person) -> list[dict[str, Any]]:
    raised = []
    for alert in Alert.objects.filter(member=person).order_by("raised_at"):
        details = alert_details(alert=alert)
        raised.append({**_alert_times(alert), "message": details["message"], "location": details["location"]})
    return raised


def _offer_row(offer: Offer) -> dict[str, Any]:
    return {
        "alert_id": str(offer.alert_id),
        "network_id": offer.network_id,
        "kind": offer.kind,
        "step": offer.step,
        "state": offer.state,
        "offered_at": _when(offer.offered_at),
        "responded_at": _when(offer.responded_at),
        "released_at": _when(offer.released_at),
        "decline_reason": offer.decline_reason,
    }


def _message_row(message: Message) -> dict[str, Any]:
    return {
        "id": str(message.pk),
        "conversation_id": str(message.conversation_id),
        "order": message.order,
        "kind": message.kind,
        "text": message_text(message=message),
        "created_at": _when(message.created_at),
        "deleted_at": _when(message.deleted_at),
    }


def _debrief_row(debrief: AlertDebrief) -> dict[str, Any]:
    return {
        "alert_id": str(debrief.alert_id),
        "how_it_went": debrief.how_it_went,
        "emergency_services": debrief.emergency_services,
        "follow_up_wanted": debrief.follow_up_wanted,
        "created_at": _when(debrief.created_at),
    }


def _report_row(report: MessageReport) -> dict[str, Any]:
    return {
        "message_id": str(report.message_id),
        "network_id": report.network_id,
        "reason": report.reason,
        "created_at": _when(report.created_at),
        "handled_at": _when(report.handled_at),
    }


def _check_ins_sent(*, person: Person, check_ins: list[Message]) -> list[dict[str, Any]]:
    recipients = _check_in_recipients(person=person, messages=check_ins)
    return [
        {
            "message_id": str(message.pk),
            "kind": message.kind,
            "recipient_id": recipients.get(message.conversation_id),
            "created_at": _when(message.created_at),
        }
        for message in check_ins
    ]


def _follow_up_row(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "alert_id": str(follow_up.alert_id),
        "member_id": follow_up.member_id,
        "check_in_by_id": follow_up.check_in_by_id,
        "due_at": _when(follow_up.due_at),
        "prompted_at": _when(follow_up.prompted_at),
    }


def _check_in_recipients(*, person: Person, messages: list[Message]) -> dict[Any, int]:
    """A check-in goes into the direct conversation with its recipient: the
    other participant there."""
    rows = Participant.objects.filter(conversation_id__in={m.conversation_id for m in messages}).exclude(
        person=person
    )
    return dict(rows.values_list("conversation_id", "person_id"))
