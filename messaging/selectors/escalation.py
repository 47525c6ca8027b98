"""The sweep's reads for escalation: which alerts have a step or a contact
check due by the database. The ETA tasks are only the fast path; the sweep
(messaging.tasks) runs what these find, and each action re-checks under the
alert's row lock, so overlapping sweeps are safe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from messaging.models import Alert

SWEEP_BATCH = 500


def alerts_with_step_due(*, now: datetime) -> list[tuple[Any, int]]:
    """(alert id, the step it is on) of open alerts whose next step is due, oldest first."""
    return list(
        Alert.objects.filter(state=Alert.State.OPEN, next_step_due_at__lte=now)
        .order_by("next_step_due_at")
        .values_list("pk", "step")[:SWEEP_BATCH]
    )


def alerts_with_contact_check_due(*, now: datetime) -> list[Any]:
    """Taken alerts whose holder's first contact is due to be checked, oldest first."""
    return list(
        Alert.objects.filter(state=Alert.State.TAKEN, contact_check_due_at__lte=now)
        .order_by("contact_check_due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
