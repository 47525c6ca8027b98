"""SMS backends, chosen by ``settings.SMS_BACKEND`` (like Django's email backends).

- ``ConsoleSmsBackend``: development; prints the text (the demo's sign-in codes
  appear in the ``make run`` output).
- ``LocmemSmsBackend``: tests; appends to ``outbox``.
- ``TwilioSmsBackend``: production; needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
  and TWILIO_FROM_NUMBER.

``send_sms`` is the one SMS sender every app calls (sign-in codes, invitations,
alert and message fallbacks, the owner's break-glass text); ``try_send_sms`` is
the same for callers that must not raise.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass

from django.conf import settings

from foundation.transports import Backend, TransportError, load_backend

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sms:
    to: str
    body: str


outbox: list[Sms] = []
_outbox_lock = threading.Lock()


class SmsBackend(Backend):
    def notify(self, *, to: str, body: str, status_callback: str = "") -> str | None:
        """Hand the text to the provider; returns the provider's id for it
        (receipts to ``status_callback`` name it), or None where there is none."""
        raise NotImplementedError

    def is_noop(self) -> bool:
        return False


class ConsoleSmsBackend(SmsBackend):
    reaches_people = False

    def notify(self, *, to: str, body: str, status_callback: str = "") -> str | None:
        sys.stdout.write(f"[sms to {to}] {body}\n")
        sys.stdout.flush()


class LocmemSmsBackend(SmsBackend):
    reaches_people = False

    def notify(self, *, to: str, body: str, status_callback: str = "") -> str | None:
        with _outbox_lock:
            outbox.append(Sms(to=to, body=body))
        return None


class TwilioSmsBackend(SmsBackend):
    required_settings = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER")

    def notify(self, *, to: str, body: str, status_callback: str = "") -> str | None:
        from foundation.transports.twilio import provider_errors, twilio_client

        extra = {"status_callback": status_callback} if status_callback else {}
        with provider_errors():
            message = twilio_client().messages.create(
                to=to, from_=settings.TWILIO_FROM_NUMBER, body=body, **extra
            )
        return str(message.sid)


def send_sms(*, to: str, body: str, status_callback: str = "") -> str | None:
    """Text ``to`` (E.164) through settings.SMS_BACKEND; returns the provider's
    id for the text, if it gives one. Raises TransportError (``permanent``
    says whether a retry can help) and whatever a faulty backend raises."""
    backend = load_backend(settings.SMS_BACKEND)
    # Only pages ask for receipts; backends written before them need not take the argument.
    if status_callback:
        return backend.notify(to=to, body=body, status_callback=status_callback)  # type: ignore[no-any-return]
    return backend.notify(to=to, body=body)  # type: ignore[no-any-return]


def try_send_sms(*, to: str, body: str) -> Exception | None:
    """``send_sms`` that never raises: None when the provider took the text,
    else the failure, logged. A TransportError is classified and explained;
    anything else is a bug in a backend and gets its traceback. The log names
    only the number's last digits."""
    try:
        send_sms(to=to, body=body)
    except Exception as exc:
        logger.warning(
            "SMS to a number ending %s failed: %s",
            to[-3:],
            exc,
            exc_info=not isinstance(exc, TransportError),
        )
        return exc
    return None
