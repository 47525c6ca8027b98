"""The embedded default's SQLite shared by daphne and the worker: an ack while
another process writes (the worker's sweep, the resolve of an alert) used to
fail at once with `database is locked` and close the socket with 1011."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from tests.messaging.served import receive, receive_type, served


def hold_the_database(database: Path, *, seconds: float) -> threading.Thread:
    """A worker-like writer: a write transaction held open for ``seconds``."""
    started = threading.Event()

    def write() -> None:
        db = sqlite3.connect(database, isolation_level=None, timeout=30)
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE network_person SET display_name = display_name")
        started.set()
        time.sleep(seconds)
        db.execute("COMMIT")
        db.close()

    thread = threading.Thread(target=write)
    thread.start()
    assert started.wait(10)
    return thread


def caught_up(ws) -> int:
    """Read the stored events the socket is sent after ?after=0; the last seq."""
    last = 0
    while True:
        try:
            frame = receive(ws, timeout=1)
        except TimeoutError:
            return last
        if "seq" in frame and frame["type"] not in ("acked", "resync_required"):
            last = frame["seq"]


def test_an_ack_while_another_process_writes_waits_for_it_and_the_socket_stays():
    with served() as server:
        ws = server.socket(server.seed["member_token"], query="after=0")
        seq = caught_up(ws)
        assert seq > 0
        writer = hold_the_database(server.database, seconds=1.0)
        ws.send(json.dumps({"type": "ack", "seq": seq}))
        assert receive(ws, timeout=10) == {"type": "acked", "seq": seq}
        writer.join()
        ws.send(json.dumps({"type": "ping"}))
        assert receive_type(ws, "pong")["type"] == "pong"


def test_a_database_locked_past_the_busy_timeout_answers_busy_and_keeps_the_socket():
    with served(SQLITE_BUSY_TIMEOUT="0.5") as server:
        ws = server.socket(server.seed["member_token"], query="after=0")
        peer = server.socket(server.seed["bea_token"], query="after=0")
        seq, peer_seq = caught_up(ws), caught_up(peer)
        writer = hold_the_database(server.database, seconds=3.0)
        ws.send(json.dumps({"type": "ack", "seq": seq, "id": "a1"}))
        peer.send(json.dumps({"type": "ack", "seq": peer_seq}))
        error = receive(ws, timeout=10)
        assert (error["type"], error["code"], error["ref"]) == ("error", "busy", "a1")
        assert receive(peer, timeout=10)["code"] == "busy"
        writer.join()
        ws.send(json.dumps({"type": "ack", "seq": seq}))
        assert receive(ws, timeout=10) == {"type": "acked", "seq": seq}
        peer.send(json.dumps({"type": "ack", "seq": peer_seq}))
        assert receive(peer, timeout=10) == {"type": "acked", "seq": peer_seq}
