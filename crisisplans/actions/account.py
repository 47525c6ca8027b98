"""Writes of a member's account and keys: deleting the account (which
shreds their plan) and rotating the master key that wraps every data key."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from crisisplans import crypto
from crisisplans.erasures import record_erasure_on_commit
from crisisplans.models import CopingStrategy, DataKey
from network.actions.auth import do_revoke_device
from network.models import Device, Person


def do_rotate_master_key() -> int:
    """Rewrap every data key under the current master key; returns how many
    changed. One transaction per key, so a crash leaves each key whole."""
    rotated = 0
    for key_id in DataKey.objects.values_list("key_id", flat=True):
        with transaction.atomic():
            data_key = DataKey.objects.select_for_update().get(key_id=key_id)
            rotated += crypto.rewrap_under_current_master_key(data_key)
    return rotated


@transaction.atomic
def do_delete_account(*, person: Person, record_erasure: bool = True) -> None:
    """Remove the person. Their data key goes first, so their plan, comments
    on it and break-glass reasons are unreadable in the live system at once.
    What others need stays without them: revisions and comments they wrote on
    other plans, library strategies, and access records (which name only ids).
    Once committed, the deletion is appended to the erasure ledger outside the
    database, so a restore of an older backup can re-apply it; re-applying
    passes record_erasure=False, as the ledger already holds that line."""
    # Signed out the way DELETE /me/devices/<id>/ does it, so each device's
    # open sockets close on commit rather than waiting for their next frame.
    for device in Device.objects.filter(user=person):
        do_revoke_device(device=device)
    DataKey.objects.filter(person=person).delete()
    CopingStrategy.objects.filter(author=person).update(show_author=False)
    person_id = person.pk
    person.delete()
    if record_erasure:
        record_erasure_on_commit(person_id=person_id, deleted_at=timezone.now())
