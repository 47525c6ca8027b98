"""Messages over the websocket and the event pipeline, on the real database and
the real Redis channel layer: ordering under concurrent sends, catch-up after
being offline, the send / receipt / typing / presence frames, and no message
text anywhere outside the encrypted column (events, notifications, logs, Redis)."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
import redis
import yaml
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.asgi import application
from messaging.actions import conversations as actions
from messaging.asyncapi import client_schema, server_schema
from messaging.models import Event, Message
from tests.conftest import client_for, run_concurrently, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DOCUMENT = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml").read_text())


def check(frame: dict) -> dict:
    jsonschema.validate(frame, server_schema(DOCUMENT, frame["type"]))
    return frame


async def connect(person, query: str = "") -> tuple[WebsocketCommunicator, dict]:
    _, token = await sync_to_async(sign_in)(person)
    comm = WebsocketCommunicator(
        application, "/ws/v1/" + query, headers=[(b"authorization", f"Token {token}".encode())]
    )
    ok, _ = await comm.connect()
    assert ok
    hello = await comm.receive_json_from(timeout=3)
    assert hello["type"] == "hello"
    return comm, hello


async def next_of(comm: WebsocketCommunicator, type_: str, timeout: float = 5) -> dict:
    while True:
        frame = await comm.receive_json_from(timeout=timeout)
        if frame["type"] == type_:
            return check(frame)


async def send_frame(comm: WebsocketCommunicator, frame: dict) -> None:
    jsonschema.validate(frame, client_schema(DOCUMENT, frame["type"]))
    await comm.send_json_to(frame)


def start_direct(a, b):
    return actions.do_start_direct_conversation(person=a, other=b).conversation


# --- ordering under concurrency -----------------------------------------------------------


@pytest.mark.postgresql
def test_concurrent_sends_get_gap_free_orders_in_commit_order(member, peer, navigator):
    conversation = start_direct(member, peer)
    threads_n, each = 8, 5
    barrier = threading.Barrier(threads_n)

    def sender(n: int) -> None:
        author = (member, peer)[n % 2]
        barrier.wait()
        for k in range(each):
            actions.do_send_message(
                conversation_id=conversation.pk, author=author, client_id=f"t{n}-{k}", text=f"{n}/{k}"
            )

    assert run_concurrently(sender, threads_n) == []
    orders = sorted(Message.objects.filter(conversation=conversation).values_list("order", flat=True))
    assert orders == list(range(1, threads_n * each + 1))
    # Each person's events list the messages in order: a client reading its
    # event stream sees orders increase, with no gap and no duplicate.
    for person in (member, peer):
        seen = [
            data["order"]
            for data in Event.objects.filter(person=person, type="message.new")
            .order_by("seq")
            .values_list("data", flat=True)
        ]
        assert seen == list(range(1, threads_n * each + 1))
    # Each thread's own messages keep the order it sent them in.
    for n in range(threads_n):
        mine = list(
            Message.objects.filter(client_id__startswith=f"t{n}-")
            .order_by("order")
            .values_list("client_id", flat=True)
        )
        assert mine == [f"t{n}-{k}" for k in range(each)]


@pytest.mark.postgresql
def test_a_resend_racing_itself_creates_one_message(member, peer):
    conversation = start_direct(member, peer)
    barrier = threading.Barrier(6)
    results: list[bool] = []

    def sender() -> None:
        try:
            barrier.wait()
            sent = actions.do_send_message(
                conversation_id=conversation.pk, author=member, client_id="same", text="only once"
            )
            results.append(sent.created)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]
    assert Message.objects.count() == 1
    assert Event.objects.filter(type="message.new", person=peer).count() == 1


# --- catch-up -------------------------------------------------------------------------------


async def test_a_reconnecting_phone_catches_up_by_cursor(member, peer):
    conversation = await sync_to_async(start_direct)(member, peer)
    comm, hello = await connect(peer)
    await comm.disconnect()
    cursor = hello["last_seq"]
    for n in range(3):
        await sync_to_async(actions.do_send_message)(
            conversation_id=conversation.pk, author=member, client_id=f"k{n}", text=f"while you were away {n}"
        )
    comm, _ = await connect(peer, f"?after={cursor}")
    try:
        frames = [await next_of(comm, "message.new") for _ in range(3)]
        assert [f["data"]["order"] for f in frames] == [1, 2, 3]
        assert [f["seq"] for f in frames] == [cursor + 1, cursor + 2, cursor + 3]
        assert all("away" not in str(f) for f in frames)
        # The text comes over REST.
        page = await sync_to_async(
            lambda: client_for(peer).get(f"/api/v1/conversations/{conversation.pk}/messages/?after=0").json()
        )()
        assert [m["text"] for m in page["results"]] == [f"while you were away {n}" for n in range(3)]
    finally:
        await comm.disconnect()


# --- frames ------------------------------------------------------------------------------------


async def test_send_and_receipt_frames(member, peer):
    conversation = await sync_to_async(start_direct)(member, peer)
    member_ws, _ = await connect(member)
    peer_ws, _ = await connect(peer)
    try:
        frame = {
            "type": "message.send",
            "id": "c-1",
            "conversation_id": str(conversation.pk),
            "text": "hi Ben",
        }
        await send_frame(member_ws, frame)
        sent = await next_of(member_ws, "message.sent")
        assert (sent["ref"], sent["order"], sent["created"]) == ("c-1", 1, True)
        new = await next_of(peer_ws, "message.new")
        assert new["data"]["message_id"] == sent["message_id"]
        await send_frame(member_ws, frame)  # a retry
        again = await next_of(member_ws, "message.sent")
        assert (again["message_id"], again["created"]) == (sent["message_id"], False)
        assert await sync_to_async(Message.objects.count)() == 1

        await send_frame(
            peer_ws,
            {
                "type": "message.receipt",
                "id": "r-1",
                "conversation_id": str(conversation.pk),
                "read_through": 1,
            },
        )
        saved = await next_of(peer_ws, "receipts")
        assert (saved["ref"], saved["delivered_through"], saved["read_through"]) == ("r-1", 1, 1)
        receipt = await next_of(member_ws, "message.receipt")
        assert (receipt["data"]["person"]["id"], receipt["data"]["read_through"]) == (peer.pk, 1)
    finally:
        await member_ws.disconnect()
        await peer_ws.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "message.send", "conversation_id": "CONV", "text": "no id"}, "missing_id"),
        ({"type": "message.send", "id": "x", "conversation_id": "not-a-uuid", "text": "hi"}, "not_found"),
        (
            {
                "type": "message.send",
                "id": "x",
                "conversation_id": "00000000-0000-0000-0000-000000000000",
                "text": "hi",
            },
            "not_found",
        ),
        (
            {"type": "message.send", "id": "x", "conversation_id": "CONV", "text": "x" * 4001},
            "validation_error",
        ),
        ({"type": "message.send", "id": "x", "conversation_id": "CONV", "text": 7}, "validation_error"),
        ({"type": "message.send", "id": "x", "conversation_id": "CONV"}, "validation_error"),
        ({"type": "message.receipt", "conversation_id": "CONV", "read_through": 5}, "validation_error"),
        ({"type": "message.receipt", "conversation_id": "CONV"}, "validation_error"),
        ({"type": "typing", "conversation_id": "CONV", "state": "dancing"}, "invalid_frame"),
        ({"type": "presence.query", "person_ids": []}, "invalid_frame"),
        ({"type": "presence.query", "person_ids": ["1"]}, "invalid_frame"),
    ],
)
async def test_bad_message_frames_get_an_error_store_nothing_and_keep_the_socket(member, peer, frame, code):
    conversation = await sync_to_async(start_direct)(member, peer)
    frame = {k: (str(conversation.pk) if v == "CONV" else v) for k, v in frame.items()}
    comm, _ = await connect(member)
    try:
        await comm.send_json_to(frame)
        error = await next_of(comm, "error")
        assert error["code"] == code
        await comm.send_json_to({"type": "ping"})
        await next_of(comm, "pong")
    finally:
        await comm.disconnect()
    assert await sync_to_async(Message.objects.count)() == 0


async def test_an_outsider_cannot_send_or_type_into_a_conversation(member, peer, outsider):
    conversation = await sync_to_async(start_direct)(member, peer)
    comm, _ = await connect(outsider)
    peer_ws, _ = await connect(peer)
    try:
        for frame in (
            {"type": "message.send", "id": "x", "conversation_id": str(conversation.pk), "text": "hi"},
            {"type": "typing", "conversation_id": str(conversation.pk), "state": "start"},
            {"type": "message.receipt", "conversation_id": str(conversation.pk), "read_through": 0},
        ):
            await comm.send_json_to(frame)
            assert (await next_of(comm, "error"))["code"] == "not_found"
        assert await peer_ws.receive_nothing(timeout=0.3)
    finally:
        await comm.disconnect()
        await peer_ws.disconnect()
    assert await sync_to_async(Message.objects.count)() == 0


async def test_typing_is_relayed_and_never_stored(member, peer):
    conversation = await sync_to_async(start_direct)(member, peer)
    events_before = await sync_to_async(Event.objects.count)()
    member_ws, _ = await connect(member)
    peer_ws, _ = await connect(peer)
    try:
        await send_frame(
            member_ws, {"type": "typing", "conversation_id": str(conversation.pk), "state": "start"}
        )
        typing = await next_of(peer_ws, "typing")
        assert (typing["person"]["id"], typing["state"]) == (member.pk, "start")
        assert await member_ws.receive_nothing(timeout=0.3)  # not echoed to the typist
    finally:
        await member_ws.disconnect()
        await peer_ws.disconnect()
    assert await sync_to_async(Event.objects.count)() == events_before
    assert await sync_to_async(Message.objects.count)() == 0
    # Reconnecting from the start replays stored events, and no typing.
    peer_ws, _ = await connect(peer, "?after=0")
    try:
        replayed = []
        while not await peer_ws.receive_nothing(timeout=0.5):
            replayed.append((await peer_ws.receive_json_from())["type"])
        assert "conversation.added" in replayed
        assert "typing" not in replayed
    finally:
        await peer_ws.disconnect()


async def test_presence_answers_online_and_on_call_for_people_you_share_a_network_with(
    member, peer, navigator, outsider
):
    events_before = await sync_to_async(Event.objects.count)()
    member_ws, _ = await connect(member)
    peer_ws, _ = await connect(peer)
    try:
        await send_frame(
            member_ws,
            {"type": "presence.query", "id": "p", "person_ids": [peer.pk, navigator.pk, outsider.pk]},
        )
        answers = {}
        for _ in range(2):
            frame = await next_of(member_ws, "presence")
            answers[frame["person_id"]] = (frame["online"], frame["on_call"])
        assert answers == {peer.pk: (True, False), navigator.pk: (False, False)}
        assert await member_ws.receive_nothing(timeout=1)  # nothing about the outsider
    finally:
        await member_ws.disconnect()
        await peer_ws.disconnect()
    assert await sync_to_async(Event.objects.count)() == events_before


# --- no message text outside the encrypted column ----------------------------------------------


def redis_contents() -> bytes:
    client = redis.Redis.from_url(settings.REDIS_URL)
    dump = []
    for key in client.scan_iter(count=1000):
        dump.append(key)
        kind = client.type(key)
        if kind == b"string":
            dump.append(client.get(key) or b"")
        elif kind == b"list":
            dump.extend(client.lrange(key, 0, -1))
        elif kind == b"set":
            dump.extend(client.smembers(key))
        elif kind == b"zset":
            dump.extend(client.zrange(key, 0, -1))
        elif kind == b"hash":
            for field, value in client.hgetall(key).items():
                dump.extend([field, value])
    client.close()
    return b"\n".join(dump)


async def test_no_message_text_in_events_notifications_logs_or_redis(member, peer, caplog):
    from foundation.transports import push, sms
    from messaging import tasks
    from messaging.actions.push import do_subscribe_push

    secret = "ZEBRA-PILLS-4471"
    caplog.set_level(logging.DEBUG)
    conversation = await sync_to_async(start_direct)(member, peer)
    await sync_to_async(do_subscribe_push)(
        person=peer, endpoint="https://push.example/p", p256dh="k", auth="a"
    )
    member_ws, _ = await connect(member)
    peer_ws, _ = await connect(peer)
    try:
        await send_frame(
            member_ws,
            {"type": "message.send", "id": "s-1", "conversation_id": str(conversation.pk), "text": secret},
        )
        await next_of(member_ws, "message.sent")
        await next_of(peer_ws, "message.new")
        redis_while_live = await sync_to_async(redis_contents)()
        await send_frame(
            member_ws, {"type": "typing", "conversation_id": str(conversation.pk), "state": "stop"}
        )
        await next_of(peer_ws, "typing")
    finally:
        await member_ws.disconnect()
        await peer_ws.disconnect()
    # The peer's phone never acked: push, then SMS.
    later = timezone.now() + timedelta(days=1)
    await sync_to_async(tasks.sweep_messages)(now=later)
    await sync_to_async(tasks.sweep_messages)(now=later + timedelta(days=1))
    assert len(push.outbox) == 1
    assert len(sms.outbox) == 1
    assert secret not in str(push.outbox) + str(sms.outbox)
    stored_events = await sync_to_async(lambda: list(Event.objects.values_list("data", flat=True)))()
    assert stored_events
    assert secret not in str(stored_events)
    assert secret.encode() not in redis_while_live
    assert secret.encode() not in await sync_to_async(redis_contents)()
    assert secret not in caplog.text
    message = await sync_to_async(Message.objects.get)()
    assert secret.encode() not in bytes(message.sealed_text)
