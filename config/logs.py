"""Logging helpers, loaded while logging is configured (so: no models)."""

from __future__ import annotations

import logging
import re

# A calendar feed's URL is its only credential (calendar apps send no headers).
SECRET_IN_PATH = re.compile(r"(/calendar/)[^/\s\"']+(\.ics)")


def redact(text: str) -> str:
    return SECRET_IN_PATH.sub(r"\1[redacted]\2", text)


class RedactSecrets(logging.Filter):
    """On the log handlers: takes feed tokens out of every line, whoever logs
    it (Django logs each 4xx answer with its path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
