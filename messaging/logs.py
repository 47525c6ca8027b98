"""Quiet routine sweeps (issue 12: 2,336 of the 3,771 lines of `make run` were
the once-a-second sweep, and sign-in codes and SMS lines drowned in them).

Celery logs three INFO lines for every task: beat's "Scheduler: Sending due
task", the worker's "Task ... received" and "Task ... succeeded". For the
sweeps those say nothing; what a sweep did is logged by the task itself
(messaging.tasks), and only when it did something. Warnings and errors about
the sweeps always pass. Loaded while logging is configured: no models here.
"""

from __future__ import annotations

import logging

ROUTINE_TASKS = frozenset(
    {
        "messaging.tasks.sweep_due_alert_work",
        "messaging.tasks.sweep_message_fallbacks",
        "network.tasks.send_shift_reminders",
    }
)
# The Celery loggers that write a line per task (config.settings LOGGING).
PER_TASK_LOGGERS = ("celery.beat", "celery.worker.strategy", "celery.app.trace")


class QuietRoutineSweeps(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            return True
        args = record.args
        if isinstance(args, dict):  # the worker's lines: {"name": task name, "id": ...}
            return args.get("name") not in ROUTINE_TASKS
        if isinstance(args, tuple):  # beat's: (entry name, task name)
            return not any(isinstance(arg, str) and arg in ROUTINE_TASKS for arg in args)
        return True
