"""`make run` (python -m config.stack run) supervises its processes: SIGKILL of
the Celery worker used to end web, beat and the embedded Redis too, and no
escalation step ran until a person restarted the stack. The stack here is the
real one, on SQLite in a temporary directory and a free port."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.stack import BASE_DIR, free_port, wait_until_ready
from tests.messaging.test_faults import wait_for

# Amara raises an alert in the demo network; its first step is due soon after.
RAISE = """
import json
from messaging.actions import alerts
from network.models import Network, Person

network = Network.objects.get(slug="croydon-sun")
network.escalation_steps = [
    {"audience": "on_call", "wait_seconds": %(wait)d},
    {"audience": "navigators_and_staff", "wait_seconds": 600},
]
network.save(update_fields=["escalation_steps"])
alert = alerts.do_raise_alert(
    member=Person.objects.get(phone_number="+447700800001"), network=network,
    route_all_networks=False, client_key="stack-test",
).alert
print(json.dumps({"alert_id": alert.pk.hex, "due": alert.next_step_due_at.timestamp()}))
"""


class RunningStack:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.log = directory / "stack.log"
        self.port = free_port()
        self.database = directory / "db.sqlite3"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CHANNEL_REDIS_URLS")
        }
        self.env = {
            **env,
            "DATABASE_URL": f"sqlite:///{self.database}",
            "PORT": str(self.port),
            "STACK_STATE_DIR": str(directory),
            "ALERT_SWEEP_SECONDS": "1",
        }
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "config.stack", "run"],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def pids(self) -> dict[str, int]:
        """The stack's processes now, found by their command lines among the
        run command's descendants (a Celery worker's pool children left out)."""
        return {name: pid for pid, (name, _) in self._processes().items()}

    def _processes(self) -> dict[int, tuple[str, list[str]]]:
        children: dict[int, list[int]] = {}
        commands: dict[int, list[str]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
                commands[int(entry)] = Path(f"/proc/{entry}/cmdline").read_bytes().decode().split("\0")
        found: dict[int, tuple[str, list[str]]] = {}
        todo = [(self.process.pid, "")]
        while todo:
            pid, parent_kind = todo.pop()
            for child in children.get(pid, []):
                command = commands.get(child, [])
                if not any(command) or not alive(child):
                    # Exiting (its command line is already gone) or dead: what
                    # it still parents are orphans on their way out (a killed
                    # worker's pool), not the stack's processes.
                    continue
                kind = _kind(command)
                if kind and kind != parent_kind:
                    found[child] = (kind, command)
                todo.append((child, kind or parent_kind))
        return found

    def redis_url(self) -> str:
        for kind, command in self._processes().values():
            if kind == "redis":
                # redis-server rewrites its command line to "redis-server HOST:PORT".
                port = re.search(r"127\.0\.0\.1:(\d+)", " ".join(command)).group(1)
                return f"redis://127.0.0.1:{port}/0"
        raise AssertionError("no embedded Redis")

    def kill(self, name: str) -> int:
        pid = self.pids()[name]
        os.kill(pid, signal.SIGKILL)
        return pid

    def wait_restarted(self, name: str, old_pid: int, *, timeout: float) -> int:
        return wait_for(
            lambda: self.pids().get(name) if self.pids().get(name) not in (None, old_pid) else None,
            timeout=timeout,
            what=f"{name} to be restarted",
        )

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                raise
        return self.process.returncode


def _kind(command: list[str]) -> str:
    line = " ".join(command)
    if "redis-server" in line:
        return "redis"
    if "daphne" in line:
        return "web"
    if "celery" in line and " worker" in line:
        return "worker"
    if "celery" in line and " beat" in line:
        return "beat"
    return ""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):
        # A zombie is dead too.
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def step_run(database: Path, alert_id: str) -> tuple[datetime, datetime] | None:
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as db:
        row = db.execute(
            "SELECT due_at, ran_at FROM messaging_escalationsteprun WHERE alert_id = ? AND step = 1",
            (alert_id,),
        ).fetchone()
    return tuple(datetime.fromisoformat(value) for value in row) if row else None


def test_each_killed_process_comes_back_alone_and_a_due_step_still_runs_on_time():
    directory = Path(tempfile.mkdtemp(prefix="stack-test-"))
    stack = RunningStack(directory)
    try:
        wait_until_ready(f"http://127.0.0.1:{stack.port}", timeout=60)
        started = stack.pids()
        assert set(started) == {"redis", "web", "worker", "beat"}
        idle_from = len(stack.text().splitlines())
        raised = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", RAISE % {"wait": 4}],
            cwd=BASE_DIR,
            env={
                **stack.env,
                "REDIS_URL": stack.redis_url(),
                "DJANGO_SETTINGS_MODULE": "config.settings.local",
            },
            check=True,
            capture_output=True,
            text=True,
        )
        alert = json.loads(raised.stdout.strip().splitlines()[-1])

        # The worker dies just before the step is due (it held the step's ETA task).
        time.sleep(max(0.0, alert["due"] - time.time() - 0.5))
        worker = stack.kill("worker")
        new_worker = stack.wait_restarted("worker", worker, timeout=5)
        ran = wait_for(
            lambda: step_run(stack.database, alert["alert_id"]), timeout=15, what="the step to run"
        )
        due_at, ran_at = ran
        # About 3 s: the restart (0.2 s), the new worker's start (2 to 3 s on a
        # quiet 2-core machine, 3.5 to 4 s with a browser test on the other core;
        # Django's setup alone is about 2 s now) and the next once-a-second sweep.
        # A lost step would wait for Redis's hour-long visibility timeout, or never run.
        assert (ran_at - due_at).total_seconds() <= 6, (due_at, ran_at)
        assert {n: p for n, p in stack.pids().items() if n != "worker"} == {
            n: p for n, p in started.items() if n != "worker"
        }
        assert all(alive(pid) for pid in stack.pids().values())

        for name in ("web", "beat"):
            before = stack.pids()
            old = stack.kill(name)
            stack.wait_restarted(name, old, timeout=5)
            after = stack.pids()
            assert {n: p for n, p in after.items() if n != name} == {
                n: p for n, p in before.items() if n != name
            }
            assert all(alive(pid) for pid in after.values())
        wait_until_ready(f"http://127.0.0.1:{stack.port}", timeout=15)
        assert stack.pids()["worker"] == new_worker
        assert f"stack: worker (pid {worker}) died (signal 9); restarting" in stack.text()

        # The embedded Redis comes back on its port (a worker that exits when
        # its broker goes is restarted too), and the stack serves again.
        web = stack.pids()["web"]
        stack.wait_restarted("redis", stack.kill("redis"), timeout=5)
        wait_until_ready(f"http://127.0.0.1:{stack.port}", timeout=20)
        assert stack.pids()["web"] == web

        # Item 18: the once-a-second sweeps said nothing, except the one that ran the step.
        sweep_lines = [
            line
            for line in stack.text().splitlines()[idle_from:]
            if re.search("sweep|swept", line, re.IGNORECASE)
            and " . messaging.tasks." not in line  # a worker's banner
        ]
        assert all(re.search(r"\] swept [a-z ]+: ([a-z_]+=[1-9]\d* ?)+$", line) for line in sweep_lines), (
            sweep_lines
        )
        assert [line for line in sweep_lines if "swept due alert work: steps=1" in line]
    finally:
        pids = stack.pids()
        code = stack.stop()
    # SIGTERM stops everything, cleanly.
    assert code == 0
    assert not [name for name, pid in pids.items() if alive(pid)]
