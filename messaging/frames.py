"""Frames sent to clients over the websocket (documented in docs/asyncapi.yaml).

One function per frame type, so every frame of a type has one shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

PROTOCOL_VERSION = 1


def hello(
    *,
    person_id: int,
    display_name: str,
    device_id: str,
    heartbeat_seconds: float,
    last_seq: int,
    now: datetime,
) -> dict[str, Any]:
    return {
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "person": {"id": person_id, "display_name": display_name},
        "device_id": device_id,
        "heartbeat_seconds": heartbeat_seconds,
        "last_seq": last_seq,
        "server_time": now.isoformat(),
    }


def resync_required(*, last_seq: int) -> dict[str, Any]:
    """The client's cursor cannot be resumed (events it missed were purged, or
    the cursor is unknown): reload state over REST, then continue from last_seq."""
    return {"type": "resync_required", "last_seq": last_seq}


def acked(*, seq: int) -> dict[str, Any]:
    return {"type": "acked", "seq": seq}


def alert_raised(*, ref: str, alert_id: str, created: bool) -> dict[str, Any]:
    """The answer to alert.raise: a retry with the same id gets the same alert."""
    return {"type": "alert.raised", "ref": ref, "alert_id": alert_id, "created": created}


def reply(*, ref: Any, action: str, alert_id: str) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "reply", "action": action, "alert_id": alert_id}
    if ref is not None:
        frame["ref"] = ref
    return frame


def ping(*, now: datetime) -> dict[str, Any]:
    return {"type": "ping", "server_time": now.isoformat()}


def pong(*, now: datetime) -> dict[str, Any]:
    return {"type": "pong", "server_time": now.isoformat()}


def error(*, code: str, detail: str, ref: Any = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "detail": detail}
    if ref is not None:
        frame["ref"] = ref
    return frame


def message_sent(
    *, ref: str, conversation_id: str, message_id: str, order: int, created: bool
) -> dict[str, Any]:
    """The answer to message.send: a retry with the same id gets the same message."""
    return {
        "type": "message.sent",
        "ref": ref,
        "conversation_id": conversation_id,
        "message_id": message_id,
        "order": order,
        "created": created,
    }


def receipts(*, ref: Any, conversation_id: str, delivered_through: int, read_through: int) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "type": "receipts",
        "conversation_id": conversation_id,
        "delivered_through": delivered_through,
        "read_through": read_through,
    }
    if ref is not None:
        frame["ref"] = ref
    return frame


def typing(*, conversation_id: str, person_id: int, display_name: str, state: str) -> dict[str, Any]:
    return {
        "type": "typing",
        "conversation_id": conversation_id,
        "person": {"id": person_id, "display_name": display_name},
        "state": state,
    }


def presence(*, person_id: int, online: bool, on_call: bool) -> dict[str, Any]:
    return {"type": "presence", "person_id": person_id, "online": online, "on_call": on_call}


# JSON Schemas of every frame, used to generate docs/asyncapi.yaml and by the
# schema tests. Event frames are built from messaging.event_types.
_TIME = {"type": "string", "format": "date-time"}
_REF = {"description": "the 'id' of the client frame this answers, if it had one"}


def _receipt() -> dict[str, Any]:
    """A receipt's fields, the same in the client's frame and the one relayed
    (fresh dicts each time, so the AsyncAPI file spells both out)."""
    return {
        "conversation_id": {"type": "string", "format": "uuid"},
        "delivered_through": {"type": "integer", "minimum": 0},
        "read_through": {"type": "integer", "minimum": 0},
    }


def _frame(type_name: str, properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    props = {"type": {"const": type_name}, **properties}
    return {
        "type": "object",
        "properties": props,
        "required": [key for key in props if key not in optional],
        "additionalProperties": False,
    }


SERVER_FRAME_SCHEMAS: dict[str, dict[str, Any]] = {
    "hello": _frame(
        "hello",
        {
            "protocol": {"const": PROTOCOL_VERSION},
            "person": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "display_name": {"type": "string"}},
                "required": ["id", "display_name"],
                "additionalProperties": False,
            },
            "device_id": {"type": "string"},
            "heartbeat_seconds": {"type": "number"},
            "last_seq": {"type": "integer", "minimum": 0},
            "server_time": _TIME,
        },
    ),
    "ping": _frame("ping", {"server_time": _TIME}),
    "pong": _frame("pong", {"server_time": _TIME}),
    "acked": _frame("acked", {"seq": {"type": "integer", "minimum": 0}}),
    "resync_required": _frame("resync_required", {"last_seq": {"type": "integer", "minimum": 0}}),
    "error": _frame(
        "error", {"code": {"type": "string"}, "detail": {"type": "string"}, "ref": _REF}, optional=("ref",)
    ),
    "alert.raised": _frame(
        "alert.raised",
        {
            "ref": {"type": "string"},
            "alert_id": {"type": "string", "format": "uuid"},
            "created": {"type": "boolean"},
        },
    ),
    "reply": _frame(
        "reply",
        {"action": {"type": "string"}, "alert_id": {"type": "string", "format": "uuid"}, "ref": _REF},
        optional=("ref",),
    ),
    "message.sent": _frame(
        "message.sent",
        {
            "ref": {"type": "string"},
            "conversation_id": {"type": "string", "format": "uuid"},
            "message_id": {"type": "string", "format": "uuid"},
            "order": {"type": "integer", "minimum": 1},
            "created": {"type": "boolean", "description": "false: a retry, answered with the first message"},
        },
    ),
    "receipts": _frame(
        "receipts",
        {**_receipt(), "ref": _REF},
        optional=("ref",),
    ),
    "typing": {
        **_frame(
            "typing",
            {
                "conversation_id": {"type": "string", "format": "uuid"},
                "person": {
                    "type": "object",
                    "properties": {"id": {"type": "integer"}, "display_name": {"type": "string"}},
                    "required": ["id", "display_name"],
                    "additionalProperties": False,
                },
                "state": {"enum": ["start", "stop"]},
            },
        ),
        "description": "Ephemeral: relayed over the channel layer, never stored, not resent on reconnect.",
    },
    "presence": {
        **_frame(
            "presence",
            {"person_id": {"type": "integer"}, "online": {"type": "boolean"}, "on_call": {"type": "boolean"}},
        ),
        "description": "One per person asked in presence.query (people who share no network with you "
        "are left out). Ephemeral: online means one of their sockets answered just now; never stored.",
    },
}

_LOCATION = {
    "type": ["object", "null"],
    "properties": {
        "latitude": {"type": "number"},
        "longitude": {"type": "number"},
        "accuracy_m": {"type": "number"},
    },
}
_ALERT_REF = {"alert_id": {"type": "string", "format": "uuid"}, "id": _REF}

CLIENT_FRAME_SCHEMAS: dict[str, dict[str, Any]] = {
    "alert.raise": _frame(
        "alert.raise",
        {
            "id": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "description": "client-made; retries reuse it",
            },
            "network_id": {"type": "integer"},
            "all_networks": {"type": "boolean"},
            "message": {"type": "string", "maxLength": 500},
            "urgency": {"enum": ["struggling", "urgent", "very_urgent"]},
            "location": _LOCATION,
        },
        optional=("network_id", "all_networks", "message", "urgency", "location"),
    ),
    "alert.accept": _frame("alert.accept", _ALERT_REF, optional=("id",)),
    "alert.decline": _frame(
        "alert.decline",
        {**_ALERT_REF, "reason": {"type": "string", "maxLength": 280}},
        optional=("id", "reason"),
    ),
    "alert.cancel": _frame("alert.cancel", _ALERT_REF, optional=("id",)),
    "message.send": _frame(
        "message.send",
        {
            "id": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "description": "client-made; retries reuse it",
            },
            "conversation_id": {"type": "string", "format": "uuid"},
            "text": {"type": "string", "minLength": 1},
        },
    ),
    "message.receipt": _frame(
        "message.receipt",
        {**_receipt(), "id": _REF},
        optional=("delivered_through", "read_through", "id"),
    ),
    "typing": _frame(
        "typing",
        {"conversation_id": {"type": "string", "format": "uuid"}, "state": {"enum": ["start", "stop"]}},
    ),
    "presence.query": _frame(
        "presence.query",
        {
            "person_ids": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 50},
            "id": _REF,
        },
        optional=("id",),
    ),
    "ping": _frame("ping", {"id": _REF}, optional=("id",)),
    "pong": _frame("pong", {"id": _REF}, optional=("id",)),
    "ack": _frame("ack", {"seq": {"type": "integer", "minimum": 0}, "id": _REF}, optional=("id",)),
}


def event_frame_schema(type_name: str, data_schema: dict[str, Any]) -> dict[str, Any]:
    return _frame(
        type_name,
        {
            "seq": {"type": "integer", "minimum": 1, "description": "per-person, increasing, gap-free"},
            "event_id": {"type": "string", "format": "uuid", "description": "drop duplicates by this"},
            "at": _TIME,
            "data": data_schema,
        },
    )
