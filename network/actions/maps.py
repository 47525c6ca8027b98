"""Every write of personal maps and the community asset directory."""

from __future__ import annotations

from typing import Any

from django.db import transaction
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
