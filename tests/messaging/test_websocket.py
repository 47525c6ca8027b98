"""The websocket endpoint, on the real Redis channel layer."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import override_settings
from django.utils import timezone

from config.asgi import application
from messaging.consumers import CLOSE_HEARTBEAT_MISSED, CLOSE_MESSAGE_TOO_BIG, CLOSE_SESSION_ENDED
from network import actions
from network.models import Device
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED_ORIGIN = b"http://localhost:8000"


def communicator(
    *, token: str | None = None, origin: bytes | None = None, query: str = ""
) -> WebsocketCommunicator:
    headers = []
    if token is not None:
        headers.append((b"authorization", f"Token {token}".encode()))
    if origin is not None:
        headers.append((b"origin", origin))
    path = "/ws/v1/" + (f"?{query}" if query else "")
    return WebsocketCommunicator(application, path, headers=headers)


async def connected(comm: WebsocketCommunicator) -> dict:
    ok, _ = await comm.connect()
    assert ok
    hello = await comm.receive_json_from(timeout=3)
    assert hello["type"] == "hello"
    return hello


async def test_it_accepts_a_device_token_and_says_hello(member):
    device, token = await sync_to_async(sign_in)(member)
    comm = communicator(token=token)
    try:
        hello = await connected(comm)
        assert hello["person"] == {"id": member.pk, "display_name": "Amara"}
        assert hello["device_id"] == device.public_id
        assert hello["heartbeat_seconds"] == 15
    finally:
        await comm.disconnect()


async def test_it_rejects_a_connection_without_credentials(db):
    comm = communicator()
    ok, _ = await comm.connect()
    assert ok is False
    await comm.disconnect()


async def test_it_rejects_a_wrong_token(member):
    comm = communicator(token="not-a-real-token")
    ok, _ = await comm.connect()
    assert ok is False
    await comm.disconnect()


async def test_it_rejects_a_foreign_origin_even_with_a_valid_token(member):
    _, token = await sync_to_async(sign_in)(member)
    comm = communicator(token=token, origin=b"https://evil.example.com")
    ok, _ = await comm.connect()
    assert ok is False
    await comm.disconnect()


async def test_a_browser_connects_once_with_a_ticket(member):
    device, _ = await sync_to_async(sign_in)(member)
    ticket, _ = await sync_to_async(actions.do_issue_websocket_ticket)(device=device)
    first = communicator(origin=ALLOWED_ORIGIN, query=f"ticket={ticket}")
    try:
        hello = await connected(first)
        assert hello["person"]["id"] == member.pk
    finally:
        await first.disconnect()
    replay = communicator(origin=ALLOWED_ORIGIN, query=f"ticket={ticket}")
    ok, _ = await replay.connect()
    assert ok is False
    await replay.disconnect()


async def test_an_expired_ticket_is_refused(member):
    device, _ = await sync_to_async(sign_in)(member)
    with override_settings(WEBSOCKET_TICKET_TTL=timedelta(seconds=-1)):
        ticket, _ = await sync_to_async(actions.do_issue_websocket_ticket)(device=device)
    comm = communicator(origin=ALLOWED_ORIGIN, query=f"ticket={ticket}")
    ok, _ = await comm.connect()
    assert ok is False
    await comm.disconnect()


async def test_a_token_in_the_url_is_not_accepted(member):
    _, token = await sync_to_async(sign_in)(member)
    comm = communicator(origin=ALLOWED_ORIGIN, query=f"token={token}")
    ok, _ = await comm.connect()
    assert ok is False
    await comm.disconnect()


async def test_an_oversized_frame_closes_with_frame_too_big(member):
    _, token = await sync_to_async(sign_in)(member)
    comm = communicator(token=token)
    try:
        await connected(comm)
        await comm.send_to(text_data=json.dumps({"type": "ping", "pad": "x" * (64 * 1024)}))
        closed = await comm.receive_output(timeout=3)
        assert closed["type"] == "websocket.close"
        assert closed["code"] == CLOSE_MESSAGE_TOO_BIG
    finally:
        await comm.disconnect()


async def test_a_frame_just_under_the_limit_is_accepted(member):
    _, token = await sync_to_async(sign_in)(member)
    comm = communicator(token=token)
    try:
        await connected(comm)
        frame = json.dumps({"type": "ping", "pad": ""})
        padding = 64 * 1024 - len(frame)
        await comm.send_to(text_data=json.dumps({"type": "ping", "pad": "x" * padding}))
        assert (await comm.receive_json_from(timeout=3))["type"] == "pong"
    finally:
        await comm.disconnect()


async def test_bad_frames_get_an_error_frame_and_the_socket_stays_usable(member):
    _, token = await sync_to_async(sign_in)(member)
    comm = communicator(token=token)
    try:
        await connected(comm)
        await comm.send_to(text_data="{not json")
        assert (await comm.receive_json_from(timeout=3))["code"] == "invalid_json"
        await comm.send_to(text_data=json.dumps([1, 2]))
        assert (await comm.receive_json_from(timeout=3))["code"] == "invalid_frame"
        await comm.send_to(text_data=json.dumps({"type": "launch_rockets", "id": "c1"}))
        error = await comm.receive_json_from(timeout=3)
        assert error == {
            "type": "error",
            "code": "unknown_type",
            "detail": "Unknown frame type 'launch_rockets'.",
            "ref": "c1",
        }
        await comm.send_to(bytes_data=b"\x00\x01")
        assert (await comm.receive_json_from(timeout=3))["code"] == "binary_not_supported"
        await comm.send_json_to({"type": "ping"})
        assert (await comm.receive_json_from(timeout=3))["type"] == "pong"
    finally:
        await comm.disconnect()


async def test_revoking_the_device_closes_its_open_socket(member):
    device, token = await sync_to_async(sign_in)(member)
    _other_device, other_token = await sync_to_async(sign_in)(member, "tablet")
    revoked, kept = communicator(token=token), communicator(token=other_token)
    try:
        await connected(revoked)
        await connected(kept)
        await sync_to_async(actions.do_revoke_device)(device=device)
        closed = await revoked.receive_output(timeout=3)
        assert closed["type"] == "websocket.close"
        assert closed["code"] == CLOSE_SESSION_ENDED
        await kept.send_json_to({"type": "ping"})
        assert (await kept.receive_json_from(timeout=3))["type"] == "pong"
    finally:
        await revoked.disconnect()
        await kept.disconnect()


@override_settings(WEBSOCKET_HEARTBEAT_SECONDS=0.2)
async def test_the_server_pings_and_drops_a_silent_client(member):
    _, token = await sync_to_async(sign_in)(member)
    comm = communicator(token=token)
    try:
        await connected(comm)
        assert (await comm.receive_json_from(timeout=2))["type"] == "ping"
        # Stay silent: after two intervals without a frame the socket is gone.
        while True:
            output = await comm.receive_output(timeout=3)
            if output["type"] == "websocket.close":
                break
        assert output["code"] == CLOSE_HEARTBEAT_MISSED
    finally:
        await comm.disconnect()


@override_settings(WEBSOCKET_HEARTBEAT_SECONDS=0.2)
async def test_a_client_that_answers_pings_stays_connected(member):
    _, token = await sync_to_async(sign_in)(member)
    comm = communicator(token=token)
    try:
        await connected(comm)
        for _ in range(5):
            frame = await comm.receive_json_from(timeout=2)
            assert frame["type"] == "ping"
            await comm.send_json_to({"type": "pong"})
    finally:
        await comm.disconnect()


@override_settings(WEBSOCKET_HEARTBEAT_SECONDS=0.2)
async def test_a_socket_closes_when_its_device_expires(member):
    device, token = await sync_to_async(sign_in)(member)
    comm = communicator(token=token)
    try:
        await connected(comm)
        await sync_to_async(Device.objects.filter(pk=device.pk).update)(expiry=timezone.now())
        await comm.send_json_to({"type": "pong"})
        while True:
            output = await comm.receive_output(timeout=3)
            if output["type"] == "websocket.close":
                break
            await comm.send_json_to({"type": "pong"})
        assert output["code"] == CLOSE_SESSION_ENDED
    finally:
        await comm.disconnect()
