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
from messaging.models.pulse import PulseAnswer, PulseQuestion

__all__ = [
    "Alert",
    "AlertDebrief",
    "Block",
    "Conversation",
    "EscalationStepRun",
    "Event",
    "EventSequence",
    "FollowUp",
    "Message",
    "MessageReport",
    "MessageRetention",
    "MessagingPreference",
    "Offer",
    "Participant",
    "PulseAnswer",
    "PulseQuestion",
    "PushSubscription",
]
