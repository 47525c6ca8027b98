"""Voice call backends, chosen by ``settings.VOICE_BACKEND`` (blank: no calls).

The last step of a page (messaging/actions/paging.py). A call says nothing of
the crisis: its words come from the TwiML at ``url`` (messaging/hooks/voice.py),
fetched by Twilio when the call is answered.

- ``ConsoleVoiceBackend``: development; prints.
- ``LocmemVoiceBackend``: tests; appends to ``outbox``.
- ``TwilioVoiceBackend``: production; a call through Twilio's Calls API from
  TWILIO_FROM_NUMBER, with a status callback for its receipts.
"""

from __future__ import annotations

import sys
import threading
import uuid
from dataclasses import dataclass

from django.conf import settings

from foundation.transports import Backend, TransportError, load_backend


@dataclass(frozen=True)
class Call:
    to: str
    url: str
    status_callback: str


outbox: list[Call] = []
_outbox_lock = threading.Lock()


class VoiceBackend(Backend):
    def notify(self, *, to: str, url: str, status_callback: str = "") -> str:
        """Place a call to ``to`` that plays the TwiML at ``url``; returns the
        provider's id for the call (its receipts name it)."""
        raise NotImplementedError


class ConsoleVoiceBackend(VoiceBackend):
    reaches_people = False

    def notify(self, *, to: str, url: str, status_callback: str = "") -> str:
        sys.stdout.write(f"[call to {to}] {url}\n")
        sys.stdout.flush()
        return f"console-{uuid.uuid4().hex}"


class LocmemVoiceBackend(VoiceBackend):
    reaches_people = False

    def notify(self, *, to: str, url: str, status_callback: str = "") -> str:
        with _outbox_lock:
            outbox.append(Call(to=to, url=url, status_callback=status_callback))
        return f"locmem-{uuid.uuid4().hex}"


class TwilioVoiceBackend(VoiceBackend):
    required_settings = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER")

    def notify(self, *, to: str, url: str, status_callback: str = "") -> str:
        from foundation.transports.twilio import provider_errors, twilio_client

        extra = {}
        if status_callback:
            extra = {
                "status_callback": status_callback,
                "status_callback_event": ["initiated", "ringing", "answered", "completed"],
            }
        with provider_errors():
            call = twilio_client().calls.create(
                to=to, from_=settings.TWILIO_FROM_NUMBER, url=url, method="POST", **extra
            )
        return str(call.sid)


def voice_configured() -> bool:
    return bool(settings.VOICE_BACKEND)


def place_call(*, to: str, url: str, status_callback: str = "") -> str:
    """Call ``to`` through settings.VOICE_BACKEND; returns the call's id. Raises
    TransportError (permanent when no voice backend is configured)."""
    if not voice_configured():
        raise TransportError("no VOICE_BACKEND configured", permanent=True)
    return str(load_backend(settings.VOICE_BACKEND).notify(to=to, url=url, status_callback=status_callback))
