"""Client addresses for rate limits and logs: proxy headers are trusted only
when NUM_PROXIES says a proxy is in front (issue 12, item 7).

Found against the compose deployment when its web port was published directly:
each forged X-Forwarded-For got a fresh per-address budget. So the first tests
run daphne exactly as the image's CMD starts it, published directly with the
settings' default (no proxy), and forge the headers from outside. The compose
file now puts Caddy in front with NUM_PROXIES=1: tests/config/test_image.py
runs the real deploy/Caddyfile for that."""

from __future__ import annotations

import json
import re
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings

from bench.stack import Stack, free_port, wait_for_port
from foundation.client_address import client_address

ROOT = Path(__file__).resolve().parents[2]
FORGED = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5"]


def image_web_argv(port: int) -> list[str]:
    """The Dockerfile's CMD, bound to loopback on a free port."""
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M).group(1))
    assert cmd[0] == "daphne"
    argv = list(cmd[1:])
    argv[argv.index("-b") + 1] = "127.0.0.1"
    argv[argv.index("-p") + 1] = str(port)
    return [sys.executable, "-m", "daphne", *argv]


@pytest.fixture
def web() -> Iterator:
    """``web(**env)`` starts the image's web command with production settings
    and returns its port."""
    directory = Path(tempfile.mkdtemp(prefix="client-address-"))
    stack = Stack(
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "k" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
            "REDIS_URL": settings.REDIS_URL,
            "PLAN_MASTER_KEYS": "test:cHJvZHVjdGlvbi1tYXN0ZXIta2V5LW9mLTMyYnl0ZXM=",
            "SMS_BACKEND": "foundation.transports.sms.LocmemSmsBackend",
            "PUSH_BACKEND": "foundation.transports.push.LocmemPushBackend",
            "THROTTLE_LOGIN_CODE_ADDRESS": "3/hour",
            "PYTHONUNBUFFERED": "1",
        },
        log_dir=directory,
    )

    def start(**env: str) -> int:
        port = free_port()
        process = stack.start("web", image_web_argv(port), env=env)
        wait_for_port(port, process)
        return port

    yield start
    stack.stop_all(graceful=False)


def ask_for_code(port: int, forwarded_for: str) -> int:
    """A code request the per-address limit counts (a malformed number, so no
    database work and no text), with a forged X-Forwarded-For."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/code/",
        data=b'{"phone_number": "not a number"}',
        headers={
            "Content-Type": "application/json",
            "X-Forwarded-For": forwarded_for,
            # As the load balancer (and the compose healthcheck) send it.
            "X-Forwarded-Proto": "https",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_forged_forwarded_for_gets_no_fresh_budget_with_no_proxy_configured(web):
    # With no proxy there is no TLS here either, so plain HTTP would only be
    # redirected (next test): what is under test is the client's address.
    port = web(SECURE_SSL_REDIRECT="false")
    answers = [ask_for_code(port, forged) for forged in FORGED]
    assert answers == [400, 400, 400, 429, 429]


def test_a_forged_forwarded_proto_does_not_skip_the_https_redirect_with_no_proxy_configured(web):
    port = web()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/me/", headers={"X-Forwarded-Proto": "https"}
    )
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(request, timeout=10)
    assert answer.value.code == 301
    assert answer.value.headers["Location"].startswith("https://")
    # The orchestrator's probe speaks plain HTTP from inside and is exempt.
    with opener.open(f"http://127.0.0.1:{port}/api/v1/health/live/", timeout=10) as health:
        assert health.status == 200


def test_behind_one_proxy_the_address_it_saw_is_the_client(web):
    port = web(NUM_PROXIES="1")
    # The proxy appends the address it received the request from; whatever
    # the client wrote before it is the client's own invention.
    client = "198.51.100.7"
    answers = [ask_for_code(port, f"{forged}, {client}") for forged in FORGED]
    assert answers == [400, 400, 400, 429, 429]
    assert ask_for_code(port, f"{FORGED[0]}, 198.51.100.8") == 400


def test_the_helper_uses_the_socket_address_unless_a_proxy_is_configured():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.99"
    )
    assert client_address(request) == "192.0.2.10"
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}):
        assert client_address(request) == "192.0.2.99"
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": 2}):
        assert client_address(request) == "203.0.113.9"
        bare = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10")
        assert client_address(bare) == "192.0.2.10"
