"""Thin Celery tasks: each calls an action."""

from __future__ import annotations

from celery import shared_task

from network import actions
from network.actions import rules as rule_actions
from network.reminders import do_send_due_shift_reminders


@shared_task(name="network.tasks.purge_expired_login_material")
def purge_expired_login_material() -> int:
    return actions.do_purge_expired_login_material()


@shared_task(name="network.tasks.send_shift_reminders")
def send_shift_reminders() -> dict[str, int]:
    """Every minute (CELERY_BEAT_SCHEDULE): what is due is read from the
    database, so a late or doubled run sends nothing twice."""
    return do_send_due_shift_reminders()


@shared_task(name="network.tasks.close_due_rule_proposals")
def close_due_rule_proposals() -> int:
    """Every few minutes (CELERY_BEAT_SCHEDULE): count every proposal whose
    voting window has ended, so members hear the result without anyone
    opening the app first. Closing is idempotent, so a doubled run counts once."""
    return rule_actions.do_close_due_proposals()
