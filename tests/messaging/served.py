"""A real daphne on a SQLite file, for what only a real server shows: the close
codes autobahn really sends, and SQLite's locking between processes (an
in-process WebsocketCommunicator showed neither).

The database is built once per test run by ``manage.py migrate`` and a
seed made through the real actions (the cast of tests/messaging/conftest.py,
an alert Bea took and its conversation), then copied for each server, so every
test starts from the same state. The processes are bench.stack's.

Templates (``shared_template``) are built once per run, whichever pytest-xdist
worker asks first, under a file lock in the run's shared directory
(``SHARED_DIR_VARIABLE``, set by tests/conftest.py); every migrated SQLite
file the tests use starts as a copy of one ``migrate`` (``migrated_database``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from bench.stack import BASE_DIR, Stack

SEED = """
import json
from messaging.actions import alerts
from tests.conftest import sign_in
from tests.messaging.conftest import make_crisis

crisis = make_crisis()
alert = crisis.raise_alert("served-seed")
bea = crisis.peers[0]
alerts.do_accept_alert(alert_id=alert.pk, person=bea)
from messaging.models import Conversation
print(json.dumps({
    "member_token": sign_in(crisis.member)[1],
    "bea_token": sign_in(bea)[1],
    "alert_id": str(alert.pk),
    "conversation_id": str(Conversation.objects.get(alert=alert).pk),
}))
"""


def served_env(database: Path, **extra: str) -> dict[str, str]:
    """What `make run` gives its processes, on our database and Redis."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env.pop("DEBUG", None)
    return env


SHARED_DIR_VARIABLE = "CRISISNET_TEST_SHARED_DIR"


def manage(*args: str, env: dict[str, str]) -> str:
    """Run ``manage.py`` with ``env``; what it printed."""
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        check=True,
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    ).stdout


# The child of ``Shell``: Django set up once, then each code it is sent runs as
# `manage.py shell -c` would (the shell command itself, its automatic imports
# included), with what it printed sent back on the pipe the parent reads.
# Stray writes to fd 1 (a logging handler's) go to the log, not the pipe.
_SHELL_CHILD = """
import contextlib, io, json, os, sys, traceback
answers = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
import django
django.setup()
from django.core.management import call_command
from django.db import connections
for line in sys.stdin:
    code = json.loads(line)
    printed = io.StringIO()
    error = None
    try:
        with contextlib.redirect_stdout(printed):
            call_command("shell", command=code)
    except BaseException:
        error = traceback.format_exc()
    finally:
        # As a process exiting would: no connection (or SQLite lock) outlives the call.
        connections.close_all()
    answers.write(json.dumps({"printed": printed.getvalue(), "error": error}) + "\\n")
    answers.flush()
"""


class Shell:
    """``manage.py shell -c`` on one server's database, kept running between
    calls: a test that checks what was stored several times pays Django's
    start-up (2 s or more on a busy 2-core machine) once, not at every check.
    Started on first use; each call runs in a fresh shell namespace and closes
    the database connections after, as a new process would."""

    def __init__(self, *, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[str] | None = None

    def run(self, code: str) -> str:
        """What ``code`` printed; an error in it fails the caller with its traceback."""
        if self.process is None or self.process.poll() is not None:
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-c", _SHELL_CHILD],
                    env=self.env,
                    cwd=BASE_DIR,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(code) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the shell exited ({self.process.wait()}); see {self.log_path}")
        answer = json.loads(line)
        if answer["error"]:
            raise RuntimeError(f"the shell's code failed:\n{answer['error']}")
        return answer["printed"]

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def shared_dir() -> Path:
    """The directory this test run's workers share (a private one outside pytest)."""
    if not os.environ.get(SHARED_DIR_VARIABLE):
        os.environ[SHARED_DIR_VARIABLE] = tempfile.mkdtemp(prefix="crisisnet-tests-")
    return Path(os.environ[SHARED_DIR_VARIABLE])


def shared_template(name: str, build: Callable[[Path], None]) -> Path:
    """The file ``name`` in the run's shared directory, made by ``build(path)``
    by the first worker that asks (the others wait for it, then reuse it)."""
    shared = shared_dir()
    path = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            partial = shared / f"{name}.partial"
            partial.unlink(missing_ok=True)
            build(partial)
            partial.rename(path)
    return path


def copy_of(template: Path, directory: Path) -> Path:
    """A private copy of a template SQLite file, as ``directory``/db.sqlite3."""
    database = directory / "db.sqlite3"
    shutil.copy(template, database)
    return database


def migrated_database() -> Path:
    """An empty SQLite database with every migration applied (the template of the others)."""

    def build(path: Path) -> None:
        manage("migrate", "--noinput", "-v", "0", env=served_env(path))

    return shared_template("migrated.sqlite3", build)


def seeded_database() -> tuple[Path, dict[str, str]]:
    """The migrated, seeded template (built on first use) and its seed's ids and tokens."""

    def build(path: Path) -> None:
        shutil.copy(migrated_database(), path)
        out = manage("shell", "-c", SEED, env=served_env(path))
        seed_path.write_text(out.strip().splitlines()[-1])

    seed_path = shared_dir() / "served-seed.json"
    path = shared_template("served.sqlite3", build)
    return path, json.loads(seed_path.read_text())


@dataclass
class Served:
    port: int
    database: Path
    seed: dict[str, str]
    stack: Stack
    sockets: contextlib.ExitStack

    def socket(self, token: str, *, query: str = "") -> ClientConnection:
        """A websocket client with a device token, past its hello frame."""
        ws = self.open(token, query=query)
        assert receive(ws)["type"] == "hello"
        return ws

    def open(self, token: str, *, query: str = "") -> ClientConnection:
        """A websocket client with a device token, closed with the server."""
        return self.sockets.enter_context(
            connect(
                f"ws://127.0.0.1:{self.port}/ws/v1/" + (f"?{query}" if query else ""),
                additional_headers={"Authorization": f"Token {token}"},
                open_timeout=10,
                max_size=None,
            )
        )


@contextlib.contextmanager
def served(**env: str) -> Iterator[Served]:
    """daphne on a fresh copy of the seeded database (``env`` overrides settings)."""
    template, seed = seeded_database()
    directory = Path(tempfile.mkdtemp(prefix="served-"))
    database = copy_of(template, directory)
    stack = Stack(env=served_env(database, **env), log_dir=directory)
    try:
        with contextlib.ExitStack() as sockets:
            _, port = stack.daphne("web")
            yield Served(port=port, database=database, seed=seed, stack=stack, sockets=sockets)
    finally:
        stack.stop_all(graceful=False)
        shutil.rmtree(directory, ignore_errors=True)


def receive(ws: ClientConnection, *, timeout: float = 5) -> dict[str, Any]:
    return json.loads(ws.recv(timeout=timeout))


def receive_type(ws: ClientConnection, kind: str, *, timeout: float = 5) -> dict[str, Any]:
    """Skip other frames (heartbeats, events) until one of type ``kind``."""
    while True:
        frame = receive(ws, timeout=timeout)
        if frame["type"] == kind:
            return frame


def close_of(ws: ClientConnection, *, timeout: float = 10, answer_pings: bool = False) -> tuple[int, str]:
    """Read until the server closes; the close code and reason the client got
    (1006 when no close frame came at all). ``answer_pings``: stay alive meanwhile."""
    try:
        while True:
            frame = json.loads(ws.recv(timeout=timeout))
            if answer_pings and frame["type"] == "ping":
                ws.send(json.dumps({"type": "pong"}))
    except ConnectionClosed as closed:
        if closed.rcvd is None:
            return 1006, ""
        return closed.rcvd.code, closed.rcvd.reason
