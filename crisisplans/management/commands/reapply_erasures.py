"""Re-apply the account deletions in the erasure ledger to a (restored) database.

After a backup from before some deletions is restored, the people who deleted
themselves since are back, wrapped data key and all. This deletes each of
them again through the same do_delete_account; run it before the service
starts (scripts/restore does, docs/operations.md "Backups and restore").
Idempotent: someone already gone is counted and left alone.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from crisisplans import actions
from crisisplans.erasures import Erasure, read_erasures
from network.models import Person


def aware_datetime(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("give the time with its zone, e.g. 2026-12-01T02:15:00+00:00")
    return moment


class Command(BaseCommand):
    help = "Delete again every person the erasure ledger says deleted their account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            type=aware_datetime,
            help="only deletions at or after this ISO time (e.g. the dump's time)",
        )
        parser.add_argument("--ledger", type=Path, help="the ledger file (default: ERASURE_LEDGER_PATH)")

    def handle(self, *args: Any, **options: Any) -> None:
        ledger: Path = options["ledger"] or Path(settings.ERASURE_LEDGER_PATH)
        since: datetime | None = options["since"]
        if not ledger.parent.is_dir():
            # A missing folder is a volume not mounted or a wrong path, which
            # would hide every deletion: stop rather than report none.
            raise CommandError(f"No folder {ledger.parent} for the erasure ledger; nothing was changed.")
        if not ledger.exists():
            self.stderr.write(f"No erasure ledger at {ledger}: no deletion has been recorded there.")
        reapplied = gone = 0
        for entry in read_erasures(ledger) if ledger.exists() else ():
            if not isinstance(entry, Erasure):
                self.stderr.write(f"{ledger}: line {entry} is not an erasure entry; skipped.")
                continue
            if since is not None and entry.deleted_at < since:
                continue
            person = Person.objects.filter(pk=entry.person_id).first()
            # Ids are reused after a restore (the sequence goes back with the
            # dump): someone who joined after this deletion is somebody else.
            if person is None or person.date_joined > entry.deleted_at:
                gone += 1
                continue
            actions.do_delete_account(person=person, record_erasure=False)
            reapplied += 1
        self.stdout.write(f"Re-applied {reapplied} deletion(s); {gone} already gone.")
