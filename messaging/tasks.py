"""Thin Celery tasks: each loads by id and calls an action.

Every task is routed to a queue (config.settings CELERY_TASK_ROUTES) and a test
fails if one is not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from redis.exceptions import RedisError

from crisisplans.actions import do_deliver_owner_notice
from crisisplans.selectors import notices_due_for_text
from messaging import metrics
from messaging.actions import escalation, events, follow_ups, moderation, notifications, paging
from messaging.selectors import conversations as conversation_selectors
from messaging.selectors import escalation as escalation_selectors
from messaging.selectors.alerts import pending_offer_ids
from messaging.selectors.follow_ups import follow_ups_due

logger = logging.getLogger(__name__)


@shared_task(name="messaging.tasks.purge_old_events")
def purge_old_events() -> int:
    return events.do_purge_old_events(older_than=timedelta(days=settings.EVENT_RETENTION_DAYS))


@shared_task(name="messaging.tasks.run_due_step")
def run_due_step(alert_id: str, step: int) -> bool:
    return escalation.do_run_due_step(alert_id=alert_id, step=step)


@shared_task(name="messaging.tasks.send_alert_fallbacks")
def send_alert_fallbacks(alert_id: str) -> int:
    return _each(
        pending_offer_ids(alert_id=alert_id), lambda pk: notifications.do_send_offer_fallbacks(offer_id=pk)
    )


@shared_task(name="messaging.tasks.check_contact")
def check_contact(alert_id: str) -> str:
    return escalation.do_check_contact(alert_id=alert_id)


@shared_task(name="messaging.tasks.send_conversation_fallbacks")
def send_conversation_fallbacks(conversation_id: str) -> int:
    """Push or SMS for each participant still waiting; each one decides (and
    claims) for itself, so an early, late or doubled task sends nothing twice."""
    return _each(
        conversation_selectors.participants_waiting(conversation_id=conversation_id),
        lambda pk: notifications.do_send_message_fallbacks(participant_id=pk) != "",
    )


@shared_task(name="messaging.tasks.send_message_fallbacks")
def send_message_fallbacks(participant_id: int) -> str:
    """Kept for tasks queued before send_conversation_fallbacks replaced it."""
    return notifications.do_send_message_fallbacks(participant_id=participant_id)


@shared_task(name="messaging.tasks.push_swap_notice")
def push_swap_notice(request_id: int, change: str) -> int:
    """The push for a swap request asked or answered (issue 15), after commit."""
    return notifications.do_push_swap_notice(request_id=request_id, change=change)


@shared_task(name="messaging.tasks.send_test_page_steps")
def send_test_page_steps(test_page_id: int) -> int:
    """A test page's next step (issue 17), at its wait: it re-checks and claims."""
    return len(paging.do_send_test_page_steps(test_page_id=test_page_id))


@shared_task(name="messaging.tasks.check_reachability")
def check_reachability() -> int:
    """Flags for people with a shift soon whose pages may not reach them (issue 17)."""
    return paging.do_check_reachability()


@shared_task(name="messaging.tasks.purge_old_messages")
def purge_old_messages() -> int:
    return moderation.do_purge_old_messages()


@shared_task(name="messaging.tasks.sweep_due_alert_work")
def sweep_due_alert_work() -> dict[str, int]:
    """Alerts only: a backlog of message fallbacks must never delay an
    escalation step (the bench saw steps seconds late behind them).

    Then the heartbeat, the dead-man's switch (messaging/metrics.py): only a
    sweep that got through writes it, so readiness fails when beat, the
    workers or the sweep's own queries stop. Once a minute it also has the
    operator's outside check pinged, from the default queue, so a slow check
    never holds up the alert queue."""
    done = _log_if_any("swept due alert work", sweep())
    try:
        if metrics.record_sweep_heartbeat():
            ping_sweep_heartbeat.apply_async(expires=metrics.SWEEP_PING_EVERY_SECONDS)
    except RedisError:
        logger.warning("sweep: the heartbeat could not be written to Redis")
    return done


@shared_task(name="messaging.tasks.ping_sweep_heartbeat")
def ping_sweep_heartbeat() -> bool:
    return metrics.ping_heartbeat_url()


@shared_task(name="messaging.tasks.sweep_message_fallbacks")
def sweep_message_fallbacks() -> dict[str, int]:
    return _log_if_any("swept message fallbacks", sweep_messages())


def _log_if_any(what: str, done: dict[str, int]) -> dict[str, int]:
    """One line when a sweep did something, none when it did not: the sweeps
    run every second, and Celery's own lines for them are filtered out
    (messaging/logs.py)."""
    if any(done.values()):
        logger.info("%s: %s", what, " ".join(f"{key}={count}" for key, count in done.items() if count))
    return done


def _each(ids: Iterable[Any], run: Callable[[Any], Any]) -> int:
    """Run ``run`` for each id; one failing item is logged and never stops
    the others (an escalation must not wait behind a broken alert)."""
    done = 0
    for item_id in ids:
        try:
            done += bool(run(item_id))
        except Exception:
            logger.exception("sweep: %s failed for %s", getattr(run, "__name__", run), item_id)
    return done


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Run everything that is due according to the database. The ETA tasks
    are only the fast path; this covers lost tasks, killed workers and Redis
    restarts. Each action re-checks under a lock, so overlapping runs are safe."""
    now = now or timezone.now()
    # A break-glass text whose task was lost, died mid-send or met a temporary error.
    notices_to_text = notices_due_for_text(now=now)
    return {
        "steps": _each(
            escalation_selectors.alerts_with_step_due(now=now),
            lambda pair: escalation.do_run_due_step(alert_id=pair[0], step=pair[1] + 1, now=now),
        ),
        "contact_checks": _each(
            escalation_selectors.alerts_with_contact_check_due(now=now),
            lambda pk: escalation.do_check_contact(alert_id=pk, now=now),
        ),
        "fallbacks": _each(
            notifications.offers_needing_fallback(now=now),
            lambda pk: notifications.do_send_offer_fallbacks(offer_id=pk, now=now),
        ),
        "follow_ups": _each(
            follow_ups_due(now=now), lambda pk: follow_ups.do_prompt_follow_up(follow_up_id=pk, now=now)
        ),
        "notices": _each(
            notices_to_text, lambda pk: do_deliver_owner_notice(notice_id=pk, now=now, due_only=True)
        ),
        "test_pages": _each(
            paging.due_test_pages(now=now),
            lambda pk: paging.do_send_test_page_steps(test_page_id=pk, now=now),
        ),
    }


def sweep_messages(*, now: datetime | None = None) -> dict[str, int]:
    """The message half of the sweep: push and SMS fallbacks for unseen
    messages whose ETA tasks were lost. Run by the same periodic task."""
    now = now or timezone.now()
    return {
        "message_fallbacks": _each(
            conversation_selectors.pending_participants(now=now),
            lambda pk: notifications.do_send_message_fallbacks(participant_id=pk, now=now),
        )
    }
