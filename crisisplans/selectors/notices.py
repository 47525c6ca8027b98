"""Reads of the notices an owner must see about their plan."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from crisisplans.models import OwnerNotice
from network.models import Person


def notices_for(*, person: Person) -> QuerySet[OwnerNotice]:
    return (
        OwnerNotice.objects.filter(owner=person)
        .select_related("break_glass__reader", "co_author__person")
        .order_by("-pk")
    )


def notices_due_for_text(*, now: datetime) -> list[int]:
    """Notices whose text is owed and due: its task was lost, its worker died
    mid-send, or the provider failed for now."""
    return list(
        OwnerNotice.objects.filter(text_due_at__lte=now, texted_at__isnull=True, text_failed_at__isnull=True)
        .order_by("text_due_at")
        .values_list("pk", flat=True)[:500]
    )
