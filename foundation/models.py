"""The ground floor's one model: the first answer to an idempotent create."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone

from foundation.sealing import SealedJSONField


class IdempotencyRecord(models.Model):
    """The first answer to a create request carrying an ``Idempotency-Key``
    (foundation/idempotency.py), so every app's create endpoints can use it.

    The table keeps the name it had in network, where the model began: moving
    the model moved no rows (foundation/migrations/0001_initial.py).
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=200, help_text="method and path the key was used on")
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    # The first answer may echo personal text (a message, an alert's words):
    # sealed with the requester's data key (foundation/sealing.py). The purpose
    # is bound into the ciphertext, so it keeps its first name.
    response_body = SealedJSONField(owner=("person_id",), purpose="network.idempotency.response_body")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        db_table = "network_idempotencyrecord"
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="idempotency_key_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.scope} with key {self.key!r}"
