"""Every write of personal maps and the community asset directory."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from foundation.problems import Conflict
from network.models import Asset, AssetReport, Network, Person, Tie


def do_create_tie(*, owner: Person, **fields: Any) -> Tie:
    if fields.get("linked_person") is not None and fields["linked_person"].pk == owner.pk:
        raise ValidationError({"linked_person": ["A tie is to someone else."]})
    return Tie.objects.create(owner=owner, **fields)


def do_update_tie(*, tie: Tie, **fields: Any) -> Tie:
    if fields.get("linked_person") is not None and fields["linked_person"].pk == tie.owner_id:
        raise ValidationError({"linked_person": ["A tie is to someone else."]})
    for name, value in fields.items():
        setattr(tie, name, value)
    tie.updated_at = timezone.now()
    tie.save(update_fields=[*fields, "updated_at"])
    return tie


def do_delete_tie(*, tie: Tie) -> None:
    tie.delete()


def do_create_asset(*, network: Network, actor: Person, **fields: Any) -> Asset:
    return Asset.objects.create(network=network, created_by=actor, last_checked_at=timezone.now(), **fields)


def do_update_asset(*, asset: Asset, **fields: Any) -> Asset:
    """An edit by a navigator counts as checking the entry."""
    for name, value in fields.items():
        setattr(asset, name, value)
    asset.last_checked_at = timezone.now()
    asset.save(update_fields=[*fields, "last_checked_at"])
    return asset


def do_check_asset(*, asset: Asset) -> Asset:
    """A navigator looked at the entry and it is still right."""
    asset.last_checked_at = timezone.now()
    asset.save(update_fields=["last_checked_at"])
    return asset


@dataclass
class HsdsEntry:
    """One service of an HSDS document, read by network/hsds.py: its id, our
    fields for it, where in the file it was, the day it was last checked."""

    hsds_id: uuid.UUID
    path: str
    fields: dict[str, Any]
    last_checked_on: date | None


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _checked_at(day: date) -> datetime:
    """The start of ``day`` here: when an entry whose HSDS assured_date is ``day`` was checked."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _differs(asset: Asset, name: str, value: Any) -> bool:
    if name == "phone":
        return str(asset.phone or "") != str(value or "")
    return bool(getattr(asset, name) != value)


BATCH = 500


def do_import_hsds(*, network: Network, actor: Person, entries: list[HsdsEntry]) -> ImportCounts:
    """Create or update the network's entries by HSDS id, all in one
    transaction. Entries the file does not name are left as they are. An
    entry counts as checked on the file's assured_date, if it gives one."""
    counts = ImportCounts()
    with transaction.atomic():
        existing = {
            a.hsds_id: a
            for a in Asset.objects.select_for_update().filter(
                network=network, hsds_id__in=[e.hsds_id for e in entries]
            )
        }
        new: list[Asset] = []
        changed: list[Asset] = []
        changed_fields: set[str] = set()
        for entry in entries:
            checked = _checked_at(entry.last_checked_on) if entry.last_checked_on else None
            asset = existing.get(entry.hsds_id)
            if asset is None:
                new.append(
                    Asset(
                        network=network,
                        hsds_id=entry.hsds_id,
                        created_by=actor,
                        last_checked_at=checked,
                        **entry.fields,
                    )
                )
                continue
            names = [name for name, value in entry.fields.items() if _differs(asset, name, value)]
            if checked is not None and (
                asset.last_checked_at is None
                or timezone.localdate(asset.last_checked_at) != entry.last_checked_on
            ):
                asset.last_checked_at = checked
                names.append("last_checked_at")
            if not names:
                counts.unchanged += 1
                continue
            for name in names:
                if name != "last_checked_at":
                    setattr(asset, name, entry.fields[name])
            changed.append(asset)
            changed_fields.update(names)
        try:
            Asset.objects.bulk_create(new, batch_size=BATCH)
        except IntegrityError:
            raise Conflict("Someone else imported these entries at the same time. Try again.") from None
        if changed:
            Asset.objects.bulk_update(changed, sorted(changed_fields), batch_size=BATCH)
    counts.created, counts.updated = len(new), len(changed)
    return counts


def do_report_asset(*, asset: Asset, person: Person, kind: str, note: str = "") -> AssetReport:
    return AssetReport.objects.create(asset=asset, reported_by=person, kind=kind, note=note.strip())


class Outcome:
    FIXED = "fixed"
    MARKED_CLOSED = "marked_closed"
    DISMISSED = "dismissed"
    CHOICES = (FIXED, MARKED_CLOSED, DISMISSED)


def do_resolve_asset_report(
    *, report: AssetReport, actor: Person, outcome: str, note: str = ""
) -> AssetReport:
    """A navigator settles a report; "marked_closed" closes the entry, and any
    outcome counts as the entry having been checked."""
    if outcome not in Outcome.CHOICES:
        raise ValidationError({"outcome": [f"One of {', '.join(Outcome.CHOICES)}."]})
    with transaction.atomic():
        locked = AssetReport.objects.select_for_update().select_related("asset").get(pk=report.pk)
        if locked.status != AssetReport.Status.OPEN:
            raise Conflict("This report was already resolved.")
        locked.status, locked.resolved_by, locked.resolved_at = outcome, actor, timezone.now()
        locked.resolution_note = note.strip()
        locked.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
        asset = locked.asset
        asset.last_checked_at = timezone.now()
        fields = ["last_checked_at"]
        if outcome == Outcome.MARKED_CLOSED:
            asset.is_closed = True
            fields.append("is_closed")
        asset.save(update_fields=fields)
    return locked
