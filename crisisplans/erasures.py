"""The erasure ledger: one line per account deletion, kept OUTSIDE the database.

Deleting an account shreds the member's data key in the live database, but a
backup taken before the deletion still holds it; restoring that backup would
bring the member back. The ledger is what a restore re-applies
(``manage.py reapply_erasures``), so it must not live in anything a restore
rolls back: it is an append-only file at settings.ERASURE_LEDGER_PATH, on its
own volume in production and never beside the database dumps.

Each line is ``{"person_id": int, "deleted_at": iso}``: ids and times only,
never a phone number or a name, so the ledger itself is no copy of anyone.

Hand-written rather than a logging handler: a line must reach the disk
(fsync) before we call it recorded, and several web replicas append to the
same file, so each write is one O_APPEND write under an exclusive flock
(whole lines, never interleaved; flock holds across containers sharing one
host's volume, not across hosts over NFS).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Erasure:
    person_id: int
    deleted_at: datetime


def append_erasure(*, person_id: int, deleted_at: datetime, path: Path | None = None) -> None:
    """Append one line and fsync it; raises OSError when the disk refuses."""
    ledger = Path(path or settings.ERASURE_LEDGER_PATH)
    line = json.dumps({"person_id": person_id, "deleted_at": deleted_at.isoformat()}) + "\n"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        data = line.encode()
        # A regular file takes the whole write at once unless the disk fills;
        # the loop finishes a short write rather than leave half a line.
        while data:
            data = data[os.write(fd, data) :]
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


def record_erasure_on_commit(*, person_id: int, deleted_at: datetime) -> None:
    """After the deletion commits, append its line. A failed write is logged
    at ERROR and the deletion stands: someone asking to be erased is never
    refused, nor their erasure undone, because the ledger's disk is full or
    missing. The operator's error tracking sees the line (with the id, so
    they can append it by hand); the cost of a miss is only that a later
    restore would not re-apply this one deletion."""

    def write() -> None:
        try:
            append_erasure(person_id=person_id, deleted_at=deleted_at)
        except OSError:
            logger.error(
                "erasure ledger: could not record the deletion of person %s at %s in %s",
                person_id,
                deleted_at.isoformat(),
                settings.ERASURE_LEDGER_PATH,
                exc_info=True,
            )

    transaction.on_commit(write)


def read_erasures(path: Path) -> Iterator[Erasure | int]:
    """Every entry in the ledger, in file order; a line that does not parse
    (a crash mid-write, a hand edit gone wrong) is yielded as its line number
    so the caller can say so rather than skip it silently."""
    with open(path, encoding="utf-8") as ledger:
        for number, line in enumerate(ledger, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                erasure = Erasure(
                    person_id=int(entry["person_id"]),
                    deleted_at=datetime.fromisoformat(entry["deleted_at"]),
                )
            except (ValueError, KeyError, TypeError):
                yield number
                continue
            # A time without its zone cannot be compared with --since or
            # date_joined honestly.
            yield erasure if erasure.deleted_at.tzinfo else number
