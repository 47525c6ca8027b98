"""The embedded default's SQLite shared by daphne and the worker: an ack while
another process writes (the worker's sweep, the resolve of an alert) used to
fail at once with `database is locked` and close the socket with 1011."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.stack import BASE_DIR
from tests.messaging.served import receive, receive_type, seeded_database, served, served_env


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


SWEEP_ON_CUE = """
import json, sys
from datetime import timedelta
from django.utils import timezone
from messaging.tasks import sweep
print("ready", flush=True)
sys.stdin.readline()
print(json.dumps(sweep(now=timezone.now() + timedelta(hours=1))), flush=True)
"""


def test_the_workers_sweep_waits_for_another_writer_instead_of_failing():
    """An hour on, the contact check of the alert Bea took is due: the sweep
    writes while a request holds the database."""
    template, _ = seeded_database()
    directory = Path(tempfile.mkdtemp(prefix="sweep-lock-"))
    database = directory / "db.sqlite3"
    shutil.copy(template, database)
    try:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", SWEEP_ON_CUE],
            cwd=BASE_DIR,
            env=served_env(database),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        while worker.stdout.readline().strip() != "ready":
            pass
        writer = hold_the_database(database, seconds=1.5)
        worker.stdin.write("\n")
        worker.stdin.flush()
        done = json.loads(worker.stdout.readline())
        writer.join()
        assert worker.wait(timeout=30) == 0
        assert done["contact_checks"] == 1
    finally:
        shutil.rmtree(directory, ignore_errors=True)
