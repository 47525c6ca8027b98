"""Thin Celery tasks: each loads by id and calls an action.

Every task is routed to a queue (config.settings CELERY_TASK_ROUTES) and a test
fails if one is not.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from messaging import events
from messaging.actions import alerts, conversations, notifications
from messaging.models import Alert, FollowUp

logger = logging.getLogger(__name__)


@shared_task(name="messaging.tasks.purge_old_events")
def purge_old_events() -> int:
    return events.do_purge_old_events(older_than=timedelta(days=settings.EVENT_RETENTION_DAYS))


@shared_task(name="messaging.tasks.run_due_step")
def run_due_step(alert_id: str, step: int) -> bool:
    return alerts.do_run_due_step(alert_id=alert_id, step=step)


@shared_task(name="messaging.tasks.send_offer_fallbacks")
def send_offer_fallbacks(offer_id: int) -> str:
    return notifications.do_send_offer_fallbacks(offer_id=offer_id)


@shared_task(name="messaging.tasks.check_contact")
def check_contact(alert_id: str) -> str:
    return alerts.do_check_contact(alert_id=alert_id)


@shared_task(name="messaging.tasks.send_message_fallbacks")
def send_message_fallbacks(participant_id: int) -> str:
    return conversations.do_send_message_fallbacks(participant_id=participant_id)


@shared_task(name="messaging.tasks.purge_old_messages")
def purge_old_messages() -> int:
    return conversations.do_purge_old_messages()


@shared_task(name="messaging.tasks.sweep_due_alert_work")
def sweep_due_alert_work() -> dict[str, int]:
    return {**sweep(), **sweep_messages()}


def sweep(*, now: timezone.datetime | None = None) -> dict[str, int]:
    """Run everything that is due according to the database. The ETA tasks
    are only the fast path; this covers lost tasks, killed workers and Redis
    restarts. Each action re-checks under a lock, so overlapping runs are safe."""
    now = now or timezone.now()
    done = {"steps": 0, "contact_checks": 0, "fallbacks": 0, "follow_ups": 0}
    due_steps = Alert.objects.filter(state=Alert.State.OPEN, next_step_due_at__lte=now).values_list(
        "pk", "step"
    )
    for alert_id, step in due_steps[:500]:
        done["steps"] += alerts.do_run_due_step(alert_id=alert_id, step=step + 1, now=now)
    due_checks = Alert.objects.filter(state=Alert.State.TAKEN, contact_check_due_at__lte=now).values_list(
        "pk", flat=True
    )
    for alert_id in due_checks[:500]:
        done["contact_checks"] += bool(alerts.do_check_contact(alert_id=alert_id, now=now))
    for offer_id in notifications.offers_needing_fallback(now=now):
        done["fallbacks"] += bool(notifications.do_send_offer_fallbacks(offer_id=offer_id, now=now))
    due_follow_ups = FollowUp.objects.filter(prompted_at__isnull=True, due_at__lte=now).values_list(
        "pk", flat=True
    )
    for follow_up_id in due_follow_ups[:500]:
        done["follow_ups"] += alerts.do_prompt_follow_up(follow_up_id=follow_up_id, now=now)
    return done


def sweep_messages(*, now: timezone.datetime | None = None) -> dict[str, int]:
    """The message half of the sweep: push and SMS fallbacks for unseen
    messages whose ETA tasks were lost. Run by the same periodic task."""
    now = now or timezone.now()
    done = {"message_fallbacks": 0}
    for participant_id in conversations.pending_participants(now=now):
        done["message_fallbacks"] += bool(
            conversations.do_send_message_fallbacks(participant_id=participant_id, now=now)
        )
    return done
