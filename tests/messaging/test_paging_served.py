"""Paging end to end through a real served stack (issue 17, done when (a)):
daphne, a Celery worker and beat on a SQLite file, with the fake Twilio on
loopback as the only provider. Nobody's device acknowledges an offer, the
push fails, the worker texts through the fake Twilio, the fake Twilio calls
the served daphne back with a signed "delivered" receipt, the peer replies
"1" to the text, and the alert is theirs."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.stack import BASE_DIR, Stack, free_port, wait_for_port
from tests.fakes.twilio import FakeTwilio, twilio_settings
from tests.messaging.served import copy_of, migrated_database, served_env
from tests.messaging.test_faults import wait_for

# The offers' push at 1 s fails (tests.messaging.test_paging.FailingPush: a
# push service answering 500 to everything), so the text goes at once.
SEED = """
import json
from messaging.actions.push import do_subscribe_push
from tests.messaging.conftest import make_crisis

crisis = make_crisis()
for person in crisis.peers:
    do_subscribe_push(person=person, endpoint=f"https://push.example.test/{person.pk}", p256dh="k", auth="a")
alert = crisis.raise_alert("paging-served")
print(json.dumps({
    "alert_id": alert.pk.hex,
    "network_name": crisis.network.name,
    "numbers": {p.phone_number.as_e164: p.pk for p in crisis.peers},
}))
"""


@dataclass
class Run:
    twilio: FakeTwilio
    database: Path
    base_url: str
    directory: Path

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.database, timeout=10)) as db:
            return db.execute(sql, params).fetchall()

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in self.directory.glob("*.log")
        )


@pytest.fixture
def run() -> Iterator[Run]:
    directory = Path(tempfile.mkdtemp(prefix="paging-e2e-"))
    twilio = FakeTwilio().start()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    database = copy_of(migrated_database(), directory)
    env = served_env(
        database,
        **{**twilio_settings(twilio, public_base_url=base_url), "VOICE_BACKEND": ""},
        PUSH_BACKEND="tests.messaging.test_paging.FailingPush",
        WEB_PUSH_ALLOWED_HOSTS="push.example.test",
        ALERT_PUSH_AFTER_SECONDS="1",
        ALERT_SMS_AFTER_PUSH_SECONDS="600",
    )
    stack = Stack(env=env, log_dir=directory)
    try:
        web = stack.start(
            "web",
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        )
        stack.worker("paging-worker")
        stack.beat()
        wait_for_port(port, web)
        out = subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), "shell", "-c", SEED],
            env=env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        run = Run(twilio=twilio, database=database, base_url=base_url, directory=directory)
        run.seed = json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[attr-defined]
        yield run
    finally:
        stack.stop_all(graceful=False)
        twilio.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_a_peer_is_paged_by_text_after_the_push_fails_and_takes_the_alert_by_replying_1(run):
    seed = run.seed
    alert_id = seed["alert_id"]
    # The worker texts every peer offered the alert, through the fake Twilio.
    messages = wait_for(
        lambda: len(run.twilio.messages()) >= 3 and run.twilio.messages(), timeout=60, what="the texts"
    )
    message = messages[0]
    assert message.params["Body"] == (
        f"Someone in {seed['network_name']} needs support. Reply 1 to take it, or open the app."
    )
    assert message.params["StatusCallback"] == f"{run.base_url}/hooks/twilio/status/"
    assert all(ok for _, _, _, ok in run.twilio.requests)  # every request carried our credentials
    person_id = seed["numbers"][message.to]
    # Recorded against the offer: the push failed, the SMS is queued at Twilio.
    rows = dict(
        run.query(
            "SELECT d.transport, d.status FROM messaging_delivery d "
            "JOIN messaging_offer o ON o.id = d.offer_id WHERE o.alert_id = ? AND o.person_id = ?",
            alert_id,
            person_id,
        )
    )
    assert rows == {"push": "failed", "sms": "queued"}

    # Twilio's receipt, signed, to the served daphne.
    assert run.twilio.deliver(message.sid, "delivered").status_code == 200
    assert run.query("SELECT status FROM messaging_delivery WHERE provider_sid = ?", message.sid) == [
        ("delivered",)
    ]
    # A forged one changes nothing.
    forged = run.twilio.post_signed(
        f"{run.base_url}/hooks/twilio/status/",
        {"MessageSid": message.sid, "MessageStatus": "failed"},
        auth_token="not-our-token",
    )
    assert forged.status_code == 403
    assert run.query("SELECT status FROM messaging_delivery WHERE provider_sid = ?", message.sid) == [
        ("delivered",)
    ]

    # The peer replies "1": the alert is theirs.
    answer = run.twilio.text_in(message.to, "1", f"{run.base_url}/hooks/twilio/sms/")
    assert answer.status_code == 200, run.logs()
    assert run.query("SELECT state, taken_by_id FROM messaging_alert WHERE id = ?", alert_id) == [
        ("taken", person_id)
    ]
