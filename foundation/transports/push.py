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

from foundation.transports import Backend, TransportError


@dataclass(frozen=True)
class Push:
    endpoint: str
    title: str
    body: str


outbox: list[Push] = []
_outbox_lock = threading.Lock()


class PushBackend(Backend):
    def notify(self, *, endpoint: str, p256dh: str, auth: str, title: str, body: str) -> None:
        raise NotImplementedError


class ConsolePushBackend(PushBackend):
    reaches_people = False

    def notify(self, *, endpoint: str, p256dh: str, auth: str, title: str, body: str) -> None:
        sys.stdout.write(f"[push to {endpoint[:40]}...] {title}: {body}\n")
        sys.stdout.flush()


class LocmemPushBackend(PushBackend):
    reaches_people = False

    def notify(self, *, endpoint: str, p256dh: str, auth: str, title: str, body: str) -> None:
        with _outbox_lock:
            outbox.append(Push(endpoint=endpoint, title=title, body=body))


class WebPushBackend(PushBackend):
    required_settings = ("VAPID_PRIVATE_KEY", "VAPID_SUBJECT")

    def notify(self, *, endpoint: str, p256dh: str, auth: str, title: str, body: str) -> None:
        import requests
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
        except requests.RequestException as exc:
            # The push service is unreachable or slow: it may answer later.
            raise TransportError(f"push service unreachable: {exc}") from exc
        except ValueError as exc:
            # The subscription's keys cannot encrypt a message: it never will.
            raise TransportError(f"push subscription unusable: {exc}", permanent=True) from exc
