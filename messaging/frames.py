"""Frames sent to clients over the websocket (documented in docs/asyncapi.yaml).

One function per frame type, so every frame of a type has one shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

PROTOCOL_VERSION = 1


def hello(
    *, person_id: int, display_name: str, device_id: str, heartbeat_seconds: float, now: datetime
) -> dict[str, Any]:
    return {
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "person": {"id": person_id, "display_name": display_name},
        "device_id": device_id,
        "heartbeat_seconds": heartbeat_seconds,
        "server_time": now.isoformat(),
    }


def ping(*, now: datetime) -> dict[str, Any]:
    return {"type": "ping", "server_time": now.isoformat()}


def pong(*, now: datetime) -> dict[str, Any]:
    return {"type": "pong", "server_time": now.isoformat()}


def error(*, code: str, detail: str, ref: Any = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "detail": detail}
    if ref is not None:
        frame["ref"] = ref
    return frame
