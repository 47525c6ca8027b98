"""Acks are written in batches (messaging.acks) and a socket's frames never
queue behind the thread that runs the sockets' database work."""

from __future__ import annotations

import asyncio
import random
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from messaging import acks
from messaging.actions import events
from messaging.models import EventSequence
from tests.conftest import pool_timeout, run_concurrently, sign_in
from tests.factories import PersonFactory
from tests.messaging.test_event_pipeline import emit, socket

pytestmark = pytest.mark.django_db(transaction=True)


def acked(person_id: int) -> int:
    return EventSequence.objects.get(person_id=person_id).acked_seq


def test_a_batch_records_each_persons_ack_and_refuses_numbers_never_sent():
    ann, ben, cat, dev = (PersonFactory().pk for _ in range(4))
    for n in range(3):
        emit([ann, ben, cat], n)
    assert events.do_ack_many({ann: 2, ben: 9, cat: 3, dev: 0}) == {ann, cat}
    assert (acked(ann), acked(ben), acked(cat)) == (2, 0, 3)
    # An older ack from another device never moves it back, and is still valid.
    assert events.do_ack_many({ann: 1, ben: -1}) == {ann}
    assert acked(ann) == 2
    assert events.do_ack_events(person_id=ben, seq=3) is True
    assert acked(ben) == 3


def test_a_batch_costs_the_same_statements_for_3_people_or_60():
    people = [PersonFactory().pk for _ in range(60)]
    emit(people)
    counts = []
    for chosen in (people[:3], people[3:]):
        with CaptureQueriesContext(connection) as queries:
            assert events.do_ack_many(dict.fromkeys(chosen, 1)) == set(chosen)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert all(acked(pid) == 1 for pid in people)


@pytest.mark.postgresql
def test_ack_batches_and_senders_on_the_same_people_never_deadlock():
    """Batches lock rows in person-id order, the order senders lock them in;
    locked in another order, these batches and sends could deadlock."""
    people = [PersonFactory().pk for _ in range(8)]
    emit(people)

    def run(seed: int) -> None:
        pick = random.Random(seed)
        for n in range(20):
            chosen = pick.sample(people, pick.randint(2, len(people)))
            if seed % 2:
                emit(chosen, n)
            else:
                events.do_ack_many(dict.fromkeys(reversed(chosen), 1))

    assert run_concurrently(run, 8) == []
    assert all(acked(pid) == 1 for pid in people)


def held_first_write(
    monkeypatch, *, fail_first: bool = False
) -> tuple[list[dict[int, int]], threading.Event]:
    """Wrap do_ack_many so its first call waits for the returned event (acks
    can then arrive while a write is in flight) and, if asked, fails."""
    batches: list[dict[int, int]] = []
    gate = threading.Event()
    write = events.do_ack_many

    def wrapped(batch: dict[int, int]) -> set[int]:
        batches.append(dict(batch))
        if len(batches) == 1:
            gate.wait(10)
            if fail_first:
                raise RuntimeError("database went away")
        return write(batch)

    monkeypatch.setattr(events, "do_ack_many", wrapped)
    return batches, gate


async def test_acks_arriving_during_a_write_go_in_the_next_one_and_commit_before_the_answer(monkeypatch):
    people = await sync_to_async(lambda: [PersonFactory().pk for _ in range(30)])()
    await sync_to_async(emit)(people)
    batches, gate = held_first_write(monkeypatch)
    writer = acks.AckWriter()
    first = asyncio.ensure_future(writer.ack(person_id=people[0], seq=1))
    await asyncio.sleep(0.05)  # the first write is now in flight
    rest = [asyncio.ensure_future(writer.ack(person_id=pid, seq=1)) for pid in people[1:]]
    await asyncio.sleep(0.05)
    assert not first.done()
    assert not any(task.done() for task in rest)
    gate.set()
    assert await asyncio.gather(first, *rest) == [True] * 30
    assert [len(batch) for batch in batches] == [1, 29]
    assert await sync_to_async(lambda: [acked(pid) for pid in people])() == [1] * 30


async def test_a_failed_write_reaches_every_ack_in_it_and_the_next_ack_is_written(monkeypatch):
    ann, ben = await sync_to_async(lambda: [PersonFactory().pk for _ in range(2)])()
    await sync_to_async(emit)([ann, ben])
    batches, gate = held_first_write(monkeypatch, fail_first=True)
    writer = acks.AckWriter()
    first = asyncio.ensure_future(writer.ack(person_id=ann, seq=1))
    await asyncio.sleep(0.05)
    second = asyncio.ensure_future(writer.ack(person_id=ben, seq=1))
    await asyncio.sleep(0.05)
    gate.set()
    with pytest.raises(RuntimeError, match="database went away"):
        await first
    assert await second is True
    assert await writer.ack(person_id=ann, seq=1) is True
    assert [sorted(batch) for batch in batches] == [[ann], [ben], [ann]]
    assert await sync_to_async(lambda: (acked(ann), acked(ben)))() == (1, 1)


async def test_an_up_to_date_socket_gets_its_event_while_the_database_thread_is_busy(member):
    """With the thread that runs the sockets' database work held, a live event
    and a ping are still answered: neither waits for that thread."""
    _, token = await sync_to_async(sign_in)(member)
    comm = socket(token)
    release = threading.Event()
    try:
        await comm.connect()
        assert (await comm.receive_json_from(timeout=3))["type"] == "hello"
        busy = asyncio.ensure_future(sync_to_async(release.wait)(10))
        await asyncio.sleep(0.05)
        sender = threading.Thread(target=lambda: (emit([member.pk], 1), connection.close()))
        sender.start()
        await sync_to_async(sender.join, thread_sensitive=False)(10)
        frame = await comm.receive_json_from(timeout=2)
        assert (frame["type"], frame["seq"]) == ("membership.changed", 1)
        await comm.send_json_to({"type": "ping"})
        assert (await comm.receive_json_from(timeout=2))["type"] == "pong"
        assert not busy.done()
    finally:
        release.set()
        await comm.disconnect()


async def test_a_wake_up_from_a_request_thread_does_not_wait_for_the_event_loop(member):
    """A request's thread publishes its wake-ups itself: with the sockets'
    event loop busy, the change still commits, wakes and returns (before,
    the thread waited for the loop, holding its database connection)."""
    _, token = await sync_to_async(sign_in)(member)
    comm = socket(token)
    go, finished = threading.Event(), threading.Event()

    def change() -> None:
        go.wait(10)
        emit([member.pk], 1)
        finished.set()

    try:
        await comm.connect()
        assert (await comm.receive_json_from(timeout=3))["type"] == "hello"
        request = asyncio.ensure_future(sync_to_async(change, thread_sensitive=False)())
        await asyncio.sleep(0.05)
        go.set()
        time.sleep(1.5)  # the event loop is busy: nothing it runs moves
        assert finished.is_set()
        await request
        frame = await comm.receive_json_from(timeout=3)
        assert (frame["type"], frame["seq"]) == ("membership.changed", 1)
    finally:
        await comm.disconnect()


async def test_an_overloaded_database_answers_a_frame_busy_and_keeps_the_socket(member, monkeypatch):
    """The bench's overload closed 78 healthy sockets: their ack's write found
    the pool empty and the error ended the consumer. Now the frame is answered
    busy, nothing changes, and the socket stays open for the client to retry."""
    _, token = await sync_to_async(sign_in)(member)
    await sync_to_async(emit)([member.pk], 1)
    comm = socket(token, after=0)
    write = events.do_ack_many
    busy = iter([pool_timeout()])

    def overloaded(batch: dict[int, int]) -> set[int]:
        failure = next(busy, None)
        if failure is not None:
            raise failure
        return write(batch)

    monkeypatch.setattr(events, "do_ack_many", overloaded)
    try:
        await comm.connect()
        assert (await comm.receive_json_from(timeout=3))["type"] == "hello"
        assert (await comm.receive_json_from(timeout=3))["seq"] == 1
        await comm.send_json_to({"type": "ack", "seq": 1, "id": "a1"})
        error = await comm.receive_json_from(timeout=3)
        assert (error["type"], error["code"], error["ref"]) == ("error", "busy", "a1")
        assert await sync_to_async(acked)(member.pk) == 0
        await comm.send_json_to({"type": "ack", "seq": 1})
        assert await comm.receive_json_from(timeout=3) == {"type": "acked", "seq": 1}
        assert await sync_to_async(acked)(member.pk) == 1
    finally:
        await comm.disconnect()


async def test_any_other_database_error_answers_server_error_and_keeps_the_socket(member, monkeypatch):
    """No database error closes a socket (issue 12: a locked SQLite closed every
    socket of an ack batch with 1011): the frame changed nothing, the client
    is told, and the next ack is written."""
    from django.db.utils import ProgrammingError

    _, token = await sync_to_async(sign_in)(member)
    await sync_to_async(emit)([member.pk], 1)
    comm = socket(token, after=0)
    write = events.do_ack_many
    failures = iter([ProgrammingError("relation does not exist")])

    def broken_once(batch: dict[int, int]) -> set[int]:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return write(batch)

    monkeypatch.setattr(events, "do_ack_many", broken_once)
    try:
        await comm.connect()
        await comm.receive_json_from(timeout=3)
        await comm.receive_json_from(timeout=3)
        await comm.send_json_to({"type": "ack", "seq": 1, "id": "a1"})
        error = await comm.receive_json_from(timeout=3)
        assert (error["type"], error["code"], error["ref"]) == ("error", "server_error", "a1")
        await comm.send_json_to({"type": "ack", "seq": 1})
        assert await comm.receive_json_from(timeout=3) == {"type": "acked", "seq": 1}
        assert await sync_to_async(acked)(member.pk) == 1
    finally:
        await comm.disconnect()


async def test_a_bug_outside_the_database_ends_the_consumer_and_its_pings(member, monkeypatch):
    """A real fault is not hidden, and the heartbeat does not outlive the consumer."""
    _, token = await sync_to_async(sign_in)(member)
    await sync_to_async(emit)([member.pk], 1)
    comm = socket(token, after=0)

    def broken(batch: dict[int, int]) -> set[int]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(events, "do_ack_many", broken)
    await comm.connect()
    await comm.receive_json_from(timeout=3)
    await comm.receive_json_from(timeout=3)
    await comm.send_json_to({"type": "ack", "seq": 1})
    with pytest.raises(RuntimeError):
        await comm.receive_output(timeout=3)
    heartbeats = [t for t in asyncio.all_tasks() if "beat" in repr(t.get_coro())]
    assert heartbeats == []
    # The consumer died mid-call, so nothing closed the connection of the
    # thread that runs the sockets' database work; close it for the teardown.
    await sync_to_async(connections.close_all)()
