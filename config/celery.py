"""The Celery app. Tasks are thin: they load by id and call an action."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("crisisnet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.celery.ping")
def ping() -> str:
    """Answers readiness probes: proves a worker consumes the default queue."""
    return "pong"
