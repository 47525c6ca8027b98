"""Persist first, then notify; resume by cursor (DESIGN.md invariants 1 and 2),
on the real database and the real Redis channel layer."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import connection, transaction
from django.utils import timezone

from config.asgi import application
from messaging import realtime
from messaging.actions import events
from messaging.event_types import MEMBERSHIP_CHANGED
from messaging.models import Event, EventSequence
from messaging.selectors import events as event_selectors
from tests.conftest import run_concurrently, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def data(n: int = 0) -> dict:
    return {
        "network": {"id": 1, "name": "Croydon SUN"},
        "person": {"id": 2, "display_name": f"Ben {n}"},
        "change": "joined",
        "role": "member",
    }


def emit(person_ids, n: int = 0) -> None:
    with transaction.atomic():
        events.send_event_on_commit(event_type=MEMBERSHIP_CHANGED, data=data(n), person_ids=person_ids)


def test_each_person_gets_gap_free_increasing_numbers(member, peer):
    for n in range(3):
        emit([member.pk, peer.pk], n)
    emit([member.pk], 3)
    assert list(Event.objects.filter(person=member).order_by("seq").values_list("seq", flat=True)) == [
        1,
        2,
        3,
        4,
    ]
    assert list(Event.objects.filter(person=peer).order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]


def test_an_event_is_stored_only_if_its_change_commits(member):
    def failing_change() -> None:
        with transaction.atomic():
            events.send_event_on_commit(event_type=MEMBERSHIP_CHANGED, data=data(), person_ids=[member.pk])
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert not Event.objects.exists()
    emit([member.pk])
    assert Event.objects.get().seq == 1


def test_it_refuses_to_run_outside_a_transaction(member):
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        events.send_event_on_commit(event_type=MEMBERSHIP_CHANGED, data=data(), person_ids=[member.pk])


def test_data_that_breaks_the_schema_is_refused(member):
    import jsonschema

    with transaction.atomic(), pytest.raises(jsonschema.ValidationError):
        events.send_event_on_commit(
            event_type=MEMBERSHIP_CHANGED, data={**data(), "plan": "secret"}, person_ids=[member.pk]
        )
    assert not Event.objects.exists()


async def test_the_wake_up_is_sent_only_after_commit(member):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(realtime.group_for_person(member.pk), channel)
    inside, checked = threading.Event(), threading.Event()

    def change() -> None:
        with transaction.atomic():
            events.send_event_on_commit(event_type=MEMBERSHIP_CHANGED, data=data(), person_ids=[member.pk])
            inside.set()
            checked.wait(10)

    # One receive, never cancelled: the pub/sub layer drops a channel whose
    # receive is cancelled, as a consumer's is when it closes.
    receiving = asyncio.ensure_future(layer.receive(channel))
    done = asyncio.ensure_future(sync_to_async(change, thread_sensitive=False)())
    await sync_to_async(inside.wait, thread_sensitive=False)(10)
    await asyncio.sleep(0.3)
    assert not receiving.done(), "not yet committed: nothing may have been said"
    checked.set()
    await done
    woken = await asyncio.wait_for(receiving, 3)
    assert (woken["type"], woken["event"]["seq"]) == ("events.available", 1)


@pytest.mark.postgresql
def test_a_second_sender_waits_until_the_first_commits(member):
    """Numbers become visible in commit order: while one transaction holds
    number N uncommitted, another cannot take N+1 and commit first (a reader
    at N-1 would then skip N forever)."""
    emit([member.pk], 0)
    holding, release, second_done = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                events.send_event_on_commit(
                    event_type=MEMBERSHIP_CHANGED, data=data(1), person_ids=[member.pk]
                )
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    def second() -> None:
        try:
            holding.wait(10)
            emit([member.pk], 2)
            second_done.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert holding.wait(10)
    blocked = not second_done.wait(0.5)
    release.set()
    for thread in threads:
        thread.join(10)
    assert blocked, "the second sender took a number while the first was uncommitted"
    assert second_done.is_set()
    names = dict(Event.objects.values_list("seq", "data__person__display_name"))
    assert names == {1: "Ben 0", 2: "Ben 1", 3: "Ben 2"}


def test_the_hand_written_sequence_statements_name_the_models_table():
    table = EventSequence._meta.db_table
    assert f"INSERT INTO {table} AS s" in events._NEXT_SEQUENCES_SQL
    assert f"FROM {table} WHERE" in events._LOCK_SEQUENCES_SQL
    assert f"UPDATE {table} AS s" in events._ACK_SQL


@pytest.mark.postgresql
def test_concurrent_senders_to_overlapping_people_never_deadlock_or_leave_gaps():
    """Many senders at once, each to a different mix of the same people (some
    with no sequence row yet): every send commits, and each person's numbers
    run 1..N with nothing missing or doubled."""
    import random

    from tests.factories import PersonFactory

    people = [PersonFactory().pk for _ in range(6)]
    sent = {pid: 0 for pid in people}
    lock = threading.Lock()

    def sender(seed: int) -> None:
        pick = random.Random(seed)
        for n in range(15):
            chosen = pick.sample(people, pick.randint(2, len(people)))
            emit(chosen, n)
            with lock:
                for pid in chosen:
                    sent[pid] += 1

    assert run_concurrently(sender, 6) == []
    for pid in people:
        seqs = list(Event.objects.filter(person_id=pid).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, sent[pid] + 1))
        assert EventSequence.objects.get(person_id=pid).last_seq == sent[pid]


def test_purging_removes_only_old_events(member):
    emit([member.pk], 0)
    emit([member.pk], 1)
    Event.objects.filter(seq=1).update(created_at=timezone.now() - timedelta(days=31))
    assert events.do_purge_old_events(older_than=timedelta(days=30)) == 1
    assert list(Event.objects.values_list("seq", flat=True)) == [2]


# --- over the websocket ---------------------------------------------------


def socket(token: str, after: int | None = None) -> WebsocketCommunicator:
    path = "/ws/v1/" + (f"?after={after}" if after is not None else "")
    return WebsocketCommunicator(application, path, headers=[(b"authorization", f"Token {token}".encode())])


async def test_a_live_event_reaches_the_open_socket(member):
    _, token = await sync_to_async(sign_in)(member)
    comm = socket(token)
    try:
        await comm.connect()
        hello = await comm.receive_json_from(timeout=3)
        assert hello["last_seq"] == 0
        await sync_to_async(emit)([member.pk], 7)
        frame = await comm.receive_json_from(timeout=3)
        assert frame["type"] == "membership.changed"
        assert frame["seq"] == 1
        assert frame["data"] == data(7)
        assert frame["event_id"] == str(await sync_to_async(lambda: Event.objects.get().id)())
    finally:
        await comm.disconnect()


async def test_a_reconnecting_socket_gets_every_missed_event_in_order_then_live_ones(member):
    _, token = await sync_to_async(sign_in)(member)
    for n in range(5):
        await sync_to_async(emit)([member.pk], n)
    comm = socket(token, after=2)
    try:
        await comm.connect()
        assert (await comm.receive_json_from(timeout=3))["last_seq"] == 5
        replayed = [await comm.receive_json_from(timeout=3) for _ in range(3)]
        assert [f["seq"] for f in replayed] == [3, 4, 5]
        assert [f["data"]["person"]["display_name"] for f in replayed] == ["Ben 2", "Ben 3", "Ben 4"]
        await sync_to_async(emit)([member.pk], 5)
        assert (await comm.receive_json_from(timeout=3))["seq"] == 6
        assert await comm.receive_nothing(timeout=0.3)
    finally:
        await comm.disconnect()


async def test_catch_up_larger_than_a_batch_arrives_whole(member):
    _, token = await sync_to_async(sign_in)(member)
    await sync_to_async(lambda: [emit([member.pk], n) for n in range(450)])()
    comm = socket(token, after=0)
    try:
        await comm.connect()
        await comm.receive_json_from(timeout=3)
        seqs = [(await comm.receive_json_from(timeout=3))["seq"] for _ in range(450)]
        assert seqs == list(range(1, 451))
    finally:
        await comm.disconnect()


async def test_a_lost_wake_up_costs_latency_not_the_event(member):
    _, token = await sync_to_async(sign_in)(member)
    comm = socket(token, after=0)
    try:
        await comm.connect()
        await comm.receive_json_from(timeout=3)

        def emit_without_waking():
            with transaction.atomic():
                events.send_event_on_commit(
                    event_type=MEMBERSHIP_CHANGED, data=data(1), person_ids=[member.pk]
                )
                transaction.get_connection().run_on_commit.clear()  # the hint is lost

        await sync_to_async(emit_without_waking)()
        assert await comm.receive_nothing(timeout=0.3)
        await sync_to_async(emit)([member.pk], 2)  # the next hint brings both, in order
        assert [(await comm.receive_json_from(timeout=3))["seq"] for _ in range(2)] == [1, 2]
    finally:
        await comm.disconnect()


async def test_the_copy_a_wake_up_carries_is_the_stored_event_and_is_sent_once(member):
    _, token = await sync_to_async(sign_in)(member)
    comm = socket(token, after=0)
    try:
        await comm.connect()
        await comm.receive_json_from(timeout=3)
        await sync_to_async(emit)([member.pk], 1)
        live = await comm.receive_json_from(timeout=3)
        stored = await sync_to_async(
            lambda: event_selectors.event_frame(Event.objects.get(person=member, seq=1))
        )()
        assert live == stored
        # The same wake-up again (a doubled publish) sends nothing twice.
        layer = get_channel_layer()
        await layer.group_send(realtime.group_for_person(member.pk), {**realtime.WAKE_MESSAGE, "event": live})
        assert await comm.receive_nothing(timeout=0.5)
    finally:
        await comm.disconnect()


async def test_a_cursor_older_than_retention_gets_resync_required(member):
    _, token = await sync_to_async(sign_in)(member)
    for n in range(3):
        await sync_to_async(emit)([member.pk], n)
    await sync_to_async(lambda: Event.objects.filter(seq__lte=2).delete())()
    comm = socket(token, after=0)
    try:
        await comm.connect()
        await comm.receive_json_from(timeout=3)
        assert await comm.receive_json_from(timeout=3) == {"type": "resync_required", "last_seq": 3}
        assert await comm.receive_nothing(timeout=0.3)
    finally:
        await comm.disconnect()


@pytest.mark.parametrize("cursor", ["99", "-1", "abc", "1&after=2"])
async def test_an_unknown_or_malformed_cursor_gets_resync_required(member, cursor):
    _, token = await sync_to_async(sign_in)(member)
    await sync_to_async(emit)([member.pk])
    comm = WebsocketCommunicator(
        application, f"/ws/v1/?after={cursor}", headers=[(b"authorization", f"Token {token}".encode())]
    )
    try:
        await comm.connect()
        await comm.receive_json_from(timeout=3)
        assert await comm.receive_json_from(timeout=3) == {"type": "resync_required", "last_seq": 1}
    finally:
        await comm.disconnect()


async def test_acks_are_recorded_and_bad_acks_refused(member):
    _, token = await sync_to_async(sign_in)(member)
    for n in range(3):
        await sync_to_async(emit)([member.pk], n)
    comm = socket(token, after=0)
    try:
        await comm.connect()
        for _ in range(4):
            await comm.receive_json_from(timeout=3)
        await comm.send_json_to({"type": "ack", "seq": 2})
        assert await comm.receive_json_from(timeout=3) == {"type": "acked", "seq": 2}
        await comm.send_json_to({"type": "ack", "seq": 1})  # older acks never move it back
        await comm.receive_json_from(timeout=3)
        assert await sync_to_async(lambda: EventSequence.objects.get(person=member).acked_seq)() == 2
        await comm.send_json_to({"type": "ack", "seq": 9, "id": "a1"})
        error = await comm.receive_json_from(timeout=3)
        assert (error["code"], error["ref"]) == ("invalid_ack", "a1")
        await comm.send_json_to({"type": "ack", "seq": "2"})
        assert (await comm.receive_json_from(timeout=3))["code"] == "invalid_ack"
        await comm.send_json_to({"type": "ack", "seq": -1})
        assert (await comm.receive_json_from(timeout=3))["code"] == "invalid_ack"
    finally:
        await comm.disconnect()


async def test_events_for_one_person_never_reach_another(member, peer):
    _, token = await sync_to_async(sign_in)(peer)
    comm = socket(token, after=0)
    try:
        await comm.connect()
        await comm.receive_json_from(timeout=3)
        await sync_to_async(emit)([member.pk])
        assert await comm.receive_nothing(timeout=0.5)
    finally:
        await comm.disconnect()


async def test_the_layer_sends_many_group_messages_in_one_batch_from_a_sync_thread():
    """The wake-up of a large group goes out as one pipelined batch from the
    calling thread, with no event loop; each group still gets exactly its own
    message, in the layer's own format, and an empty group costs nothing."""
    layer = get_channel_layer()
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("batch.first", first)
    await layer.group_add("batch.second", second)
    await sync_to_async(layer.group_send_many_blocking, thread_sensitive=False)(
        [
            ("batch.first", {"type": "x", "n": 1}),
            ("batch.nobody", {"type": "x", "n": 2}),
            ("batch.second", {"type": "x", "n": 3}),
        ]
    )
    assert await asyncio.wait_for(layer.receive(first), 3) == {"type": "x", "n": 1}
    assert await asyncio.wait_for(layer.receive(second), 3) == {"type": "x", "n": 3}
    # group_send reaches the same subscribers: the names are the layer's.
    await layer.group_send("batch.first", {"type": "x", "n": 4})
    assert await asyncio.wait_for(layer.receive(first), 3) == {"type": "x", "n": 4}
