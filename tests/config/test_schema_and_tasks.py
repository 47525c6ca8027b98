from __future__ import annotations

import pytest
from django.core.management import call_command

from config.celery import app as celery_app
from config.settings.base import CELERY_WORKER_QUEUES

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/auth/code/" in text
    assert "/api/v1/me/devices/{device_id}/" in text


def test_the_api_docs_are_served_with_bundled_assets(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_the_schema_is_public(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200


def test_every_task_is_routed_to_a_queue_a_worker_consumes():
    celery_app.loader.import_default_modules()
    ours = [name for name in celery_app.tasks if not name.startswith("celery.")]
    assert ours, "no tasks registered"
    router = celery_app.amqp.router
    for name in ours:
        route = router.route({}, name)
        queue = route["queue"].name
        assert queue in CELERY_WORKER_QUEUES, f"{name} goes to {queue!r}"
        assert name.split(".")[0] in {"network", "crisisplans", "messaging", "config"}, name


def test_alert_work_has_its_own_queue_and_sweep_apart_from_message_fallbacks():
    """A backlog of message fallbacks (a group of hundreds) must never delay an
    escalation step: different queues, different sweeps."""
    from django.conf import settings

    celery_app.loader.import_default_modules()
    router = celery_app.amqp.router

    def queue(name: str) -> str:
        return router.route({}, name)["queue"].name

    for name in ("run_due_step", "send_alert_fallbacks", "check_contact", "sweep_due_alert_work"):
        assert queue(f"messaging.tasks.{name}") == "realtime", name
    for name in ("send_conversation_fallbacks", "send_message_fallbacks", "sweep_message_fallbacks"):
        assert queue(f"messaging.tasks.{name}") == "default", name
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["messaging.tasks.sweep_due_alert_work"]["schedule"].total_seconds() <= 1
    assert "messaging.tasks.sweep_message_fallbacks" in schedule
