"""End to end on the real Redis channel layer: a member raises an alert over
the websocket, two on-call peers receive it, one takes it, the other is told,
the taker reads the consented crisis sections, and they resolve it."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from crisisplans import actions as plan_actions
from crisisplans.models import Audience, Plan
from messaging.models import Alert, Offer
from tests.conftest import client_for, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(person) -> WebsocketCommunicator:
    _, token = await sync_to_async(sign_in)(person)
    comm = WebsocketCommunicator(
        application, "/ws/v1/", headers=[(b"authorization", f"Token {token}".encode())]
    )
    ok, _ = await comm.connect()
    assert ok
    assert (await comm.receive_json_from(timeout=3))["type"] == "hello"
    return comm


async def next_of(comm: WebsocketCommunicator, type_: str, timeout: float = 5) -> dict:
    """The next frame of this type (other frames, such as acks, are skipped)."""
    while True:
        frame = await comm.receive_json_from(timeout=timeout)
        if frame["type"] == type_:
            return frame


async def test_raise_offer_take_read_and_resolve(crisis):
    plan = await sync_to_async(Plan.objects.get)(owner=crisis.member)
    await sync_to_async(plan_actions.do_set_consent)(
        owner=crisis.member,
        plan=plan,
        audience=Audience.ALERT_PEER,
        sections=["on_call_steps", "practical_needs"],
    )
    bea, cleo = crisis.peers[:2]
    member_ws, bea_ws, cleo_ws = await connect(crisis.member), await connect(bea), await connect(cleo)
    try:
        await member_ws.send_json_to({"type": "alert.raise", "id": "c-1", "message": "I can't stop shaking"})
        raised = await next_of(member_ws, "alert.raised")
        assert raised["created"] is True
        alert_id = raised["alert_id"]
        status = (await next_of(member_ws, "alert.status"))["data"]
        assert (status["stage"], status["offered_count"]) == ("offered", 3)

        for ws in (bea_ws, cleo_ws):
            offered = (await next_of(ws, "alert.offered"))["data"]
            assert offered["alert_id"] == alert_id
            assert "shaking" not in str(offered)

        await bea_ws.send_json_to({"type": "alert.accept", "alert_id": alert_id, "id": "a-1"})
        assert (await next_of(bea_ws, "reply"))["ref"] == "a-1"
        assert (await next_of(cleo_ws, "alert.withdrawn"))["data"] == {
            "alert_id": alert_id,
            "reason": "taken",
        }
        taken = (await next_of(member_ws, "alert.status"))["data"]
        assert taken["taken_by"] == {"id": bea.pk, "display_name": "Bea"}

        bea_api = await sync_to_async(client_for)(bea)
        reading = await sync_to_async(bea_api.get)(f"/api/v1/plans/{plan.pk}/")
        assert reading.status_code == 200
        assert set(reading.json()["sections"]) == {"on_call_steps", "practical_needs"}
        cleo_api = await sync_to_async(client_for)(cleo)
        assert (await sync_to_async(cleo_api.get)(f"/api/v1/plans/{plan.pk}/")).status_code == 404

        resolved = await sync_to_async(bea_api.post)(
            f"/api/v1/alerts/{alert_id}/resolve/",
            {"debrief": {"how_it_went": "talked for an hour", "emergency_services": "avoided"}},
            format="json",
        )
        assert resolved.status_code == 200
        final = (await next_of(member_ws, "alert.status"))["data"]
        assert (final["state"], final["stage"]) == ("resolved", "resolved")
    finally:
        for ws in (member_ws, bea_ws, cleo_ws):
            await ws.disconnect()


async def test_a_retried_raise_frame_returns_the_same_alert(crisis):
    ws = await connect(crisis.member)
    try:
        frame = {"type": "alert.raise", "id": "retry-me", "urgency": "very_urgent"}
        await ws.send_json_to(frame)
        first = await next_of(ws, "alert.raised")
        await ws.send_json_to(frame)
        second = await next_of(ws, "alert.raised")
        assert (second["alert_id"], second["created"]) == (first["alert_id"], False)
        assert await sync_to_async(Alert.objects.count)() == 1
    finally:
        await ws.disconnect()


async def test_raising_again_over_the_socket_with_a_new_id_returns_the_open_alert(crisis):
    ws = await connect(crisis.member)
    try:
        await ws.send_json_to({"type": "alert.raise", "id": "first", "message": "help"})
        first = await next_of(ws, "alert.raised")
        offers = await sync_to_async(Offer.objects.count)()
        await ws.send_json_to({"type": "alert.raise", "id": "second", "urgency": "very_urgent"})
        second = await next_of(ws, "alert.raised")
        assert (second["alert_id"], second["created"]) == (first["alert_id"], False)
        assert await sync_to_async(Alert.objects.count)() == 1
        assert await sync_to_async(Offer.objects.count)() == offers
    finally:
        await ws.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "alert.raise"}, "missing_id"),
        ({"type": "alert.raise", "id": "x", "urgency": "apocalyptic"}, "validation_error"),
        ({"type": "alert.raise", "id": "x", "network_id": 999999}, "not_found"),
        ({"type": "alert.accept"}, "invalid_frame"),
        (
            {"type": "alert.accept", "alert_id": "00000000-0000-0000-0000-000000000000", "id": "r"},
            "not_found",
        ),
    ],
)
async def test_bad_alert_frames_get_an_error_store_nothing_and_keep_the_socket(crisis, frame, code):
    ws = await connect(crisis.member)
    try:
        await ws.send_json_to(frame)
        error = await next_of(ws, "error")
        assert error["code"] == code
        assert await sync_to_async(Alert.objects.count)() == 0
        await ws.send_json_to({"type": "ping"})
        assert (await next_of(ws, "pong"))["type"] == "pong"
    finally:
        await ws.disconnect()


async def test_a_replay_with_a_changed_body_is_an_error_frame(crisis):
    ws = await connect(crisis.member)
    try:
        await ws.send_json_to({"type": "alert.raise", "id": "k", "message": "one"})
        await next_of(ws, "alert.raised")
        await ws.send_json_to({"type": "alert.raise", "id": "k", "message": "two"})
        error = await next_of(ws, "error")
        assert (error["code"], error["ref"]) == ("idempotency_key_reused", "k")
        assert await sync_to_async(Alert.objects.count)() == 1
    finally:
        await ws.disconnect()


async def test_an_alert_for_another_network_is_refused_over_the_socket(crisis, other_network):
    ws = await connect(crisis.member)
    try:
        await ws.send_json_to({"type": "alert.raise", "id": "k", "network_id": other_network.pk})
        assert (await next_of(ws, "error"))["code"] == "not_found"
        assert await sync_to_async(Alert.objects.count)() == 0
    finally:
        await ws.disconnect()
