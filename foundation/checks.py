"""System checks for the notification transports (foundation/transports).

A provider's missing settings stop the service at start-up with a message
that names them (``manage.py check --deploy`` and the compose file's migrate
step both run these checks), rather than a 500 at the first sign-in or an
error on every offer. Errors, not warnings: every backend named in settings
is loaded and its required settings checked in any environment, and where
settings.REQUIRE_REAL_TRANSPORTS is on (production) a backend that only prints
or keeps an outbox is refused too: sign-in codes would reach nobody. The ids
keep the ``messaging.`` prefix they had when the transports lived there: the
README and operators know them by it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

from foundation.transports import TransportError, backend_class

TRANSPORT_SETTINGS = ("SMS_BACKEND", "PUSH_BACKEND")
# Voice calls are off unless VOICE_BACKEND names a backend (docs/paging.md).
OPTIONAL_TRANSPORT_SETTINGS = ("VOICE_BACKEND",)


def check_transports(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = _check_public_base_url()
    optional = [name for name in OPTIONAL_TRANSPORT_SETTINGS if getattr(settings, name, "")]
    for setting in [*TRANSPORT_SETTINGS, *optional]:
        dotted_path = getattr(settings, setting)
        try:
            backend = backend_class(dotted_path)
        except TransportError as exc:
            errors.append(
                Error(
                    f"{setting} names {dotted_path!r}, which cannot be imported: {exc.__cause__}",
                    hint="Name one of the backends in foundation/transports.",
                    id="messaging.E003",
                )
            )
            continue
        missing = backend.missing_settings() if hasattr(backend, "missing_settings") else []
        if missing:
            errors.append(
                Error(
                    f"{setting} is {backend.__name__}, which cannot send without {', '.join(missing)}.",
                    hint=f"Set {', '.join(missing)} in the environment (README: Deployment).",
                    id="messaging.E001",
                )
            )
        if settings.REQUIRE_REAL_TRANSPORTS and not getattr(backend, "reaches_people", True):
            errors.append(
                Error(
                    f"{setting} is {backend.__name__}, which reaches no phone: in production "
                    "sign-in codes and alert notifications would be lost.",
                    hint="Leave it unset for the production default, or name a real provider's backend.",
                    id="messaging.E002",
                )
            )
    return errors


def _check_public_base_url() -> list[CheckMessage]:
    """Twilio calls back (receipts, replies, the TwiML of voice pages) at
    PUBLIC_BASE_URL and signs what it sends for that address: in production a
    blank or plain-http one would lose every receipt and reply (and Twilio's
    signature would never match), silently, at the first page."""
    if not settings.REQUIRE_REAL_TRANSPORTS or settings.PUBLIC_BASE_URL.startswith("https://"):
        return []
    return [
        Error(
            f"PUBLIC_BASE_URL is {settings.PUBLIC_BASE_URL!r}: Twilio's receipts and replies need the "
            "service's public https:// address.",
            hint="Set PUBLIC_BASE_URL=https://<your host> (compose: it follows DOMAIN).",
            id="messaging.E004",
        )
    ]
