"""Liveness (the process answers) and readiness (it can do its job: the
database, Redis, and at least one Celery worker all answer, and the
escalation sweep has run lately: the dead-man's switch, docs/operations.md)."""

from __future__ import annotations

import logging
import time

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from messaging import metrics

logger = logging.getLogger(__name__)

WORKER_PING_TIMEOUT = 1.0


def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("readiness: database check failed")
        return False


def _redis_ok() -> bool:
    if not settings.REDIS_URL:
        return False
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        logger.exception("readiness: redis check failed")
        return False


def _worker_ok() -> bool:
    from config.celery import app

    try:
        return bool(app.control.ping(timeout=WORKER_PING_TIMEOUT))
    except Exception:
        logger.exception("readiness: worker check failed")
        return False


def _sweep_state() -> tuple[bool, float | None]:
    """Whether the sweep has run within SWEEP_STALE_AFTER seconds, and when it
    last ran. With no heartbeat at all (a fresh Redis: the first deploy, or
    Redis restarted) the grace counts from the first readiness check that
    found none, shared through Redis: a deploy's new web processes or a
    restarted Redis do not flap readiness, and a stack whose beat never
    started still fails once the grace is over."""
    now = time.time()
    try:
        last = metrics.last_sweep_run()
        since = last if last is not None else metrics.sweep_awaited_since(now=now)
    except redis.RedisError:
        logger.exception("readiness: the sweep's heartbeat could not be read")
        return False, None
    return now - since <= settings.SWEEP_STALE_AFTER, last


def ready(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    # Asking the workers needs the broker; skip the wait when Redis is down.
    checks["worker"] = checks["redis"] and _worker_ok()
    checks["sweep"], last_sweep = _sweep_state() if checks["redis"] else (False, None)
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": checks,
            "sweep_last_run_seconds_ago": None if last_sweep is None else round(time.time() - last_sweep, 1),
        },
        status=200 if healthy else 503,
    )
