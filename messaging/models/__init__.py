from __future__ import annotations

from messaging.models.alerts import Alert, AlertDebrief, EscalationStepRun, FollowUp, Offer, PushSubscription
from messaging.models.conversations import (
    Block,
    Conversation,
    Message,
    MessageReport,
    MessageRetention,
    MessagingPreference,
    Participant,
)
from messaging.models.events import Event, EventSequence
from messaging.models.paging import Delivery, NotificationRule, ReachabilityFlag, TestPage, Transport
from messaging.models.pulse import PulseAnswer, PulseQuestion

__all__ = [
    "Alert",
    "AlertDebrief",
    "Block",
    "Conversation",
    "Delivery",
    "EscalationStepRun",
    "Event",
    "EventSequence",
    "FollowUp",
    "Message",
    "MessageReport",
    "MessageRetention",
    "MessagingPreference",
    "NotificationRule",
    "Offer",
    "Participant",
    "PulseAnswer",
    "PulseQuestion",
    "PushSubscription",
    "ReachabilityFlag",
    "TestPage",
    "Transport",
]
