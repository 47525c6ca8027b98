from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True)


def test_liveness_answers_without_authentication(client):
    response = client.get("/api/v1/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_fails_when_no_worker_answers(client):
    response = client.get("/api/v1/health/ready/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": True, "redis": True, "worker": False, "sweep": True},
        "sweep_last_run_seconds_ago": None,
    }


def test_readiness_passes_with_database_redis_and_a_live_worker(client):
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        response = client.get("/api/v1/health/ready/")
    assert response.status_code == 200
    # No sweep has run since Redis started (each test flushes it): within its grace.
    assert response.json()["checks"] == {"database": True, "redis": True, "worker": True, "sweep": True}


def test_readiness_reports_redis_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/api/v1/health/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] is False
