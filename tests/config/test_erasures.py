"""The erasure ledger (crisisplans/erasures.py): account deletions recorded
outside the database and re-applied after a restore (docs/operations.md,
"Keys"). A member deletes their account after a backup; restoring that
backup brings them back, wrapped data key and all, until reapply_erasures
deletes them again."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from crisisplans.erasures import append_erasure
from crisisplans.models import DataKey
from network.models import Person
from tests.config.test_backups import ROOT, script, server_url
from tests.crisisplans.factories import full_sections, signed_off_plan

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ledger(settings, monkeypatch, tmp_path) -> Path:
    """A ledger of the test's own, for this process and the scripts it runs."""
    path = tmp_path / "erasures" / "erasures.log"
    settings.ERASURE_LEDGER_PATH = str(path)
    monkeypatch.setenv("ERASURE_LEDGER_PATH", str(path))
    return path


@pytest.fixture
def restore_name():
    name = f"crisisnet_erasure_restore_{os.getpid()}"
    yield name
    with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def present_in(database: str, *, person_id: int) -> dict[str, bool]:
    with psycopg.connect(server_url(database)) as restored:

        def there(table: str, column: str) -> bool:
            query = f'SELECT count(*) FROM "{table}" WHERE "{column}" = %s'
            return restored.execute(query, (person_id,)).fetchone()[0] == 1

        return {
            "person": there(Person._meta.db_table, "id"),
            "data_key": there(DataKey._meta.db_table, "person_id"),
        }


def reapply_in(database: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "reapply_erasures"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": server_url(database)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_restore_brings_a_deleted_member_back_until_the_ledger_is_reapplied(
    ledger, api, member, restore_name, tmp_path
):
    signed_off_plan(owner=member, sections=full_sections())
    source = server_url(connection.settings_dict["NAME"])
    backup = script("backup", str(tmp_path / "dumps"), database_url=source)
    assert backup.returncode == 0, backup.stderr
    dump = backup.stdout.strip().splitlines()[-1]

    deleted = api(member).post("/api/v1/my-account/delete/", {"confirm": "delete my account"}, format="json")
    assert deleted.status_code == 204
    (line,) = ledger.read_text().splitlines()
    entry = json.loads(line)
    assert set(entry) == {"person_id", "deleted_at"}
    assert entry["person_id"] == member.pk
    assert timezone.now() - datetime.fromisoformat(entry["deleted_at"]) < timedelta(minutes=5)
    assert member.phone_number.as_e164.lstrip("+") not in line
    assert member.display_name not in line

    skipped = script("restore", "--no-reapply", dump, restore_name, database_url=server_url("postgres"))
    assert skipped.returncode == 0, skipped.stderr
    assert "Account deletions were NOT re-applied (--no-reapply was given)" in skipped.stderr
    assert "python manage.py reapply_erasures" in skipped.stderr
    assert present_in(restore_name, person_id=member.pk) == {"person": True, "data_key": True}

    restored = script("restore", "--force", dump, restore_name, database_url=server_url("postgres"))
    assert restored.returncode == 0, restored.stderr
    assert "Re-applied 1 deletion(s); 0 already gone." in restored.stdout
    assert present_in(restore_name, person_id=member.pk) == {"person": False, "data_key": False}

    again = reapply_in(restore_name)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "Re-applied 0 deletion(s); 1 already gone."
    assert ledger.read_text() == line + "\n"  # re-applying writes no second line


def test_a_deletion_stands_and_is_logged_at_error_when_the_ledger_cannot_be_written(
    settings, api, member, tmp_path, caplog
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the ledger's folder should be")
    settings.ERASURE_LEDGER_PATH = str(blocked / "erasures.log")

    with caplog.at_level(logging.ERROR, logger="crisisplans.erasures"):
        deleted = api(member).post(
            "/api/v1/my-account/delete/", {"confirm": "delete my account"}, format="json"
        )

    assert deleted.status_code == 204
    assert not Person.objects.filter(pk=member.pk).exists()
    assert not DataKey.objects.filter(person_id=member.pk).exists()
    (record,) = [r for r in caplog.records if r.name == "crisisplans.erasures"]
    assert record.levelno == logging.ERROR
    assert f"deletion of person {member.pk} " in record.getMessage()


def test_reapply_takes_only_entries_since_and_leaves_people_who_reused_an_id(ledger, member, peer, navigator):
    before = timezone.now() - timedelta(days=2)
    # The peer joined after "their" deletion: the id came back with a restore's
    # sequence and belongs to somebody else now.
    Person.objects.filter(pk=peer.pk).update(date_joined=timezone.now())
    append_erasure(person_id=navigator.pk, deleted_at=before)
    ledger.write_text(ledger.read_text() + "not json\n")
    append_erasure(person_id=peer.pk, deleted_at=timezone.now() - timedelta(days=1))
    append_erasure(person_id=member.pk, deleted_at=timezone.now())
    Person.objects.filter(pk=member.pk).update(date_joined=before - timedelta(days=1))

    out, err = io.StringIO(), io.StringIO()
    since = (before + timedelta(hours=1)).isoformat()
    call_command("reapply_erasures", "--since", since, stdout=out, stderr=err)

    assert out.getvalue().strip() == "Re-applied 1 deletion(s); 1 already gone."
    assert "line 2 is not an erasure entry" in err.getvalue()
    assert set(Person.objects.values_list("pk", flat=True)) >= {peer.pk, navigator.pk}
    assert not Person.objects.filter(pk=member.pk).exists()


def test_reapply_refuses_a_ledger_folder_that_is_not_there(tmp_path, member):
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("reapply_erasures", "--ledger", str(tmp_path / "unmounted" / "erasures.log"))
    assert Person.objects.filter(pk=member.pk).exists()


def test_concurrent_appends_from_several_processes_give_whole_lines(tmp_path):
    path = tmp_path / "erasures.log"
    writer = (
        "import sys; from datetime import datetime, timezone\n"
        "from crisisplans.erasures import append_erasure\n"
        "for n in range(300):\n"
        "    append_erasure(person_id=int(sys.argv[1]) * 1000 + n, deleted_at=datetime.now(timezone.utc), "
        "path=sys.argv[2])"
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", writer, str(number), str(path)], cwd=ROOT)
        for number in range(1, 5)
    ]
    assert [process.wait(timeout=60) for process in writers] == [0, 0, 0, 0]

    ids = sorted(json.loads(line)["person_id"] for line in path.read_text().splitlines())
    assert ids == sorted(number * 1000 + n for number in range(1, 5) for n in range(300))
