"""SMS backends, chosen by ``settings.SMS_BACKEND`` (like Django's email backends).

- ``ConsoleSmsBackend``: development; prints the text (the demo's sign-in codes
  appear in the ``make run`` output).
- ``LocmemSmsBackend``: tests; appends to ``outbox``.
- ``TwilioSmsBackend``: production; needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
  and TWILIO_FROM_NUMBER.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

from django.conf import settings

from messaging.transports import Backend, TransportError


@dataclass(frozen=True)
class Sms:
    to: str
    body: str


outbox: list[Sms] = []
_outbox_lock = threading.Lock()


class SmsBackend(Backend):
    def send(self, *, to: str, body: str) -> None:
        raise NotImplementedError

    def is_noop(self) -> bool:
        return False


class ConsoleSmsBackend(SmsBackend):
    reaches_people = False

    def send(self, *, to: str, body: str) -> None:
        sys.stdout.write(f"[sms to {to}] {body}\n")
        sys.stdout.flush()


class LocmemSmsBackend(SmsBackend):
    reaches_people = False

    def send(self, *, to: str, body: str) -> None:
        with _outbox_lock:
            outbox.append(Sms(to=to, body=body))


class TwilioSmsBackend(SmsBackend):
    required_settings = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER")

    def send(self, *, to: str, body: str) -> None:
        import requests
        from twilio.base.exceptions import TwilioException, TwilioRestException
        from twilio.rest import Client

        client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
        try:
            client.messages.create(to=to, from_=settings.TWILIO_FROM_NUMBER, body=body)
        except TwilioRestException as exc:
            # 4xx from Twilio (bad number, unsubscribed) will not get better on retry.
            raise TransportError(str(exc.msg), permanent=400 <= exc.status < 500) from exc
        except (TwilioException, requests.RequestException) as exc:
            # Twilio unreachable or slow: it may answer later.
            raise TransportError(f"Twilio unreachable: {exc}") from exc
