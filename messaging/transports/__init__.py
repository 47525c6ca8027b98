"""Notification transports: one small contract for SMS, push and email.

Modelled on healthchecks.io's ``hc/api/transports.py``. A transport's
``notify()`` either returns (delivered to the provider) or raises
``TransportError``; ``permanent=True`` means retrying cannot help (a bad
number, a revoked push subscription), otherwise the caller may retry.
Tests use the locmem backends, which keep an outbox and never touch a network.
"""

from __future__ import annotations


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
