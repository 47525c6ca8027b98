"""Writes of a member's account and keys: deleting the account (which
shreds their plan) and rotating the master key that wraps every data key."""

from __future__ import annotations

from django.db import transaction

from crisisplans import crypto
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
def do_delete_account(*, person: Person) -> None:
    """Remove the person. Their data key goes first, so every copy of their
    plan, comments on it and break-glass reasons is unreadable for good.
    What others need stays without them: revisions and comments they wrote on
    other plans, library strategies, and access records (which name only ids)."""
    # Signed out the way DELETE /me/devices/<id>/ does it, so each device's
    # open sockets close on commit rather than waiting for their next frame.
    for device in Device.objects.filter(user=person):
        do_revoke_device(device=device)
    DataKey.objects.filter(person=person).delete()
    CopingStrategy.objects.filter(author=person).update(show_author=False)
    person.delete()
