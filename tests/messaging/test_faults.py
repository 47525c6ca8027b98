"""Faults against real processes: a Celery worker killed with SIGKILL while a
step is due, and Redis restarted in the middle of an alert. (A socket dropped
and resumed by cursor is in test_event_pipeline.py.)"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection
from django.test import override_settings

from config.asgi import application
from config.celery import app as celery_app
from config.settings.base import redis_channel_layer
from config.stack import _free_loopback_port, redis_server_command
from messaging.actions import alerts
from messaging.consumers import CLOSE_SERVICE_RESTART
from messaging.models import Conversation, EscalationStepRun, Event, Offer
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def process_env() -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "ALERT_SWEEP_SECONDS": "1",
    }


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", *args],
        cwd=ROOT,
        env=process_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def worker() -> subprocess.Popen:
    process = start(
        "worker",
        "-Q",
        "realtime,default",
        "--pool",
        "solo",
        "-l",
        "WARNING",
        "-n",
        f"w{time.monotonic_ns()}@test",
    )
    wait_for(lambda: celery_app.control.ping(timeout=0.5), timeout=60, what="a worker to answer")
    return process


def scheduled_step_tasks() -> list:
    scheduled = celery_app.control.inspect(timeout=1).scheduled() or {}
    return [t for tasks in scheduled.values() for t in tasks if t["request"]["name"].endswith("run_due_step")]


@pytest.mark.postgresql
def test_a_step_due_while_the_worker_is_killed_runs_exactly_once_after_a_new_one_starts(crisis):
    crisis.network.escalation_steps = [
        {"audience": "on_call", "wait_seconds": 4},
        {"audience": "navigators_and_staff", "wait_seconds": 600},
    ]
    crisis.network.save(update_fields=["escalation_steps"])
    first = worker()
    replacement = beat = None
    try:
        alert = alerts.do_raise_alert(
            member=crisis.member, network=crisis.network, route_all_networks=False, client_key="fault-1"
        ).alert
        # The fast path is on its way: the worker holds the ETA task for step 1.
        wait_for(scheduled_step_tasks, timeout=20, what="the worker to hold the ETA task")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        alert.refresh_from_db()
        time.sleep(max(0.0, (alert.next_step_due_at - alert.raised_at).total_seconds()) + 1)
        assert not EscalationStepRun.objects.filter(alert=alert, step=1).exists()
        replacement, beat = worker(), start("beat", "-l", "WARNING", "-s", tempfile.mktemp(prefix="beat-"))
        wait_for(
            lambda: EscalationStepRun.objects.filter(alert=alert, step=1).exists(),
            timeout=60,
            what="the sweep to run the step",
        )
        time.sleep(4)  # more sweeps, and any late copy of the task
        assert EscalationStepRun.objects.filter(alert=alert, step=1).count() == 1
        alert.refresh_from_db()
        assert alert.step == 1
        staff_offers = Offer.objects.filter(alert=alert, person__in=[crisis.navigator, crisis.staff])
        assert staff_offers.count() == 2
    finally:
        for process in (first, replacement, beat):
            if process is not None:
                stop(process)


@contextmanager
def private_redis():
    """A Redis server of our own on a loopback port, so it can be restarted."""
    port = _free_loopback_port()
    workdir = tempfile.mkdtemp(prefix="fault-redis-")
    command = redis_server_command(port=port, workdir=workdir)
    state = {"process": None}

    def up() -> None:
        state["process"] = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=port, socket_connect_timeout=0.2)
        wait_for(lambda: _pings(client), timeout=10, what="redis to start")

    def down() -> None:
        state["process"].terminate()
        state["process"].wait(timeout=10)

    up()
    try:
        yield f"redis://127.0.0.1:{port}/0", up, down
    finally:
        if state["process"].poll() is None:
            down()
        shutil.rmtree(workdir, ignore_errors=True)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


async def test_redis_restarted_mid_alert_loses_no_event_and_open_sockets_catch_up(crisis):
    """The pub/sub layer drops what is published while Redis is down. The
    events are in PostgreSQL, and when the layer's subscriber connection comes
    back it wakes every socket of the process, which reads what it missed: a
    restart costs latency, never an event, and the phone need not reconnect.
    A socket whose own layer call fails meanwhile is closed with 4012 so the
    phone reconnects with its cursor."""
    bea, cleo = crisis.peers[:2]
    _, bea_token = await sync_to_async(sign_in)(bea)
    _, cleo_token = await sync_to_async(sign_in)(cleo)
    with private_redis() as (url, redis_up, redis_down):
        layers = {"default": redis_channel_layer([url], prefix=f"fault{time.monotonic_ns()}")}
        with override_settings(CHANNEL_LAYERS=layers):
            bea_socket = WebsocketCommunicator(
                application, "/ws/v1/", headers=[(b"authorization", f"Token {bea_token}".encode())]
            )
            cleo_socket = WebsocketCommunicator(
                application, "/ws/v1/", headers=[(b"authorization", f"Token {cleo_token}".encode())]
            )
            try:
                for socket in (bea_socket, cleo_socket):
                    assert (await socket.connect())[0]
                    assert (await socket.receive_json_from(timeout=3))["type"] == "hello"
                raised = await sync_to_async(alerts.do_raise_alert)(
                    member=crisis.member,
                    network=crisis.network,
                    route_all_networks=False,
                    client_key="redis-1",
                )
                alert = raised.alert
                offered = await bea_socket.receive_json_from(timeout=5)
                assert offered["type"] == "alert.offered"
                cursor = offered["seq"]
                assert (await cleo_socket.receive_json_from(timeout=5))["type"] == "alert.offered"

                await sync_to_async(redis_down)()
                # Cleo takes it while Redis is gone: stored, though nobody can be woken.
                await sync_to_async(alerts.do_accept_alert)(alert_id=alert.pk, person=cleo)
                stored = await sync_to_async(
                    lambda: list(
                        Event.objects.filter(person=bea).order_by("seq").values_list("seq", flat=True)
                    )
                )()
                assert stored == list(range(1, cursor + 2))
                # Cleo types to the member while Redis is gone: her socket's own
                # layer call fails, and it is closed for a reconnect.
                conversation_id = await sync_to_async(lambda: str(Conversation.objects.get(alert=alert).pk))()
                await cleo_socket.send_json_to(
                    {"type": "typing", "conversation_id": conversation_id, "state": "start"}
                )
                closed = await _next_output_of_kind(cleo_socket, "websocket.close", timeout=20)
                assert closed["code"] == CLOSE_SERVICE_RESTART

                await sync_to_async(redis_up)()
                # Bea's socket stayed open; once the layer is back it reads what it missed.
                missed = await _next_event(bea_socket, timeout=20)
                assert (missed["type"], missed["seq"]) == ("alert.withdrawn", cursor + 1)
                assert missed["data"] == {"alert_id": str(alert.pk), "reason": "taken"}
                # And live delivery works again on the restarted Redis.
                await sync_to_async(alerts.do_hand_over_alert)(alert_id=alert.pk, person=cleo, to=bea)
                live = await _next_event(bea_socket, timeout=5)
                assert (live["type"], live["seq"], live["data"]["kind"]) == (
                    "alert.offered",
                    cursor + 2,
                    "handover",
                )
            finally:
                await bea_socket.disconnect()


async def _next_output_of_kind(socket: WebsocketCommunicator, kind: str, *, timeout: float) -> dict:
    """Skip frames (heartbeats, error frames) until the socket sends ``kind``."""
    deadline = time.monotonic() + timeout
    while True:
        output = await socket.receive_output(timeout=max(0.1, deadline - time.monotonic()))
        if output["type"] == kind:
            return output


async def _next_event(socket: WebsocketCommunicator, *, timeout: float) -> dict:
    """The next frame that is not a heartbeat."""
    deadline = time.monotonic() + timeout
    while True:
        frame = await socket.receive_json_from(timeout=max(0.1, deadline - time.monotonic()))
        if frame["type"] != "ping":
            return frame


def test_the_reconnect_wake_is_the_wake_the_consumer_handles():
    from messaging.realtime import WAKE_MESSAGE

    assert settings.RECONNECT_MESSAGE == WAKE_MESSAGE
