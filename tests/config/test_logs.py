"""Structured logs and error reports (issue 17): one JSON object per line
with the request's id, no phone number in any line, the readable format
kept for development, and Sentry's events scrubbed before they leave."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sentry_sdk

from bench.stack import Stack, free_port, wait_for_port
from config.logs import before_breadcrumb, before_send, init_error_tracking, mask_phone_numbers
from config.request_id import request_id_for
from config.stack import web_argv, worker_argv
from tests.messaging.served import BASE_DIR, copy_of, migrated_database, served_env

NUMBER = "+447700900123"


def get(port: int, path: str, **headers: str) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["X-Request-ID"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["X-Request-ID"]


def served_output(**env: str) -> tuple[str, list[tuple[int, str]]]:
    """A real daphne as `make run` starts it: three requests, then
    everything it printed, and each request's status and returned id."""
    directory = Path(tempfile.mkdtemp(prefix="logs-"))
    database = copy_of(migrated_database(), directory)
    stack = Stack(env=served_env(database, **env), log_dir=directory)
    port = free_port()
    process = stack.start("web", web_argv(python=sys.executable, host="127.0.0.1", port=port))
    try:
        wait_for_port(port, process)
        answers = [
            # Django logs a 404 with its path, the access log with its path too.
            get(port, f"/api/v1/people/{NUMBER}/", **{"X-Request-ID": "trace-0123456789abcdef"}),
            get(port, "/api/v1/people/07700%20900123/", **{"X-Request-ID": "not well formed <script>"}),
            get(port, "/api/v1/health/live/"),
        ]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.log_path.read_text().count("config.access") < 3:
            time.sleep(0.1)
    finally:
        stack.stop_all(graceful=False)
    output = process.log_path.read_text()
    shutil.rmtree(directory, ignore_errors=True)
    return output, answers


def test_a_request_logged_as_json_has_its_request_id_and_no_phone_number():
    output, answers = served_output(LOG_FORMAT="json")
    (status, kept), (other_status, made), (_, fresh) = answers
    assert (status, other_status) == (404, 404)
    assert kept == "trace-0123456789abcdef"  # a well-formed incoming id is kept...
    assert re.fullmatch(r"[0-9a-f]{32}", made)  # ...anything else replaced
    assert re.fullmatch(r"[0-9a-f]{32}", fresh)
    assert fresh != made

    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    by_id = {}
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= line.keys()
        by_id.setdefault(line["request_id"], []).append(line)
    first = by_id[kept]
    assert {line["logger"] for line in first} == {"django.request", "config.access"}
    assert all("/api/v1/people/[phone]/" in line["message"] for line in first)
    assert {line["logger"] for line in by_id[made]} == {"django.request", "config.access"}
    assert [line["logger"] for line in by_id[fresh]] == ["config.access"]
    assert NUMBER not in output
    assert "7700" not in output


def test_a_worker_logs_json_lines_too_when_asked():
    """Celery replaces the root logger's handler unless told not to
    (CELERY_WORKER_HIJACK_ROOT_LOGGER, off for JSON): its lines then come
    through the same handler, filters and formatter as the web's."""
    directory = Path(tempfile.mkdtemp(prefix="logs-worker-"))
    database = copy_of(migrated_database(), directory)
    stack = Stack(env=served_env(database, LOG_FORMAT="json"), log_dir=directory)
    worker = stack.start("worker", worker_argv(python=sys.executable))  # as `make run` starts it
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "ready." not in worker.log_path.read_text():
            worker.check_alive()
            time.sleep(0.2)
        lines = [
            json.loads(line) for line in worker.log_path.read_text().splitlines() if line.startswith("{")
        ]
    finally:
        stack.stop_all(graceful=False)
        shutil.rmtree(directory, ignore_errors=True)
    ready = [
        line
        for line in lines
        if line["logger"] == "celery.apps.worker" and line["message"].endswith("ready.")
    ]
    assert ready
    assert ready[0]["request_id"] == "-"


def test_development_keeps_the_readable_line_and_masks_numbers_there_too():
    output, _ = served_output()
    access = [line for line in output.splitlines() if " config.access " in line]
    assert len(access) == 3
    for line in access:
        assert re.match(
            r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO config\.access 127\.0\.0\.1 \"GET ", line
        ), line
    assert NUMBER not in output
    assert '"GET /api/v1/people/[phone]/" 404' in output


def test_an_unknown_log_format_stops_the_process_at_start_up():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT must be one of plain, json" in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "+447700900123",
        "+44 7700 900123",
        "+44-20-7946-0000",
        "07700 900123",
        "07700900123",
        "020 7946 0000",
        "447700900123",
        "to 12025550123.",
    ],
)
def test_anything_that_looks_like_a_phone_number_is_masked(text):
    masked = mask_phone_numbers(f"texting {text} now")
    assert "[phone]" in masked
    assert not re.search(r"\d{4}", masked)


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-01 18:55:52,291",
        '127.0.0.1 "GET /api/v1/health/live/" 200 15 3ms',
        "alert 6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f (open)",
        "swept due alert work: steps=2 fallbacks=10",
        "Task succeeded in 0.0123456789s",
        "at 1764614879",
        "SMS to a number ending 123 failed",
    ],
)
def test_what_is_not_a_phone_number_is_left_alone(text):
    assert mask_phone_numbers(text) == text


def test_an_incoming_request_id_is_kept_only_when_well_formed():
    assert request_id_for("0f8fad5b-d9cb-469f-a165-70867728950e") == "0f8fad5b-d9cb-469f-a165-70867728950e"
    for bad in (
        None,
        "",
        "short",
        "has space in it",
        "new\nline-0123456789",
        "x" * 129,
        "ünïcode-0123456789",
    ):
        assert re.fullmatch(r"[0-9a-f]{32}", request_id_for(bad))


@pytest.mark.django_db
def test_every_answer_carries_its_request_id(client):
    response = client.get("/api/v1/health/live/", HTTP_X_REQUEST_ID="lb-request-000000001")
    assert response["X-Request-ID"] == "lb-request-000000001"
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/api/v1/health/live/")["X-Request-ID"])


# --- Sentry ------------------------------------------------------------------------------


def test_before_send_drops_bodies_cookies_credentials_and_local_variables():
    event = {
        "message": f"SMS to {NUMBER} failed",
        "logentry": {"message": "SMS to %s failed", "params": [NUMBER]},
        "request": {
            "url": "https://crisis.example.org/api/v1/calendar/secret-feed-token.ics",
            "method": "POST",
            "data": {"message": "I am not safe tonight", "phone_number": NUMBER},
            "cookies": {"__Host-device": "device-token"},
            "headers": {
                "Authorization": "Token abc",
                "Cookie": "__Host-device=device-token",
                "X-CSRFToken": "csrf",
                "X-Forwarded-For": "203.0.113.9",
                "User-Agent": "Mozilla/5.0",
            },
            "env": {"REMOTE_ADDR": "203.0.113.9"},
            "query_string": f"phone={NUMBER}",
        },
        "user": {"id": 42, "ip_address": "203.0.113.9", "email": "a@example.org"},
        "exception": {
            "values": [
                {
                    "type": "TransportError",
                    "value": f"Twilio refused {NUMBER}",
                    "stacktrace": {
                        "frames": [{"function": "notify", "vars": {"to": NUMBER, "body": "words"}}]
                    },
                }
            ]
        },
        "threads": {"values": [{"stacktrace": {"frames": [{"function": "run", "vars": {"plan": "text"}}]}}]},
        "breadcrumbs": {"values": [{"message": f"texting {NUMBER}"}]},
    }
    scrubbed = before_send(event, {})
    text = json.dumps(scrubbed)
    assert NUMBER not in text
    assert "not safe" not in text
    assert "device-token" not in text
    assert "secret-feed-token" not in text
    assert "203.0.113.9" not in text
    assert "vars" not in text
    request = scrubbed["request"]
    assert set(request) == {"url", "method", "headers", "query_string"}
    assert request["headers"] == {"User-Agent": "Mozilla/5.0"}
    assert request["url"].endswith("/calendar/[redacted].ics")
    assert scrubbed["user"] == {"id": 42}
    assert scrubbed["exception"]["values"][0]["value"] == "Twilio refused [phone]"
    assert scrubbed["logentry"]["params"] == ["[phone]"]
    assert before_breadcrumb({"message": f"to {NUMBER}", "data": {"to": NUMBER}}, {}) == {
        "message": "to [phone]",
        "data": {"to": "[phone]"},
    }


def test_without_a_dsn_nothing_is_started():
    assert init_error_tracking(dsn="", environment="test") is False
    assert not sentry_sdk.get_client().is_active()


def test_with_a_dsn_sentry_starts_without_personal_data_and_with_our_scrubbing():
    """In a process of its own (Sentry instruments Django globally), with a
    DSN on a loopback port where nothing listens: nothing can be sent."""
    code = (
        "import json, sentry_sdk; o = sentry_sdk.get_client().options; "
        "print(json.dumps([sentry_sdk.get_client().is_active(), o['send_default_pii'], "
        "o['include_local_variables'], o['max_request_body_size'], o['before_send'].__module__, "
        "o['before_send'].__name__, o['environment']]))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "SENTRY_DSN": f"http://public@127.0.0.1:{free_port()}/1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        True,
        False,
        False,
        "never",
        "config.logs",
        "before_send",
        "production",
    ]
