"""Envelope encryption of plan content, with crypto-shredding.

Infrastructure of the app, beside the models rather than in a room: the
sealing core that actions (which seal and open) and the network app's
sealed fields (through ``foundation.sealing``) both stand on. It reads and
writes only data keys, never plan state.

Each member has one data key (AES-256). It is stored only wrapped (AES-GCM)
by a master key that lives in the environment (settings.PLAN_MASTER_KEYS),
never in the database; the master key's id is stored beside the wrapped key
and the data key's id beside every ciphertext. Deleting a member's DataKey
row makes their plan unreadable in the live system at once. It does not reach
backups taken before the deletion: they hold the wrapped key beside the
ciphertext, so they stay readable with the master keys until they expire, and
restoring one brings the member back until the deletions recorded since are
re-applied from the erasure ledger (crisisplans/erasures.py).

Hand-written on the ``cryptography`` package's AESGCM: the maintained Django
field-encryption packages we know of (django-fernet-encrypted-fields,
django-cryptography, django-searchable-encrypted-fields) use one key for the
whole database, so they can neither shred one member's data by deleting a
key nor rotate a master key without re-encrypting every row.

Every ciphertext is bound (AES-GCM associated data) to its purpose, its
owner and its data key, so a ciphertext copied onto another row or member
fails to open. A failure always raises PlanDecryptionError: there is no path
that returns ciphertext or an empty plan instead.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from crisisplans.models import DataKey
from foundation import sealing

NONCE_BYTES = 12
KEY_BYTES = 32


class PlanDecryptionError(Exception):
    """Plan content could not be decrypted (key destroyed, wrong master key,
    or tampered ciphertext). The message never holds content."""


class DataKeyShredded(PlanDecryptionError):
    """The data key was deleted (its person's account is gone): the content is
    shredded, as intended, rather than damaged."""


@dataclass(frozen=True)
class Sealed:
    data_key_id: uuid.UUID
    ciphertext: bytes


def master_keys() -> dict[str, bytes]:
    """The configured master keys by id, current first. Parsed strictly."""
    keys: dict[str, bytes] = {}
    for entry in settings.PLAN_MASTER_KEYS:
        key_id, sep, encoded = str(entry).strip().partition(":")
        if not sep or not key_id:
            raise ImproperlyConfigured("PLAN_MASTER_KEYS entries are 'key-id:base64-key'.")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise ImproperlyConfigured(f"PLAN_MASTER_KEYS entry {key_id!r} is not base64.") from None
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(f"PLAN_MASTER_KEYS entry {key_id!r} must be {KEY_BYTES} bytes.")
        keys[key_id] = key
    if not keys:
        raise ImproperlyConfigured("PLAN_MASTER_KEYS is empty.")
    return keys


def current_master_key_id() -> str:
    return next(iter(master_keys()))


def _wrap_context(data_key: DataKey) -> bytes:
    return f"datakey|{data_key.key_id}|person:{data_key.person_id}".encode()


def _seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def _open(key: bytes, blob: bytes, context: bytes) -> bytes:
    blob = bytes(blob)
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context)
    except (InvalidTag, ValueError):
        raise PlanDecryptionError("Plan content failed authentication.") from None


def wrap_data_key(*, data_key: DataKey, raw_key: bytes) -> None:
    """Set the row's wrapped key and master key id under the current master key."""
    master_id = current_master_key_id()
    data_key.master_key_id = master_id
    data_key.wrapped_key = _seal(master_keys()[master_id], raw_key, _wrap_context(data_key))


def unwrap_data_key(data_key: DataKey) -> bytes:
    master = master_keys().get(data_key.master_key_id)
    if master is None:
        raise PlanDecryptionError(f"Master key {data_key.master_key_id!r} is not configured.")
    return _open(master, data_key.wrapped_key, _wrap_context(data_key))


def data_key_for(*, person_id: int) -> DataKey:
    """The person's data key, made on first use. Call inside a transaction."""
    existing = DataKey.objects.select_for_update().filter(person_id=person_id).first()
    if existing is not None:
        return existing
    data_key = DataKey(person_id=person_id, key_id=uuid.uuid4())
    wrap_data_key(data_key=data_key, raw_key=AESGCM.generate_key(bit_length=KEY_BYTES * 8))
    data_key.save()
    return data_key


def _content_context(*, purpose: str, owner_id: int, data_key_id: uuid.UUID) -> bytes:
    return f"{purpose}|owner:{owner_id}|key:{data_key_id}".encode()


def encrypt(*, owner_id: int, purpose: str, payload: Any) -> Sealed:
    data_key = data_key_for(person_id=owner_id)
    plaintext = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    context = _content_context(purpose=purpose, owner_id=owner_id, data_key_id=data_key.key_id)
    return Sealed(data_key.key_id, _seal(unwrap_data_key(data_key), plaintext, context))


def decrypt(*, owner_id: int, purpose: str, data_key_id: uuid.UUID, ciphertext: bytes) -> Any:
    data_key = DataKey.objects.filter(key_id=data_key_id).first()
    if data_key is None:
        raise DataKeyShredded("The data key for this content no longer exists.")
    if data_key.person_id != owner_id:
        raise PlanDecryptionError("The content was not sealed for this owner.")
    context = _content_context(purpose=purpose, owner_id=owner_id, data_key_id=data_key.key_id)
    return json.loads(_open(unwrap_data_key(data_key), ciphertext, context))


def rewrap_under_current_master_key(data_key: DataKey) -> bool:
    """Rewrap one data key if it is under an older master key. The data key
    itself (and so every ciphertext) stays the same."""
    if data_key.master_key_id == current_master_key_id():
        return False
    raw = unwrap_data_key(data_key)
    wrap_data_key(data_key=data_key, raw_key=raw)
    data_key.rewrapped_at = timezone.now()
    data_key.save(update_fields=["master_key_id", "wrapped_key", "rewrapped_at"])
    return True


# The pair registered with foundation.sealing (crisisplans.apps), so the lower
# apps' models seal personal text with the same per-person data keys. The
# format of the plan and message ciphertexts above does not change.


def seal_for_lower_apps(*, owner_id: int, purpose: str, payload: Any) -> tuple[uuid.UUID, bytes]:
    # Its own savepoint: data_key_for locks the key row, which PostgreSQL
    # allows only in a transaction, and a model may be saved outside one.
    with transaction.atomic():
        sealed = encrypt(owner_id=owner_id, purpose=purpose, payload=payload)
    return sealed.data_key_id, sealed.ciphertext


def open_for_lower_apps(*, owner_id: int, purpose: str, data_key_id: uuid.UUID, ciphertext: bytes) -> Any:
    try:
        return decrypt(owner_id=owner_id, purpose=purpose, data_key_id=data_key_id, ciphertext=ciphertext)
    except DataKeyShredded:
        raise sealing.KeyShredded from None
