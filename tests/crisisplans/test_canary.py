"""A plan holding a canary string: the string appears nowhere in a database
dump, in Redis, in Celery messages or in the logs."""

from __future__ import annotations

import logging
import subprocess

import pytest
import redis
from celery.signals import before_task_publish
from django.conf import settings
from django.db import connection

from tests.crisisplans.factories import CANARY, full_sections, share

pytestmark = pytest.mark.django_db(transaction=True)


def database_dump() -> str:
    if connection.vendor == "postgresql":
        params = connection.get_connection_params()
        command = [
            "pg_dump",
            "--no-owner",
            "-h",
            params.get("host", "127.0.0.1"),
            "-p",
            str(params.get("port", 5432)),
            "-U",
            params.get("user", "postgres"),
            connection.settings_dict["NAME"],
        ]
        env = {"PGPASSWORD": params.get("password") or ""}
        result = subprocess.run(command, capture_output=True, text=True, check=True, env=env, timeout=60)
        return result.stdout
    return "\n".join(connection.connection.iterdump())


def redis_contents() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL)
    parts = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        value = {
            "string": lambda k: client.get(k),
            "list": lambda k: client.lrange(k, 0, -1),
            "hash": lambda k: client.hgetall(k),
            "set": lambda k: client.smembers(k),
            "zset": lambda k: client.zrange(k, 0, -1),
        }.get(kind, lambda k: b"")(key)
        parts.append(f"{key!r}={value!r}")
    client.close()
    return "\n".join(parts)


def test_the_canary_is_nowhere_but_in_the_answers_to_those_allowed(api, member, peer, staff, caplog):
    published = []

    def capture(body=None, headers=None, **kwargs):
        published.append(repr((body, headers)))

    before_task_publish.connect(capture, weak=False)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True  # log every SQL statement and its parameters
    try:
        client = api(member)
        created = client.post("/api/v1/plans/", {"sections": full_sections(text=CANARY)}, format="json")
        plan_id = created.json()["id"]
        client.post(f"/api/v1/plans/{plan_id}/revisions/1/sign-off/", {}, format="json")
        client.post(
            f"/api/v1/plans/{plan_id}/comments/", {"revision": 1, "text": f"note {CANARY}"}, format="json"
        )
        from crisisplans.models import Plan

        share(Plan.objects.get(pk=plan_id), "co_authors", "when_well")
        shown = client.get(f"/api/v1/plans/{plan_id}/").json()
        assert CANARY in shown["sections"]["when_well"]  # the member does get their own words back
        api(staff).post(
            f"/api/v1/plans/{plan_id}/break-glass/", {"reason": f"worried: {CANARY}"}, format="json"
        )
        assert CANARY in client.get("/api/v1/my-data/").content.decode()
    finally:
        connection.force_debug_cursor = False
        before_task_publish.disconnect(capture)

    dump = database_dump()
    assert "crisisplans_revision" in dump  # the dump really holds the plan tables
    assert CANARY not in dump
    assert CANARY.encode().hex() not in dump

    assert published, "break-glass should have queued the owner's notice"
    assert CANARY not in "\n".join(published)

    stored = redis_contents()
    assert stored, "Redis holds the queued task, so this inspection is real"
    assert CANARY not in stored

    logged = "\n".join(record.getMessage() + repr(record.args) for record in caplog.records)
    assert "crisisplans_revision" in logged  # SQL statements were captured
    assert CANARY not in logged
