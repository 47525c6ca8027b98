"""The actions enqueue their tasks by name (so they never import the tasks
module, which imports them): each name they send must be a task a worker
knows, on the queue its routes give it. A misspelt name would otherwise sit in
the broker unread, and only the sweep would do the work, late."""

from __future__ import annotations

import pytest
from celery.signals import after_task_publish

from config.celery import app as celery_app
from messaging.models import Conversation
from tests.messaging.conftest import send_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    sent: list[tuple[str, str]] = []

    def record(sender=None, routing_key=None, **kwargs):
        sent.append((sender, routing_key))

    after_task_publish.connect(record, weak=False)
    yield sent
    after_task_publish.disconnect(record)


def test_the_alert_and_message_tasks_enqueued_by_name_are_known_and_routed(
    api, crisis, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        raised = api(crisis.member).post("/api/v1/alerts/", {}, format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    alert_id = raised.json()["id"]
    bea = crisis.peers[0]
    with django_capture_on_commit_callbacks(execute=True):
        assert api(bea).post(f"/api/v1/alerts/{alert_id}/accept/").status_code == 200
    conversation_id = Conversation.objects.get(alert_id=alert_id).pk
    with django_capture_on_commit_callbacks(execute=True):
        send_message(api(bea), conversation_id, "on my way", "m-1")

    celery_app.loader.import_default_modules()
    router = celery_app.amqp.router
    names = {name for name, _ in published}
    assert names == {
        "messaging.tasks.run_due_step",
        "messaging.tasks.send_alert_fallbacks",
        "messaging.tasks.check_contact",
        "messaging.tasks.send_conversation_fallbacks",
    }
    for name, queue in published:
        assert name in celery_app.tasks, name
        assert queue == router.route({}, name)["queue"].name, name
