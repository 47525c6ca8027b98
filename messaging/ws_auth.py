"""Websocket handshake: Origin check and authentication.

Native apps send ``Authorization: Token <token>`` and usually no Origin.
Browsers cannot set headers on a websocket, so they first get a single-use
ticket over REST and connect with ``?ticket=...``; a long-lived token never
appears in a URL (URLs end up in logs). Browsers always send Origin, which
must then be one of ``WEBSOCKET_ALLOWED_ORIGINS``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from network.actions import do_redeem_websocket_ticket
from network.auth import authenticate_token


class WebsocketOriginValidator(OriginValidator):
    def __init__(self, application: Any) -> None:
        super().__init__(application, settings.WEBSOCKET_ALLOWED_ORIGINS)

    def valid_origin(self, parsed_origin: Any) -> bool:
        # No Origin: not a browser, so no cross-site risk; the token still decides.
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


@database_sync_to_async
def _authenticate(scope: dict[str, Any]) -> tuple[Any, Any]:
    authorization = _header(scope, b"authorization")
    if authorization:
        parts = authorization.split()
        if len(parts) == 2 and parts[0].lower() == "token":
            found = authenticate_token(parts[1])
            if found is not None:
                return found
        return AnonymousUser(), None
    tickets = parse_qs(scope.get("query_string", b"").decode("latin1")).get("ticket")
    if tickets and len(tickets) == 1:
        device = do_redeem_websocket_ticket(ticket=tickets[0])
        if device is not None:
            return device.user, device
    return AnonymousUser(), None


class WebsocketAuthMiddleware:
    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        user, device = await _authenticate(scope)
        scope = {**scope, "user": user, "device": device}
        return await self.application(scope, receive, send)
