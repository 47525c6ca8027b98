"""The dead-man's switch (issue 17): the escalation sweep writes a heartbeat,
readiness fails when it is older than SWEEP_STALE_AFTER, and an operator's
outside check is pinged only while the sweep runs. Proven on a real stack
(daphne, a Celery worker and beat, as `make run` starts them) whose beat is
killed, and in-process for the rules around it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.stack import Stack
from config.celery import app as celery_app
from messaging import metrics, tasks
from tests.messaging.served import copy_of, migrated_database, served_env

STALE_AFTER = 3.0


class FakeHeartbeatCheck:
    """A loopback stand-in for the operator's outside check (healthchecks.io
    answers a ping GET with "OK"): records each ping's method and path."""

    def __init__(self, *, status: int = 200) -> None:
        pings: list[tuple[str, str, float]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                pings.append(("GET", self.path, time.time()))
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"OK")

            def do_POST(self) -> None:
                pings.append(("POST", self.path, time.time()))
                self.send_response(405)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.pings = pings
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ping/5f2b-check"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def heartbeat_check() -> Iterator[FakeHeartbeatCheck]:
    check = FakeHeartbeatCheck()
    yield check
    check.close()


def readiness(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health/ready/", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_readiness_fails_within_the_set_time_once_beat_is_killed(heartbeat_check):
    directory = Path(tempfile.mkdtemp(prefix="deadman-"))
    database = copy_of(migrated_database(), directory)
    env = served_env(
        database,
        SWEEP_STALE_AFTER=str(STALE_AFTER),
        ALERT_SWEEP_SECONDS="1",
        SWEEP_HEARTBEAT_URL=heartbeat_check.url,
    )
    stack = Stack(env=env, log_dir=directory)
    try:
        _, port = stack.daphne("web")
        stack.worker()
        # Asked directly: a readiness check now would start the sweep's grace.
        wait_for(lambda: celery_app.control.ping(timeout=0.5), timeout=60, what="a worker to answer")

        # No beat yet: no heartbeat, so the grace counts from the first check that found none...
        _, body = readiness(port)
        first_check = time.monotonic()
        assert body["checks"]["sweep"] is True
        assert body["sweep_last_run_seconds_ago"] is None
        # ...and readiness fails once it is over, without anything pinged.
        _, body = wait_for(
            lambda: (answer := readiness(port))[0] == 503 and answer,
            timeout=STALE_AFTER + 10,
            what="no sweep",
        )
        assert time.monotonic() - first_check >= STALE_AFTER
        assert body["status"] == "unavailable"
        assert body["checks"] == {"database": True, "redis": True, "worker": True, "sweep": False}
        assert heartbeat_check.pings == []

        beat = stack.beat()
        _, body = wait_for(
            lambda: (answer := readiness(port))[0] == 200 and answer, timeout=60, what="beat's first sweep"
        )
        assert body["checks"]["sweep"] is True
        assert body["sweep_last_run_seconds_ago"] <= STALE_AFTER
        wait_for(lambda: heartbeat_check.pings, timeout=20, what="the outside check to be pinged")
        assert [(method, path) for method, path, _ in heartbeat_check.pings] == [("GET", "/ping/5f2b-check")]

        os.killpg(beat.pid, signal.SIGKILL)
        beat.popen.wait()
        killed = time.monotonic()
        _, body = wait_for(
            lambda: (answer := readiness(port))[0] == 503 and answer,
            timeout=STALE_AFTER + 15,
            what="readiness to fail after beat was killed",
        )
        # The last sweep ran at most a second before the kill, plus one probe's time.
        assert time.monotonic() - killed <= STALE_AFTER + 3
        assert body["checks"]["sweep"] is False
        # Failing once older than STALE_AFTER; the age is shown to a tenth of a second.
        assert body["sweep_last_run_seconds_ago"] >= STALE_AFTER
        assert {key: body["checks"][key] for key in ("database", "redis", "worker")} == dict.fromkeys(
            ("database", "redis", "worker"), True
        )
        # Pinged once a minute at most, and not since.
        assert len(heartbeat_check.pings) == 1
    finally:
        stack.stop_all(graceful=False)
        shutil.rmtree(directory, ignore_errors=True)


# --- the rules around it, in-process -----------------------------------------------------

# Longer than a readiness check can take on a loaded machine (it waits up to
# a second for a worker that is not there).
STALE_IN_PROCESS = 30.0


def sweep_check(client) -> tuple[int, dict]:
    response = client.get("/api/v1/health/ready/")
    return response.status_code, response.json()


@pytest.mark.django_db
def test_the_sweep_writes_the_heartbeat_readiness_reads(client, settings):
    settings.SWEEP_STALE_AFTER = STALE_IN_PROCESS
    assert metrics.last_sweep_run() is None
    tasks.sweep_due_alert_work()
    assert time.time() - metrics.last_sweep_run() < 5
    _, body = sweep_check(client)
    assert body["checks"]["sweep"] is True
    assert 0 <= body["sweep_last_run_seconds_ago"] < STALE_IN_PROCESS


@pytest.mark.django_db
def test_a_heartbeat_older_than_the_set_time_fails_readiness(client, settings):
    settings.SWEEP_STALE_AFTER = STALE_IN_PROCESS
    metrics.record_sweep_heartbeat(at=time.time() - STALE_IN_PROCESS - 1)
    status, body = sweep_check(client)
    assert status == 503
    assert body["checks"]["sweep"] is False
    assert body["sweep_last_run_seconds_ago"] > STALE_IN_PROCESS


@pytest.mark.django_db
def test_with_no_heartbeat_yet_the_grace_counts_from_the_first_check_for_every_process(client, settings):
    """A fresh Redis (first deploy, or Redis restarted): not failed at once,
    and not forever either. The grace is in Redis, so a web process started
    later does not get a grace of its own."""
    settings.SWEEP_STALE_AFTER = STALE_IN_PROCESS
    first_check = time.time() - STALE_IN_PROCESS - 1  # as if another web process had asked then
    assert metrics.sweep_awaited_since(now=first_check) == first_check
    assert metrics.sweep_awaited_since(now=time.time()) == first_check
    status, body = sweep_check(client)
    assert status == 503
    assert body["checks"]["sweep"] is False
    assert body["sweep_last_run_seconds_ago"] is None
    tasks.sweep_due_alert_work()
    assert sweep_check(client)[1]["checks"]["sweep"] is True


@pytest.mark.django_db
def test_readiness_says_the_sweep_is_unknown_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    status, body = sweep_check(client)
    assert status == 503
    assert body["checks"]["redis"] is False
    assert body["checks"]["sweep"] is False


@pytest.mark.django_db
def test_the_outside_check_is_claimed_once_a_minute_across_workers(settings, heartbeat_check):
    settings.SWEEP_HEARTBEAT_URL = heartbeat_check.url
    assert metrics.record_sweep_heartbeat() is True
    assert metrics.record_sweep_heartbeat() is False  # another worker's sweep, a second later
    settings.SWEEP_HEARTBEAT_URL = ""
    assert metrics.record_sweep_heartbeat() is False


def test_a_ping_is_a_short_get_and_a_failing_check_is_logged_without_its_url(
    heartbeat_check, settings, caplog
):
    settings.SWEEP_HEARTBEAT_URL = heartbeat_check.url
    assert tasks.ping_sweep_heartbeat() is True
    assert [(method, path) for method, path, _ in heartbeat_check.pings] == [("GET", "/ping/5f2b-check")]

    closed = FakeHeartbeatCheck()
    closed.close()  # nothing listens there any more
    settings.SWEEP_HEARTBEAT_URL = closed.url
    with caplog.at_level("WARNING", logger="messaging.metrics"):
        assert tasks.ping_sweep_heartbeat() is False
    assert [r.getMessage() for r in caplog.records] == ["sweep heartbeat ping failed: URLError"]
    assert "5f2b-check" not in caplog.text


def test_no_heartbeat_url_pings_nothing(settings):
    settings.SWEEP_HEARTBEAT_URL = ""
    assert tasks.ping_sweep_heartbeat() is False
