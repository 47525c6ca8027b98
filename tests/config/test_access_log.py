"""A calendar feed's URL carries its secret token, and the access log wrote it
on every fetch (issue 12, item 11). Shown through a real daphne started as
`make run` and as the image start it, with what they print."""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from bench.stack import Stack, free_port, wait_for_port
from config.logs import RedactSecrets
from config.stack import web_argv
from tests.config.test_client_address import image_web_argv
from tests.messaging.served import copy_of, manage, migrated_database

SEED = """
from network.actions import do_create_calendar_feed
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory
person = PersonFactory()
network = NetworkFactory()
MembershipFactory(person=person, network=network)
print(do_create_calendar_feed(person=person, network=network, scope="mine")[1])
"""

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k" * 50,
    "ALLOWED_HOSTS": "127.0.0.1",
    "PLAN_MASTER_KEYS": "test:cHJvZHVjdGlvbi1tYXN0ZXIta2V5LW9mLTMyYnl0ZXM=",
    "SMS_BACKEND": "foundation.transports.sms.LocmemSmsBackend",
    "PUSH_BACKEND": "foundation.transports.push.LocmemPushBackend",
    # No TLS proxy in front of this test server: plain HTTP, as compose's
    # defaults would only redirect it (tests/config/test_client_address.py).
    "SECURE_SSL_REDIRECT": "false",
}


@pytest.fixture(scope="module")
def feed_database() -> Iterator[tuple[Path, str]]:
    """A migrated SQLite file with one calendar feed, and the feed's token."""
    directory = Path(tempfile.mkdtemp(prefix="access-log-"))
    database = copy_of(migrated_database(), directory)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        # Feed tokens are stored as a hash keyed with the secret key.
        "SECRET_KEY": PRODUCTION["SECRET_KEY"],
    }
    out = manage("shell", "-c", SEED, env=env)
    yield database, out.strip().splitlines()[-1]
    shutil.rmtree(directory, ignore_errors=True)


def fetch(port: int, path: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def served_output(argv_for_port, env: dict[str, str], token: str) -> str:
    """Start the server, fetch the feed (and a revoked-looking one, which
    Django logs as a 404), stop it, and return everything it printed."""
    directory = Path(tempfile.mkdtemp(prefix="access-log-run-"))
    stack = Stack(
        env={**os.environ, "REDIS_URL": settings.REDIS_URL, "PYTHONUNBUFFERED": "1", **env}, log_dir=directory
    )
    port = free_port()
    process = stack.start("web", argv_for_port(port))
    try:
        wait_for_port(port, process)
        assert fetch(port, f"/api/v1/calendar/{token}.ics") == 200
        assert fetch(port, f"/api/v1/calendar/{token[::-1]}.ics") == 404
        # A plan share's link is its code; an unknown one is a 404 Django logs too.
        assert fetch(port, f"/s/{SHARE_CODE}") == 404
        time.sleep(0.5)
    finally:
        stack.stop_all()
    output = process.log_path.read_text()
    shutil.rmtree(directory, ignore_errors=True)
    return output


SHARE_CODE = "Q7RM-4XKD-9W"


def assert_logged_without_token(output: str, token: str) -> None:
    assert token not in output
    assert token[::-1] not in output
    assert SHARE_CODE not in output
    assert re.search(r'\\?"GET /s/\[redacted\]\\?" 404', output), output
    # The fetches are still in the access log, with the token redacted (the
    # image logs JSON lines, where the quotes are escaped).
    assert re.search(r'\\?"GET /api/v1/calendar/\[redacted\]\.ics\\?" 200', output), output
    assert re.search(r'\\?"GET /api/v1/calendar/\[redacted\]\.ics\\?" 404', output), output


def test_make_run_logs_feed_fetches_without_the_token(feed_database):
    database, token = feed_database
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": PRODUCTION["SECRET_KEY"],
    }
    output = served_output(
        lambda port: web_argv(python=sys.executable, host="127.0.0.1", port=port), env, token
    )
    assert_logged_without_token(output, token)


@pytest.fixture(scope="module")
def image_static() -> Iterator[str]:
    """The image's collected static files (the Dockerfile runs collectstatic at
    build; production's manifest storage refuses a file it has not collected,
    as the plan share page's stylesheet)."""
    directory = tempfile.mkdtemp(prefix="image-static-")
    env = {
        **os.environ,
        **PRODUCTION,
        "DATABASE_URL": "sqlite:////tmp/build.sqlite3",
        "REDIS_URL": settings.REDIS_URL,
        "STATIC_ROOT": directory,
    }
    manage("collectstatic", "--noinput", env=env)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def test_the_image_logs_feed_fetches_without_the_token(feed_database, image_static):
    database, token = feed_database
    env = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{database}", "STATIC_ROOT": image_static}
    output = served_output(image_web_argv, env, token)
    assert_logged_without_token(output, token)


def test_any_log_line_that_carries_a_feed_path_is_redacted():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/api/v1/calendar/s3cr3t-T0ken_x.ics",),
        None,
    )
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "Not Found: /api/v1/calendar/[redacted].ics"


def test_any_log_line_that_carries_a_plan_share_code_is_redacted():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/s/Q7RM4XKD9W/fhir",), None
    )
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "Not Found: /s/[redacted]/fhir"


def test_any_log_line_that_carries_a_voice_page_token_is_redacted():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Forbidden: %s",
        ("/hooks/twilio/voice/Zq3_tOkEn-9/gather/",),
        None,
    )
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "Forbidden: /hooks/twilio/voice/[redacted]/gather/"
