"""Thin Celery tasks: each calls an action."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from messaging import events


@shared_task(name="messaging.tasks.purge_old_events")
def purge_old_events() -> int:
    return events.do_purge_old_events(older_than=timedelta(days=settings.EVENT_RETENTION_DAYS))
