"""Web Push backends, chosen by ``settings.PUSH_BACKEND``.

- ``ConsolePushBackend``: development; prints.
- ``LocmemPushBackend``: tests; appends to ``outbox``.
- ``WebPushBackend``: production; Web Push with VAPID through pywebpush, needs
  VAPID_PRIVATE_KEY and VAPID_SUBJECT (a mailto: or https: URL).

The payload is JSON ``{"title", "body", "url"}``: the text of DESIGN.md
invariant 6 and where the app opens (``/#/alerts/<id>``), never crisis content.

VAPID_PRIVATE_KEY is one P-256 private key in any form py_vapid reads: the
path of a PEM or DER file (what ``make run`` generates into var/), PEM text, or
base64url DER or raw (32 bytes). The public key the browser subscribes with
is derived from it unless VAPID_PUBLIC_KEY is set, so one secret is enough.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from foundation.transports import Backend, TransportError

# How long a push service keeps a push for a phone that is off (seconds).
PUSH_TTL_SECONDS = 600


@dataclass(frozen=True)
class Push:
    endpoint: str
    title: str
    body: str
    url: str = "/"


outbox: list[Push] = []
_outbox_lock = threading.Lock()


def push_payload(*, title: str, body: str, url: str) -> str:
    """What the service worker (app/sw-push.js) receives, decrypted."""
    return json.dumps({"title": title, "body": body, "url": url})


class PushBackend(Backend):
    def notify(self, *, endpoint: str, p256dh: str, auth: str, title: str, body: str, url: str = "/") -> None:
        raise NotImplementedError


class ConsolePushBackend(PushBackend):
    reaches_people = False

    def notify(self, *, endpoint: str, p256dh: str, auth: str, title: str, body: str, url: str = "/") -> None:
        sys.stdout.write(f"[push to {endpoint[:40]}...] {title}: {body} ({url})\n")
        sys.stdout.flush()


class LocmemPushBackend(PushBackend):
    reaches_people = False

    def notify(self, *, endpoint: str, p256dh: str, auth: str, title: str, body: str, url: str = "/") -> None:
        with _outbox_lock:
            outbox.append(Push(endpoint=endpoint, title=title, body=body, url=url))


class WebPushBackend(PushBackend):
    required_settings = ("VAPID_PRIVATE_KEY", "VAPID_SUBJECT")

    def notify(self, *, endpoint: str, p256dh: str, auth: str, title: str, body: str, url: str = "/") -> None:
        import requests
        from py_vapid import VapidException
        from pywebpush import WebPushException, webpush

        key = settings.VAPID_PRIVATE_KEY
        try:
            # pywebpush reads a key file or base64url text itself, but not PEM text.
            vapid = load_vapid(key) if "-----BEGIN" in key else key
        except (ValueError, VapidException) as exc:
            raise TransportError(f"VAPID_PRIVATE_KEY cannot be read: {exc}", permanent=True) from exc
        try:
            webpush(
                subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
                data=push_payload(title=title, body=body, url=url),
                vapid_private_key=vapid,
                # A fresh dict each time: pywebpush writes aud and exp into it.
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=PUSH_TTL_SECONDS,
                timeout=10,
            )
        except VapidException as exc:
            raise TransportError(f"VAPID_PRIVATE_KEY cannot be read: {exc}", permanent=True) from exc
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


# --- VAPID keys -------------------------------------------------------------------------


def load_vapid(value: str) -> Any:
    """A py_vapid ``Vapid`` for VAPID_PRIVATE_KEY (a file path, PEM text, or
    base64url DER or raw). Raises ValueError (or VapidException) when it is none."""
    return _load_vapid(value.strip())


@lru_cache(maxsize=4)
def _load_vapid(value: str) -> Any:
    from py_vapid import Vapid

    if not value:
        raise ValueError("no VAPID private key")
    if "-----BEGIN" in value:
        return Vapid.from_pem(value.encode())
    if os.path.isfile(value):
        # from_file reads PEM or DER; it would generate a key for a missing file.
        return Vapid.from_file(private_key_file=value)
    try:
        return Vapid.from_string(private_key=value)
    except Exception as exc:  # binascii.Error, cryptography's ValueError...
        raise ValueError(f"not a file, PEM or base64url P-256 key ({type(exc).__name__})") from None


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def vapid_public_key() -> str | None:
    """The applicationServerKey browsers subscribe with: base64url of the
    uncompressed P-256 point (65 bytes, starting 0x04). None when push is not
    configured (no VAPID_PRIVATE_KEY)."""
    if not settings.VAPID_PRIVATE_KEY:
        return None
    if settings.VAPID_PUBLIC_KEY:
        return str(settings.VAPID_PUBLIC_KEY)
    from cryptography.hazmat.primitives import serialization

    point = load_vapid(settings.VAPID_PRIVATE_KEY).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def ensure_vapid_key_file(path: Path) -> Path:
    """Development: a P-256 private key in ``path`` (PEM), generated the first
    time. Safe when web, worker and beat start at once: the key is written to
    a temporary file and linked into place, so whoever links first wins and
    nobody reads half a key."""
    if path.exists():
        return path
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path
