"""Personal text sealed at rest, for any app's models: a model field that
stores only ciphertext and reads back as plain text.

The sealing itself is crisisplans' envelope encryption (crisisplans/crypto.py:
a data key per person, AES-GCM bound to purpose, owner and key; deleting a
person's DataKey shreds everything sealed under it). The ground floor sits
below every app and must not import crisisplans, and the DataKey model lives
there, so crisisplans registers its seal/open pair here in its
AppConfig.ready (a registered callback, the way a lower floor hears from a
higher one). Moving the sealing core and DataKey down instead would mean
moving a model with its migrations and rows, while a registered pair of
functions changes nothing in crisisplans' format.

A field names whose key seals it (``owner``: attribute paths on the row, the
first one set wins), so deleting that person's account shreds the text:

    label = SealedTextField(owner=("owner_id",), purpose="network.tie.label", max_length=120)

The column is binary: ``1 | data key id (16 bytes) | nonce | ciphertext``. An
empty text is stored as empty bytes (nothing to hide, no data key needed).
Reading the attribute opens it once and keeps the plain text on the instance;
a text whose data key was deleted (the owner's account is gone) reads as
empty (JSON: None). Any other failure raises: tampered or misplaced
ciphertext is never shown as text. Plain text never reaches a query:
filtering on a sealed field is an error, not a silent scan.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.query_utils import DeferredAttribute

FORMAT_VERSION = 1
_KEY_ID_BYTES = 16


class KeyShredded(Exception):
    """The data key the text was sealed under no longer exists."""


SealFn = Callable[..., tuple[uuid.UUID, bytes]]  # (owner_id=, purpose=, payload=) -> (key id, ciphertext)
OpenFn = Callable[..., Any]  # (owner_id=, purpose=, data_key_id=, ciphertext=) -> payload; KeyShredded

_registered: dict[str, Any] = {}


def register(*, seal: SealFn, open: OpenFn) -> None:
    """Called once by crisisplans.apps.CrisisplansConfig.ready."""
    _registered["seal"], _registered["open"] = seal, open


def _fn(name: str) -> Any:
    try:
        return _registered[name]
    except KeyError:
        raise ImproperlyConfigured(
            "No sealing registered: crisisplans must be installed (its AppConfig.ready registers it)."
        ) from None


def seal(*, owner_id: int, purpose: str, payload: Any) -> bytes:
    key_id, ciphertext = _fn("seal")(owner_id=owner_id, purpose=purpose, payload=payload)
    return bytes([FORMAT_VERSION]) + key_id.bytes + ciphertext


def open_sealed(*, owner_id: int | None, purpose: str, blob: bytes) -> Any:
    """The payload; raises KeyShredded when its data key is gone."""
    blob = bytes(blob)
    if blob[:1] != bytes([FORMAT_VERSION]) or len(blob) <= 1 + _KEY_ID_BYTES:
        raise ValueError(f"Not a sealed value ({purpose}).")
    key_id = uuid.UUID(bytes=blob[1 : 1 + _KEY_ID_BYTES])
    if owner_id is None:
        # Every owner path is empty, so the row's owner account is gone; the
        # registered open still decides, so a live key never opens unbound.
        owner_id = 0
    return _fn("open")(
        owner_id=owner_id, purpose=purpose, data_key_id=key_id, ciphertext=blob[1 + _KEY_ID_BYTES :]
    )


class Ciphertext(bytes):
    """A sealed value as it came from the database, not opened yet."""


class _SealedAttribute(DeferredAttribute):
    """Opens the stored ciphertext on first read; assignment stores plain text."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Ciphertext):
            field = self.field
            plain = field.open_blob(instance, value)
            instance.__dict__[field.attname] = plain
            instance.__dict__[field.cache_name] = (value, plain)
            return plain
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class SealedTextField(models.TextField):
    """Text sealed under the data key of the row's owner. See the module doc."""

    descriptor_class = _SealedAttribute
    sealed = True  # the canary test (tests/crisisplans/test_canary.py) looks for this
    empty_value: Any = ""

    def __init__(self, *args: Any, owner: tuple[str, ...] = (), purpose: str = "", **kwargs: Any) -> None:
        self.owner_paths = tuple(owner)
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["owner"], kwargs["purpose"] = self.owner_paths, self.purpose
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[Any]:
        from django.core import checks

        errors = super().check(**kwargs)
        if not self.owner_paths or not self.purpose:
            errors.append(
                checks.Error("A sealed field needs owner and purpose.", obj=self, id="network.E101")
            )
        return errors

    def get_internal_type(self) -> str:
        return "BinaryField"

    @property
    def cache_name(self) -> str:
        return f"_sealed_{self.attname}"

    # Whose key --------------------------------------------------------------

    def owner_of(self, instance: Any) -> int | None:
        for path in self.owner_paths:
            value: Any = instance
            for part in path.split("."):
                value = getattr(value, part, None)
                if value is None:
                    break
            if value is not None:
                return int(value)
        return None

    # Plain text <-> stored bytes --------------------------------------------

    def _encode(self, plain: Any) -> Any:
        return plain

    def _decode(self, payload: Any) -> Any:
        return payload

    def open_blob(self, instance: Any, blob: bytes) -> Any:
        if not blob:
            return self.empty_value
        try:
            return self._decode(
                open_sealed(owner_id=self.owner_of(instance), purpose=self.purpose, blob=blob)
            )
        except KeyShredded:
            return self.empty_value

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        current = model_instance.__dict__.get(self.attname)
        if isinstance(current, Ciphertext):  # never read, so unchanged
            return current
        cached = model_instance.__dict__.get(self.cache_name)
        if cached is not None and cached[1] == current:
            return cached[0]
        if current is None or current == "":
            return None if current is None else b""
        owner_id = self.owner_of(model_instance)
        if owner_id is None:
            raise ValueError(f"{self.purpose}: no owner to seal under ({', '.join(self.owner_paths)} unset).")
        blob = Ciphertext(seal(owner_id=owner_id, purpose=self.purpose, payload=self._encode(current)))
        model_instance.__dict__[self.cache_name] = (blob, current)
        return blob

    def get_prep_value(self, value: Any) -> Any:
        return value

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        if value == "":
            return connection.Database.Binary(b"")
        if isinstance(value, (bytes, memoryview)):
            return connection.Database.Binary(bytes(value))
        raise ValueError(f"{self.purpose}: plain text never goes into a query (it is sealed at rest).")

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else Ciphertext(bytes(value))

    def to_python(self, value: Any) -> Any:
        return value if isinstance(value, Ciphertext) or value is None else str(value)


class SealedJSONField(SealedTextField):
    """A JSON value sealed like SealedTextField (None is stored as NULL)."""

    empty_value = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)

    def _encode(self, plain: Any) -> Any:
        # Through Django's encoder first: answers hold UUIDs, datetimes, decimals.
        return json.loads(json.dumps(plain, cls=DjangoJSONEncoder))

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: Any) -> str:
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder)
