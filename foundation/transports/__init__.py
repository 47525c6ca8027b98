"""Notification transports: one small contract for SMS and push.

Modelled on healthchecks.io's ``hc/api/transports.py``. A backend's ``notify()``
either returns (handed to the provider) or raises ``TransportError``;
``permanent=True`` means retrying cannot help (a bad number, a revoked push
subscription, a backend with no provider settings), otherwise the caller may
retry later. Each backend classifies its provider's errors where it calls the
provider, so callers only ever catch ``TransportError``.

Backends name the settings they cannot work without (``required_settings``);
a system check (foundation/checks.py) stops the service at start-up when one
is blank, so a misconfigured provider is found before anyone needs it.
Tests use the locmem backends, which keep an outbox and never touch a network.
Every caller gets its backend from ``load_backend``, and every text goes
through ``foundation.transports.sms.send_sms``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class ProviderRefused(TransportError):
    """The provider answered with an error; ``code`` is its short error code
    (Twilio's 21211 for a number that is not valid), safe to record."""

    def __init__(self, message: str, *, code: str, permanent: bool) -> None:
        super().__init__(message, permanent=permanent)
        self.code = code


class Backend:
    # Settings the backend cannot send without.
    required_settings: tuple[str, ...] = ()
    # False for the console and locmem backends: nothing reaches a phone.
    reaches_people = True

    @classmethod
    def missing_settings(cls) -> list[str]:
        return [name for name in cls.required_settings if not getattr(settings, name, "")]

    def __init__(self) -> None:
        missing = self.missing_settings()
        if missing:
            raise TransportError(f"{type(self).__name__} needs {', '.join(missing)}", permanent=True)


def backend_class(dotted_path: str) -> Any:
    """The backend class a setting names; one that does not import is a
    permanent ``TransportError`` (its ``__cause__`` is the ImportError)."""
    try:
        return import_string(dotted_path)
    except ImportError as exc:
        raise TransportError(f"{dotted_path} cannot be imported: {exc}", permanent=True) from exc


def load_backend(dotted_path: str) -> Any:
    """The backend a setting names, ready to send. A path that does not import
    or a backend missing its settings is a permanent ``TransportError``."""
    return backend_class(dotted_path)()
