"""The check-in after a resolved alert: scheduled as the member's plan asks
(or as the debrief wanted), and the prompt to the peer when it falls due."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from crisisplans.actions import aftercare_for
from messaging.actions.events import send_event_on_commit
from messaging.event_types import FOLLOW_UP_DUE, person_ref
from messaging.models import Alert, FollowUp
from network.models import Person


def schedule_follow_up(alert: Alert, *, now: datetime, wanted: bool) -> None:
    if alert.member is None:
        return
    aftercare = aftercare_for(owner=alert.member, why=f"scheduling the follow-up of alert {alert.pk}")
    if aftercare is not None:
        by_id = None
        for pid in aftercare.check_in_from:
            if Person.objects.filter(pk=pid, is_active=True).exists():
                by_id = pid
                break
        FollowUp.objects.create(
            alert=alert,
            member=alert.member,
            check_in_by_id=by_id or alert.taken_by_id,
            due_at=now + aftercare.check_in_after,
        )
    elif wanted and alert.taken_by_id:
        FollowUp.objects.create(
            alert=alert,
            member=alert.member,
            check_in_by_id=alert.taken_by_id,
            due_at=now + timedelta(hours=24),
        )


def do_prompt_follow_up(*, follow_up_id: int, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    with transaction.atomic():
        claimed = FollowUp.objects.filter(pk=follow_up_id, prompted_at__isnull=True, due_at__lte=now).update(
            prompted_at=now
        )
        if not claimed:
            return False
        follow_up = FollowUp.objects.select_related("member").get(pk=follow_up_id)
        send_event_on_commit(
            event_type=FOLLOW_UP_DUE,
            data={"alert_id": str(follow_up.alert_id), "member": person_ref(follow_up.member)},
            person_ids=[follow_up.check_in_by_id],
        )
    return True
