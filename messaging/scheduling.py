"""Celery fast paths, enqueued only after the transaction commits.

Each is a hint: the task re-reads the database and does nothing if the work is
not due or already done, and the periodic sweep (messaging.tasks) finds any
work whose task was lost, delayed or doubled (with a Redis broker an ETA task
can come twice or late around the visibility timeout).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def _enqueue(task_name: str, args: tuple[Any, ...], eta: datetime) -> None:
    # By name, so the actions never import messaging.tasks (which imports them):
    # the route, and so the queue, follows from the name (CELERY_TASK_ROUTES).
    try:
        current_app.send_task(f"messaging.tasks.{task_name}", args=args, eta=eta)
    except Exception:
        # The broker is down: the sweep will find the work in the database.
        logger.warning("could not enqueue %s; the sweep will run it", task_name, exc_info=True)


def on_commit_run_step(*, alert_id: Any, step: int, due_at: datetime | None) -> None:
    if due_at is not None:
        transaction.on_commit(lambda: _enqueue("run_due_step", (str(alert_id), step), due_at))


def on_commit_check_delivery(*, alert: Any, notified_at: datetime) -> None:
    """Push and SMS fallbacks for the offers an action just sent: two tasks per
    alert and action (not per offer: each publish is a Redis round trip inside
    the request), checking every pending offer of the alert."""
    if getattr(alert, "_delivery_check_scheduled_at", None) == notified_at:
        return
    alert._delivery_check_scheduled_at = notified_at
    push_at = notified_at + timedelta(seconds=settings.ALERT_PUSH_AFTER_SECONDS)
    sms_at = push_at + timedelta(seconds=settings.ALERT_SMS_AFTER_PUSH_SECONDS)
    alert_id = str(alert.pk)
    transaction.on_commit(lambda: _enqueue("send_alert_fallbacks", (alert_id,), push_at))
    transaction.on_commit(lambda: _enqueue("send_alert_fallbacks", (alert_id,), sms_at))


def on_commit_check_contact(*, alert_id: Any, due_at: datetime | None) -> None:
    if due_at is not None:
        transaction.on_commit(lambda: _enqueue("check_contact", (str(alert_id),), due_at))
