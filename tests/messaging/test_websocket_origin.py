"""Which pages may open the websocket, through a real daphne: the service's
own origin (the web app at /, on whatever host and port it is served), the
origins listed in WEBSOCKET_ALLOWED_ORIGINS, and native apps (no Origin);
never another site's page."""

from __future__ import annotations

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.messaging.served import receive, served


def open_with(port: int, token: str, origin: str | None):
    return connect(
        f"ws://127.0.0.1:{port}/ws/v1/",
        additional_headers={"Authorization": f"Token {token}"},
        origin=origin,
        open_timeout=10,
    )


def test_the_app_on_the_services_own_origin_may_open_it_and_another_site_may_not():
    with served(WEBSOCKET_ALLOWED_ORIGINS="https://app.example") as server:
        token = server.seed["member_token"]
        for origin in (f"http://127.0.0.1:{server.port}", None):
            with open_with(server.port, token, origin) as ws:
                assert receive(ws)["type"] == "hello"
        for origin in (
            "http://evil.example",
            f"http://127.0.0.1:{server.port + 1}",
            f"https://127.0.0.1:{server.port}",
        ):
            with pytest.raises(InvalidStatus) as refused:
                open_with(server.port, token, origin)
            assert refused.value.response.status_code == 403
        # A listed origin still may (a web app served from elsewhere).
        with open_with(server.port, token, "https://app.example") as ws:
            assert receive(ws)["type"] == "hello"
