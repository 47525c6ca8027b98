"""The servers under test, started as subprocesses and always stopped.

PostgreSQL: the server of ``DATABASE_URL`` (default: the machine's, at
127.0.0.1:5432 as postgres), with a database of our own that is created at the
start and dropped at the end. Redis: the server of ``REDIS_URL`` with a
dedicated db index (only that index is flushed), or, when REDIS_URL is unset,
a private server started by ``config.stack.embedded_redis``.

Every process is started in its own session, so it and its children (Celery's
pool) can be killed as a group, on success, failure or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.clients import raise_open_file_limit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


@contextlib.contextmanager
def bench_database(name: str) -> Iterator[str]:
    """Create database ``name`` on the configured PostgreSQL server (dropping a
    leftover), yield its URL, drop it afterwards."""
    import psycopg

    server_url = with_path(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, "/postgres")
    if not server_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("The bench needs PostgreSQL: set DATABASE_URL to a postgres:// URL.")

    def admin(sql: str) -> None:
        with psycopg.connect(server_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            conn.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield with_path(server_url, f"/{name}")
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def bench_redis(db_index: int) -> Iterator[str]:
    """Yield a Redis URL on a dedicated db index, flushed before and after."""
    import redis

    from config.stack import embedded_redis

    with embedded_redis() as url:
        bench_url = with_path(url, f"/{db_index}")
        client = redis.Redis.from_url(bench_url)
        client.flushdb()
        try:
            yield bench_url
        finally:
            with contextlib.suppress(redis.RedisError):
                client.flushdb()
            client.close()


class Process:
    """One supervised subprocess (and its process group)."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.popen = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=raise_open_file_limit,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def kill_hard(self) -> None:
        """SIGKILL to the whole group, no goodbye (the fault in scenario 5)."""
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def stop(self, *, graceful: bool = True) -> None:
        """SIGTERM, then SIGKILL to the group after 3 s; ``graceful=False``:
        SIGKILL at once (a throwaway test server: saves its shutdown)."""
        if self.popen is None:
            return
        if graceful and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=3)
        # Celery's pool children may outlive their parent: sweep the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)

    def check_alive(self) -> None:
        if self.popen is not None and self.popen.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.popen.returncode}); see {self.log_path}")


class Stack:
    """Registry of everything started, so one ``stop_all`` ends it all."""

    def __init__(self, *, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: list[Process] = []

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Process:
        process = Process(name, argv, env={**self.env, **(env or {})}, log_dir=self.log_dir).start()
        self.processes.append(process)
        return process

    def daphne(self, name: str, app: str = "config.asgi:application", **env: str) -> tuple[Process, int]:
        port = free_port()
        process = self.start(
            name, [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app], env=env
        )
        wait_for_port(port, process)
        return process, port

    def worker(self, name: str = "worker") -> Process:
        return self.start(
            name,
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "realtime,default",
                "--concurrency",
                "2",
                "-l",
                "WARNING",
                "-n",
                f"{name}-{os.getpid()}@%h",
            ],
        )

    def beat(self) -> Process:
        schedule = self.log_dir / "celerybeat-schedule"
        return self.start(
            "beat",
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "WARNING", "-s", str(schedule)],
        )

    def stop(self, process: Process) -> None:
        process.stop()
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self, *, graceful: bool = True) -> None:
        for process in reversed(self.processes):
            process.stop(graceful=graceful)
        self.processes.clear()


def wait_for_port(port: int, process: Process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        process.check_alive()
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{process.name} did not listen on {port}; see {process.log_path}")


def wait_until_ready(base_url: str, timeout: float = 60) -> None:
    """The service's readiness probe: database, Redis and a Celery worker answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{base_url}/api/v1/health/ready/", timeout=5),
        ):
            return
        time.sleep(0.3)
    raise RuntimeError(f"{base_url} did not become ready")
