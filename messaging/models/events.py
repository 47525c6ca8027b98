"""The event pipeline's storage: per-person events with a gap-free sequence."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class EventSequence(models.Model):
    """One row per person: the last sequence number handed out and the highest
    one a device of theirs acknowledged. The row is locked while a transaction
    appends events, so sequence numbers become visible in commit order and a
    client reading "everything after N" can never skip one that commits late."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_seq = models.BigIntegerField(default=0)
    acked_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"events of {self.person_id} through {self.last_seq}"


class Event(models.Model):
    """Something one person must hear about, persisted in the transaction of the
    change that caused it; the channel layer only wakes their sockets."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=64)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "seq"], name="one_event_per_person_seq")]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq} for {self.person_id}"
