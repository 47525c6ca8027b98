"""Build the AsyncAPI 3 document for /ws/v1/ from the frame and event registries."""

from __future__ import annotations

from typing import Any

from messaging.consumers import CLOSE_CODES
from messaging.event_types import EVENT_TYPES
from messaging.frames import CLIENT_FRAME_SCHEMAS, SERVER_FRAME_SCHEMAS, event_frame_schema
from messaging.ws_limits import SOCKETS_PER_DEVICE

DESCRIPTION = """\
The realtime channel. Connect to /ws/v1/ with `Authorization: Token <token>`
(native apps) or `?ticket=<single-use ticket>` from POST /api/v1/auth/ws-ticket/
(browsers; Origin must be allowed). Add `after=<last seq you have>` to resume:
the server sends every stored event newer than that, in order, then live ones.
Without `after` you get live events from now. A cursor that cannot be resumed
gets `resync_required`: reload over REST and continue from its `last_seq`.

Every frame is a JSON text frame with a `type`, at most 64 KiB (larger closes
with 4009). The server pings every `heartbeat_seconds`; a client silent for two
intervals is disconnected (4408). A revoked or expired device is closed with
4401. Event frames carry `seq` (per person, gap-free) and `event_id` (drop
duplicates by it); ack what you have with `{{"type": "ack", "seq": N}}`.

A frame the server could not carry out (the database busy, a fault on our
side) is answered with an `error` frame (`busy`, `server_error`) carrying your
frame's `id` as `ref`; nothing changed, the socket stays open, send it again.

Limits (a person in crisis is never refused: alert frames and acks are never
limited). Typing: two frames at once per conversation, then one every 2 s;
the rest are dropped without an answer, so a receiver should expire a
`start` it has not heard again within about 5 s. Presence queries: five at
once, then one every 2 s; the rest get an `error` frame `rate_limited`. Each
device may hold {sockets_per_device} sockets open; the next is closed with 4429.

Close codes (the server sends only 1000 and these; anything else, such as
1006 or 1011, came from the network or a crash: reconnect with your cursor):
{close_codes}
"""


def build() -> dict[str, Any]:
    server = dict(SERVER_FRAME_SCHEMAS)
    for name, event_type in sorted(EVENT_TYPES.items()):
        server[name] = event_frame_schema(name, event_type.data_schema)
    summaries = {name: event_type.summary for name, event_type in EVENT_TYPES.items()}

    def key(direction: str, name: str) -> str:
        return f"{direction}_{name.replace('.', '_')}"

    messages: dict[str, Any] = {}
    for name, schema in sorted(server.items()):
        messages[key("server", name)] = {
            "name": name,
            "title": f"server -> client: {name}",
            "summary": summaries.get(name, f"The server's {name} frame."),
            "payload": schema,
        }
    for name, schema in sorted(CLIENT_FRAME_SCHEMAS.items()):
        messages[key("client", name)] = {
            "name": name,
            "title": f"client -> server: {name}",
            "summary": f"The client's {name} frame.",
            "payload": schema,
        }
    channel_messages = {msg_key: {"$ref": f"#/components/messages/{msg_key}"} for msg_key in messages}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Peer-support crisis network realtime protocol",
            "version": "1.0.0",
            "description": DESCRIPTION.format(
                sockets_per_device=SOCKETS_PER_DEVICE,
                close_codes="\n".join(
                    f"- {code}: {meaning}" for code, meaning in sorted(CLOSE_CODES.items())
                ),
            ),
        },
        "servers": {
            "local": {"host": "127.0.0.1:8000", "protocol": "ws", "description": "make run"},
        },
        "channels": {
            "realtime": {
                "address": "/ws/v1/",
                "messages": channel_messages,
                "x-close-codes": {code: meaning for code, meaning in sorted(CLOSE_CODES.items())},
            },
        },
        "operations": {
            "receiveFromServer": {
                "action": "receive",
                "channel": {"$ref": "#/channels/realtime"},
                "messages": [
                    {"$ref": f"#/channels/realtime/messages/{k}"} for k in messages if k.startswith("server_")
                ],
            },
            "sendToServer": {
                "action": "send",
                "channel": {"$ref": "#/channels/realtime"},
                "messages": [
                    {"$ref": f"#/channels/realtime/messages/{k}"} for k in messages if k.startswith("client_")
                ],
            },
        },
        "components": {"messages": messages},
    }


def server_schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    return document["components"]["messages"][f"server_{name.replace('.', '_')}"]["payload"]


def client_schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    return document["components"]["messages"][f"client_{name.replace('.', '_')}"]["payload"]
