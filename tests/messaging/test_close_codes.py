"""Every close code, as a client of a real daphne receives it (autobahn refuses
1009 and 1012 from an application: the client got 1011 or no close frame)."""

from __future__ import annotations

import json
import sqlite3

from messaging import asyncapi, consumers
from messaging.consumers import (
    CLOSE_HEARTBEAT_MISSED,
    CLOSE_MESSAGE_TOO_BIG,
    CLOSE_SERVICE_RESTART,
    CLOSE_SESSION_ENDED,
)
from tests.messaging.served import close_of, receive, receive_type, served
from tests.messaging.test_faults import private_redis


def test_every_close_code_is_one_an_application_can_send():
    codes = {
        name: value
        for name, value in vars(consumers).items()
        if name.startswith("CLOSE_") and name != "CLOSE_CODES"
    }
    assert codes
    assert all(4000 <= code <= 4999 for code in codes.values()), codes


def test_every_close_code_is_documented_in_the_asyncapi_file():
    codes = {
        value
        for name, value in vars(consumers).items()
        if name.startswith("CLOSE_") and name != "CLOSE_CODES"
    }
    documented = asyncapi.build()["channels"]["realtime"]["x-close-codes"]
    assert set(documented) == codes
    description = asyncapi.build()["info"]["description"]
    assert all(f"- {code}: " in description for code in codes)


def test_an_oversized_frame_closes_with_a_code_the_client_receives():
    with served() as server:
        ws = server.socket(server.seed["member_token"])
        ws.send(json.dumps({"type": "ping", "pad": "x" * (64 * 1024)}))
        assert close_of(ws) == (CLOSE_MESSAGE_TOO_BIG, "")


def test_a_silent_client_is_closed_with_heartbeat_missed():
    with served(WEBSOCKET_HEARTBEAT_SECONDS="0.3") as server:
        ws = server.socket(server.seed["member_token"])
        assert close_of(ws) == (CLOSE_HEARTBEAT_MISSED, "")


def test_an_expired_device_is_closed_with_session_ended():
    with served(WEBSOCKET_HEARTBEAT_SECONDS="0.3") as server:
        ws = server.socket(server.seed["member_token"])
        with sqlite3.connect(server.database) as db:
            db.execute("UPDATE network_device SET expiry = '2000-01-01 00:00:00'")
        assert close_of(ws, answer_pings=True) == (CLOSE_SESSION_ENDED, "")


def test_losing_the_channel_layer_closes_with_service_restart():
    with private_redis() as (url, _redis_up, redis_down), served(REDIS_URL=url) as server:
        ws = server.socket(server.seed["bea_token"])
        redis_down()
        ws.send(
            json.dumps(
                {"type": "typing", "conversation_id": server.seed["conversation_id"], "state": "start"}
            )
        )
        assert close_of(ws, timeout=30) == (CLOSE_SERVICE_RESTART, "")


def test_a_deeply_nested_frame_gets_an_error_frame_and_the_socket_stays():
    with served() as server:
        ws = server.socket(server.seed["member_token"])
        ws.send("[" * 30_000 + "]" * 30_000)
        error = receive(ws)
        assert (error["type"], error["code"]) == ("error", "invalid_json")
        ws.send(json.dumps({"type": "ping"}))
        assert receive_type(ws, "pong")["type"] == "pong"
        ws.close()
