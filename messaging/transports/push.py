"""Web Push backends, chosen by ``settings.PUSH_BACKEND``.

- ``ConsolePushBackend``: development; prints.
- ``LocmemPushBackend``: tests; appends to ``outbox``.
- ``WebPushBackend``: production; Web Push with VAPID through pywebpush, needs
  VAPID_PRIVATE_KEY and VAPID_SUBJECT (a mailto: or https: URL).

The payload is only the text of DESIGN.md invariant 6 (no crisis content).
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass

from django.conf import settings

from messaging.transports import TransportError


@dataclass(frozen=True)
class Push:
    endpoint: str
    title: str
    body: str


outbox: list[Push] = []
_outbox_lock = threading.Lock()


class PushBackend:
    def send(self, *, endpoint: str, p256dh: str, auth: str, title: str, body: str) -> None:
        raise NotImplementedError


class ConsolePushBackend(PushBackend):
    def send(self, *, endpoint: str, p256dh: str, auth: str, title: str, body: str) -> None:
        sys.stdout.write(f"[push to {endpoint[:40]}...] {title}: {body}\n")
        sys.stdout.flush()


class LocmemPushBackend(PushBackend):
    def send(self, *, endpoint: str, p256dh: str, auth: str, title: str, body: str) -> None:
        with _outbox_lock:
            outbox.append(Push(endpoint=endpoint, title=title, body=body))


class WebPushBackend(PushBackend):
    def __init__(self) -> None:
        if not (settings.VAPID_PRIVATE_KEY and settings.VAPID_SUBJECT):
            raise TransportError("Web Push is not configured", permanent=True)

    def send(self, *, endpoint: str, p256dh: str, auth: str, title: str, body: str) -> None:
        from pywebpush import WebPushException, webpush

        try:
            webpush(
                subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
                data=json.dumps({"title": title, "body": body}),
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=600,
                timeout=10,
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            # 404/410: the subscription is gone for good.
            raise TransportError(str(exc), permanent=status in (404, 410)) from exc
