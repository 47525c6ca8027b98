from __future__ import annotations

from messaging.models.alerts import Alert, AlertDebrief, EscalationStepRun, FollowUp, Offer, PushSubscription
from messaging.models.events import Event, EventSequence

__all__ = [
    "Alert",
    "AlertDebrief",
    "EscalationStepRun",
    "Event",
    "EventSequence",
    "FollowUp",
    "Offer",
    "PushSubscription",
]
