"""Websocket handshake: Origin check and authentication.

Native apps send ``Authorization: Token <token>`` and usually no Origin.
Browsers cannot set headers on a websocket, so they first get a single-use
ticket over REST and connect with ``?ticket=...``; a long-lived token never
appears in a URL (URLs end up in logs). Browsers always send Origin, which
must then be one of ``WEBSOCKET_ALLOWED_ORIGINS``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from network.actions import do_redeem_websocket_ticket
from network.auth import authenticate_token


class WebsocketOriginValidator(OriginValidator):
    """Browsers may open the socket from the service's own origin (the web app
    at /, whatever host and port it is served on) or from an origin listed in
    WEBSOCKET_ALLOWED_ORIGINS; any other page is refused (403), so another
    site cannot open a socket with a visitor's credentials."""

    def __init__(self, application: Any) -> None:
        super().__init__(application, settings.WEBSOCKET_ALLOWED_ORIGINS)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if _same_origin(scope):
            return await self.application(scope, receive, send)
        return await super().__call__(scope, receive, send)

    def valid_origin(self, parsed_origin: Any) -> bool:
        # No Origin: not a browser, so no cross-site risk; the token still decides.
        if parsed_origin is None:
            return True
        return self.validate_origin(parsed_origin)


def _same_origin(scope: dict[str, Any]) -> bool:
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    if not origin or not host:
        return False
    parsed = urlsplit(origin)
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    return parsed.scheme == scheme and parsed.netloc.lower() == host.lower()


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
