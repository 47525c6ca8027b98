"""Logging helpers, loaded while logging is configured (so: no models).

What never reaches a log line or an error report: a calendar feed's token
and a plan share's code (each URL is its only credential) and anything that looks like a phone
number (a person is identified by theirs). Personal text (plans, messages,
alert words) is never logged by the code; error reports drop request bodies,
cookies, credentials and local variables, where it could hide."""

from __future__ import annotations

import logging
import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

# URLs that are their own credential: a calendar feed's (calendar apps send
# no headers) and a plan share's (/s/<code>, /s/<code>/fhir: the code a
# member hands a clinician, crisisplans/models.py PlanShare).
SECRETS_IN_PATHS = (
    (re.compile(r"(/calendar/)[^/\s\"']+(\.ics)"), r"\1[redacted]\2"),
    (re.compile(r"(/s/)[^/\s\"'?#]+"), r"\1[redacted]"),
    # A voice page's token names one call (messaging/hooks/voice.py).
    (re.compile(r"(/hooks/twilio/voice/)[^/\s\"'?#]+"), r"\1[redacted]"),
)

# Anything that looks like a phone number: international with a "+"
# (+44 7700 900123, +447700900123), national with a leading 0 (07700 900123,
# 020-7946-0000), or a long bare run of digits (E.164 without its "+"); in a
# logged URL the "+" and spaces may be percent-encoded. Ten-digit runs are
# left alone: they are epoch seconds far more often.
_GAP = r"(?:[ \-]|%20)?"
PHONE_NUMBER = re.compile(
    rf"(?:\+|%2[Bb])\d(?:{_GAP}\d){{6,14}}(?!\d)"
    rf"|(?<![\w.+])0\d(?:{_GAP}\d){{8,9}}(?!\d|\.\d)"
    r"|(?<![\d.])\d{11,15}(?!\d|\.\d)"
)
PHONE_MASK = "[phone]"


def redact(text: str) -> str:
    for pattern, replacement in SECRETS_IN_PATHS:
        text = pattern.sub(replacement, text)
    return text


def mask_phone_numbers(text: str) -> str:
    return PHONE_NUMBER.sub(PHONE_MASK, text)


def scrub(text: str) -> str:
    """Both: feed tokens out, phone numbers masked."""
    return mask_phone_numbers(redact(text))


class RedactSecrets(logging.Filter):
    """On the log handlers: takes feed tokens out of every line, whoever logs
    it (Django logs each 4xx answer with its path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class MaskPhoneNumbers(logging.Filter):
    """On the log handlers, after RedactSecrets: masks phone numbers in the
    message, whoever logs it (a library's error may quote the number it was
    given). The formatters below do the same to tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phone_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class PlainFormatter(logging.Formatter):
    """The development format (one readable line), tracebacks scrubbed."""

    def formatException(self, ei: Any) -> str:
        return scrub(super().formatException(ei))


class JsonFormatter(BaseJsonFormatter):
    """One JSON object per line (LOG_FORMAT=json, production's default). Every
    field is scrubbed (the message, the traceback and any extra a library
    attached, such as Django's request) except the request id, which is
    well-formed by construction and would otherwise lose its digits."""

    UNSCRUBBED = frozenset({"request_id", "time"})

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {
            key: value if key in self.UNSCRUBBED else _scrub_all(value, stringify=True)
            for key, value in super().process_log_record(log_data).items()
        }


# --- error tracking (Sentry), only when SENTRY_DSN is set -------------------------

# Request headers that carry credentials or could identify the person.
DROPPED_HEADERS = re.compile(r"authorization|cookie|token|csrf|api-key|x-forwarded-for|x-real-ip", re.I)


def _scrub_all(value: Any, *, stringify: bool = False) -> Any:
    """Every string inside ``value`` scrubbed; with ``stringify``, anything
    JSON has no type for is turned into its (scrubbed) text first, as the
    JSON encoder would have done after us."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrub_all(item, stringify=stringify) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_all(item, stringify=stringify) for item in value]
    if stringify and not isinstance(value, int | float | bool | type(None)):
        return scrub(str(value))
    return value


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry's last look at an event before it leaves: no request body, no
    cookies, no credential headers, no local variables, no user but their id,
    and every string left scrubbed of feed tokens and phone numbers."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if not DROPPED_HEADERS.search(str(k))}
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    return _scrub_all(event)


def before_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    return _scrub_all(crumb)


def init_error_tracking(*, dsn: str, environment: str) -> bool:
    """Sentry's SDK, only with a DSN (nothing is sent otherwise); with the
    personal-data defaults off and our scrubbing last. Returns whether it
    was started."""
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
    )
    return True
