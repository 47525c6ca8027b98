"""Reads for the check-ins after a resolved alert."""

from __future__ import annotations

from datetime import datetime

from messaging.models import FollowUp
from messaging.selectors.escalation import SWEEP_BATCH


def follow_ups_due(*, now: datetime) -> list[int]:
    """Follow-ups due whose peer has not been prompted yet."""
    return list(
        FollowUp.objects.filter(prompted_at__isnull=True, due_at__lte=now).values_list("pk", flat=True)[
            :SWEEP_BATCH
        ]
    )
