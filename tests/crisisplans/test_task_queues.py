"""The plan actions enqueue the owner's break-glass text by name (so they
never import crisisplans.tasks, which imports them): the name must be a task a
worker knows, on the queue its routes give it."""

from __future__ import annotations

import pytest
from celery.signals import after_task_publish

from config.celery import app as celery_app
from tests.crisisplans.factories import signed_off_plan

pytestmark = pytest.mark.django_db


def test_the_break_glass_text_task_enqueued_by_name_is_known_and_routed(
    api, member, staff, django_capture_on_commit_callbacks
):
    plan = signed_off_plan(owner=member)
    published: list[tuple[str, str]] = []

    def record(sender=None, routing_key=None, **kwargs):
        published.append((sender, routing_key))

    after_task_publish.connect(record, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            reason = {"reason": "She missed group and is not answering her phone"}
            assert (
                api(staff).post(f"/api/v1/plans/{plan.pk}/break-glass/", reason, format="json").status_code
                == 201
            )
    finally:
        after_task_publish.disconnect(record)

    celery_app.loader.import_default_modules()
    assert [name for name, _ in published] == ["crisisplans.tasks.deliver_owner_notice"]
    name, queue = published[0]
    assert name in celery_app.tasks
    assert queue == celery_app.amqp.router.route({}, name)["queue"].name
