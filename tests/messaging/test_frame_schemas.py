"""Every frame on /ws/v1/ matches its schema in docs/asyncapi.yaml, and that
file is what the code generates."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.management import call_command
from django.test import override_settings

from config.asgi import application
from messaging.asyncapi import client_schema, server_schema
from messaging.event_types import EVENT_TYPES
from messaging.frames import CLIENT_FRAME_SCHEMAS, SERVER_FRAME_SCHEMAS
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DOCUMENT = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml").read_text())


def check(name: str, frame: dict) -> None:
    assert frame["type"] == name
    jsonschema.validate(frame, server_schema(DOCUMENT, name))


def test_the_committed_asyncapi_file_is_current():
    call_command("write_asyncapi", "--check")


def test_every_frame_and_event_type_is_documented():
    documented = {m["name"] for m in DOCUMENT["components"]["messages"].values()}
    assert set(SERVER_FRAME_SCHEMAS) | set(EVENT_TYPES) | set(CLIENT_FRAME_SCHEMAS) <= documented


async def open_socket(person, query: str = "") -> WebsocketCommunicator:
    _, token = await sync_to_async(sign_in)(person)
    comm = WebsocketCommunicator(
        application, "/ws/v1/" + query, headers=[(b"authorization", f"Token {token}".encode())]
    )
    ok, _ = await comm.connect()
    assert ok
    return comm


async def test_hello_pong_and_error_frames(member):
    comm = await open_socket(member)
    try:
        check("hello", await comm.receive_json_from(timeout=3))
        ping = {"type": "ping", "id": "p1"}
        jsonschema.validate(ping, client_schema(DOCUMENT, "ping"))
        await comm.send_json_to(ping)
        check("pong", await comm.receive_json_from(timeout=3))
        await comm.send_json_to({"type": "nope", "id": 5})
        check("error", await comm.receive_json_from(timeout=3))
    finally:
        await comm.disconnect()


@override_settings(WEBSOCKET_HEARTBEAT_SECONDS=0.2)
async def test_ping_frame(member):
    comm = await open_socket(member)
    try:
        await comm.receive_json_from(timeout=3)
        check("ping", await comm.receive_json_from(timeout=3))
        pong = {"type": "pong"}
        jsonschema.validate(pong, client_schema(DOCUMENT, "pong"))
    finally:
        await comm.disconnect()


def emit_membership_event(person_id: int) -> None:
    """The real action: asking to join a network announces it to the asker."""
    from network.actions import do_request_to_join
    from network.models import Person
    from tests.factories import NetworkFactory

    do_request_to_join(person=Person.objects.get(pk=person_id), network=NetworkFactory())


async def test_event_ack_and_resync_frames(member):
    await sync_to_async(emit_membership_event)(member.pk)
    comm = await open_socket(member, "?after=0")
    try:
        await comm.receive_json_from(timeout=3)
        check("membership.changed", await comm.receive_json_from(timeout=3))
        ack = {"type": "ack", "seq": 1}
        jsonschema.validate(ack, client_schema(DOCUMENT, "ack"))
        await comm.send_json_to(ack)
        check("acked", await comm.receive_json_from(timeout=3))
    finally:
        await comm.disconnect()
    stale = await open_socket(member, "?after=7")
    try:
        await stale.receive_json_from(timeout=3)
        check("resync_required", await stale.receive_json_from(timeout=3))
    finally:
        await stale.disconnect()
