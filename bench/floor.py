"""The framework's floor: a Channels consumer that only joins a group and
does group_send, served by daphne on the same channel layer as the service.

    daphne bench.floor:application

Protocol (shared with bench.ws_server): connect to ``/?group=<name>``, get a
hello frame; a ``{"type": "fire", "group": g, "k": key}`` frame sends
``{"type": "bench", "k": key}`` to every socket in group ``g``.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import parse_qs

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402


class FloorConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.group = query.get("group", ["all"])[0]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(text_data='{"type":"hello"}')

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame = json.loads(text_data or "{}")
        if frame.get("type") == "fire":
            await self.channel_layer.group_send(frame["group"], {"type": "bench.message", "k": frame["k"]})

    async def bench_message(self, message: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps({"type": "bench", "k": message["k"]}))


application = ProtocolTypeRouter({"websocket": FloorConsumer.as_asgi()})
