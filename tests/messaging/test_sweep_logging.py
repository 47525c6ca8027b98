"""`make run` printed the once-a-second sweep 2,336 times in 3,771 lines: a
routine sweep logs nothing unless it did something (issue 12 item 18). The
whole stack's output is checked in tests/config/test_stack.py."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from celery.app.trace import LOG_RECEIVED, LOG_SUCCESS

from messaging import tasks

pytestmark = pytest.mark.django_db


def info_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]


def test_a_sweep_that_did_nothing_logs_nothing(caplog):
    caplog.set_level(logging.INFO)
    celery_lines(caplog, "messaging.tasks.sweep_due_alert_work", tasks.sweep_due_alert_work())
    celery_lines(caplog, "messaging.tasks.sweep_message_fallbacks", tasks.sweep_message_fallbacks())
    assert info_lines(caplog) == []


def test_a_sweep_that_ran_a_step_logs_one_line(caplog, crisis):
    crisis.raise_alert(now=crisis.now - timedelta(minutes=10))
    caplog.set_level(logging.INFO)
    celery_lines(caplog, "messaging.tasks.sweep_due_alert_work", tasks.sweep_due_alert_work())
    [line] = info_lines(caplog)
    # The step, and the push fallbacks of the offers that waited ten minutes.
    assert line.startswith("swept due alert work: steps=1 fallbacks=")


def test_other_tasks_keep_celerys_lines(caplog):
    caplog.set_level(logging.INFO)
    celery_lines(caplog, "messaging.tasks.run_due_step", True)
    assert len(info_lines(caplog)) == 3


def celery_lines(caplog, task: str, result) -> None:
    """The three lines Celery writes for a task, on Celery's own loggers."""
    logging.getLogger("celery.beat").info("Scheduler: Sending due task %s (%s)", task.rsplit(".")[-1], task)
    logging.getLogger("celery.worker.strategy").info(LOG_RECEIVED, {"name": task, "id": "1"})
    logging.getLogger("celery.app.trace").info(
        LOG_SUCCESS, {"name": task, "id": "1", "runtime": 0.01, "return_value": result}
    )
