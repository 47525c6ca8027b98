"""Liveness (the process answers) and readiness (it can do its job: the
database, Redis, and at least one Celery worker all answer)."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

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


def ready(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    # Asking the workers needs the broker; skip the wait when Redis is down.
    checks["worker"] = checks["redis"] and _worker_ok()
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
