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


def check_transports(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for setting in TRANSPORT_SETTINGS:
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
