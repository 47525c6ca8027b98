"""Backups and restore (issue 17): scripts/backup and scripts/restore against the
real PostgreSQL. Data made through the real actions is backed up, restored into
a new database, and read back by the service with the same plan master keys;
with other keys the plans stay sealed (docs/operations.md, "Keys")."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from crisisplans.models import DataKey, Revision
from network.models import Membership, Network, Person
from tests.crisisplans.factories import CANARY, full_sections, signed_off_plan

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
MASTER_KEY = "backup-2026:" + base64.b64encode(secrets.token_bytes(32)).decode()
OTHER_KEY = "other-2026:" + base64.b64encode(secrets.token_bytes(32)).decode()


def server_url(name: str) -> str:
    """The test server's URL for database ``name`` (trust auth, as in CI)."""
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def script(name: str, *args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "scripts" / name), *args],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def _own_erasure_ledger(monkeypatch, tmp_path_factory) -> None:
    """scripts/restore re-applies the erasure ledger: give it an empty one of
    this test's (beside, not in, the dumps' tmp_path), not var/'s, which other
    tests' deletions write to."""
    monkeypatch.setenv("ERASURE_LEDGER_PATH", str(tmp_path_factory.mktemp("ledger") / "erasures.log"))


@pytest.fixture
def restore_name() -> Iterator[str]:
    name = f"crisisnet_image_restore_{os.getpid()}"
    yield name
    with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def crisis_plan(settings, member) -> Person:
    """The cast's network and member, and the member's signed-off plan sealed
    under MASTER_KEY through the real actions."""
    settings.PLAN_MASTER_KEYS = [MASTER_KEY]
    signed_off_plan(owner=member, sections=full_sections(text=CANARY))
    return member


def open_plan_in(database: str, *, owner: Person) -> list[str]:
    """The service, on the restored database with MASTER_KEY configured, opens
    the member's signed-off plan; then, with only OTHER_KEY, tries again. One
    process for both: Django's start is most of the cost."""
    code = (
        "import json; from django.test import override_settings; "
        "from crisisplans.actions.reading import decrypt_revision; "
        "from crisisplans.crypto import PlanDecryptionError; from crisisplans.models import Revision; "
        f"revision = Revision.objects.get(plan__owner_id={owner.pk}, number=1); "
        "print(json.dumps(decrypt_revision(revision)))\n"
        f"with override_settings(PLAN_MASTER_KEYS=[{OTHER_KEY!r}]):\n"
        "    try: print('opened:', json.dumps(decrypt_revision(revision)))\n"
        "    except PlanDecryptionError as error: print('refused:', error)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": server_url(database),
        "PLAN_MASTER_KEYS": MASTER_KEY,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-2:]


def counts(url: str) -> dict[str, int]:
    tables = {
        "people": Person._meta.db_table,
        "networks": Network._meta.db_table,
        "memberships": Membership._meta.db_table,
        "revisions": Revision._meta.db_table,
        "data_keys": DataKey._meta.db_table,
    }
    with psycopg.connect(url) as restored:
        return {
            name: restored.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for name, table in tables.items()
        }


def test_a_backup_restores_into_a_new_database_and_its_plans_open_only_with_the_same_keys(
    crisis_plan, restore_name, tmp_path
):
    source = server_url(connection.settings_dict["NAME"])
    backup = script("backup", str(tmp_path), database_url=source)
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.parent == tmp_path
    assert dump.name.startswith("crisisnet-")
    assert dump.suffix == ".dump"
    assert list(tmp_path.iterdir()) == [dump]  # no .partial left behind

    restored = script("restore", str(dump), restore_name, database_url=server_url("postgres"))
    assert restored.returncode == 0, restored.stderr
    assert counts(server_url(restore_name)) == counts(source)
    assert counts(server_url(restore_name))["revisions"] == 1

    opened, with_other_keys = open_plan_in(restore_name, owner=crisis_plan)
    assert json.loads(opened)["when_well"] == f"I cook for friends and {CANARY}."
    # The dump itself holds only ciphertext.
    assert CANARY.encode() not in dump.read_bytes()
    assert with_other_keys == "refused: Master key 'backup-2026' is not configured."


def test_restore_refuses_a_database_that_holds_tables_unless_forced(crisis_plan, restore_name, tmp_path):
    source = server_url(connection.settings_dict["NAME"])
    dump = Path(script("backup", str(tmp_path), database_url=source).stdout.strip().splitlines()[-1])
    with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restore_name}"')
    with psycopg.connect(server_url(restore_name), autocommit=True) as target:
        target.execute("CREATE TABLE kept (note text)")
        target.execute("INSERT INTO kept VALUES ('still here')")

    refused = script("restore", str(dump), restore_name, database_url=server_url("postgres"))
    assert refused.returncode == 1
    assert "already holds 1 table(s); nothing was changed" in refused.stderr
    with psycopg.connect(server_url(restore_name)) as target:
        assert target.execute("SELECT note FROM kept").fetchall() == [("still here",)]
        assert target.execute("SELECT to_regclass('network_person')").fetchone() == (None,)

    forced = script("restore", "--force", str(dump), restore_name, database_url=server_url("postgres"))
    assert forced.returncode == 0, forced.stderr
    assert counts(server_url(restore_name)) == counts(source)


def test_retention_keeps_the_newest_dumps_and_removes_old_ones_only_after_a_good_backup(
    crisis_plan, tmp_path
):
    source = server_url(connection.settings_dict["NAME"])
    old = [tmp_path / f"crisisnet-2026010{day}T030000Z.dump" for day in (1, 2, 3)]
    for file in old:
        file.write_bytes(b"an older dump")
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("not a dump")

    failed = script("backup", "--keep", "1", str(tmp_path), database_url=server_url("no_such_database"))
    assert failed.returncode != 0
    assert sorted(tmp_path.iterdir()) == sorted([*old, unrelated])  # nothing removed, no .partial

    kept = script("backup", "--keep", "2", str(tmp_path), database_url=source)
    assert kept.returncode == 0, kept.stderr
    newest = Path(kept.stdout.strip().splitlines()[0])
    assert sorted(tmp_path.iterdir()) == sorted([old[2], newest, unrelated])

    forty_days_ago = old[2].stat().st_mtime - 40 * 86400
    os.utime(old[2], (forty_days_ago, forty_days_ago))
    aged = script("backup", "--max-age-days", "30", str(tmp_path), database_url=source)
    assert aged.returncode == 0, aged.stderr
    assert old[2] not in list(tmp_path.iterdir())
    assert newest in list(tmp_path.iterdir())
    assert unrelated.exists()
