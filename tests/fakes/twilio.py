"""A fake Twilio on loopback: enough of Twilio's REST API for twilio-python
to send texts and place calls, and Twilio's side of the webhooks (status
callbacks, an inbound text, an answered call), each signed as Twilio signs.

The service under test is pointed at it with TWILIO_API_URL (the
``fake_twilio`` fixture does that), so no test reaches the internet. It checks
Basic auth (account SID and auth token) like Twilio, answers 201 with a sid
and status "queued", and records every request. ``refuse(number, code)``
makes it answer Twilio's error JSON for that number (21211: not a valid
number). Hand-written: there is no maintained fake of Twilio's API in Python
(twilio-python's own tests mock its HTTP client, which would skip the
signatures and the callbacks that matter here).

Callbacks go to the URL given (StatusCallback, a call's Url, a Gather's
action). A URL on ``http://testserver`` goes through Django's test client
(unit tests, no server running); any other is a real HTTP POST on loopback
(a served daphne).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest

ACCOUNT_SID = "AC" + "f" * 32
AUTH_TOKEN = "fake-twilio-auth-token"
FROM_NUMBER = "+447700900999"
TEST_SERVER = "http://testserver"


@dataclass
class Sent:
    """One Message or Call the fake accepted."""

    sid: str
    kind: str  # "message" or "call"
    params: dict[str, str]

    @property
    def to(self) -> str:
        return self.params.get("To", "")


@dataclass
class Answer:
    status_code: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)


class FakeTwilio:
    def __init__(self, *, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.requests: list[tuple[str, str, dict[str, str], bool]] = []  # method, path, params, auth ok
        self.sent: list[Sent] = []
        self.refused: dict[str, tuple[int, int, str]] = {}  # number -> (code, http status, message)
        self.callbacks: list[tuple[str, dict[str, str], Answer]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- the REST API ----------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def refuse(self, number: str, *, code: int = 21211, status: int = 400) -> None:
        """Answer Twilio's error for texts and calls to ``number``."""
        self.refused[number] = (code, status, f"The 'To' number is not a valid phone number. ({code})")

    def messages(self) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.kind == "message"]

    def calls(self) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.kind == "call"]

    def by_sid(self, sid: str) -> Sent:
        with self._lock:
            return next(s for s in self.sent if s.sid == sid)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                # A repeated field (StatusCallbackEvent) is recorded by its last value.
                params = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                status, body = fake._answer("POST", self.path, params, self.headers.get("Authorization", ""))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler

    def _auth_ok(self, header: str) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return secrets.compare_digest(header, f"Basic {expected}")

    def _answer(
        self, method: str, path: str, params: dict[str, str], auth: str
    ) -> tuple[int, dict[str, Any]]:
        ok = self._auth_ok(auth)
        with self._lock:
            self.requests.append((method, path, params, ok))
        if not ok:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        prefix = f"/2010-04-01/Accounts/{self.account_sid}/"
        kinds = {f"{prefix}Messages.json": ("message", "SM"), f"{prefix}Calls.json": ("call", "CA")}
        if path not in kinds:
            return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        kind, sid_prefix = kinds[path]
        to = params.get("To", "")
        if to in self.refused:
            code, status, message = self.refused[to]
            return status, {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            }
        sid = sid_prefix + secrets.token_hex(16)
        with self._lock:
            self.sent.append(Sent(sid=sid, kind=kind, params=params))
        body: dict[str, Any] = {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": to,
            "from": params.get("From", ""),
            "status": "queued",
            "uri": f"{prefix}{'Messages' if kind == 'message' else 'Calls'}/{sid}.json",
        }
        if kind == "message":
            body.update({"body": params.get("Body", ""), "num_segments": "1", "direction": "outbound-api"})
        return 201, body

    # --- Twilio's side of the webhooks --------------------------------------------------

    def post_signed(self, url: str, params: dict[str, str], *, auth_token: str | None = None) -> Answer:
        """POST ``params`` to ``url`` with the X-Twilio-Signature Twilio would send."""
        from foundation.transports.twilio import signature_for

        signature = signature_for(url, params, auth_token=auth_token or self.auth_token)
        answer = _post(url, params, {"X-Twilio-Signature": signature})
        with self._lock:
            self.callbacks.append((url, params, answer))
        return answer

    def deliver(self, sid: str, status: str, *, error_code: str = "") -> Answer:
        """The status callback of a message ("delivered", "failed", "undelivered"...)
        or a call ("ringing", "completed", "busy", "no-answer"...)."""
        sent = self.by_sid(sid)
        common = {"AccountSid": self.account_sid, "To": sent.to, "From": sent.params.get("From", "")}
        if sent.kind == "message":
            params = {
                **common,
                "MessageSid": sid,
                "SmsSid": sid,
                "MessageStatus": status,
                "SmsStatus": status,
            }
        else:
            params = {**common, "CallSid": sid, "CallStatus": status, "Direction": "outbound-api"}
        if error_code:
            params["ErrorCode"] = error_code
        return self.post_signed(sent.params["StatusCallback"], params)

    def text_in(self, from_: str, body: str, url: str, *, to: str = FROM_NUMBER) -> Answer:
        """An inbound SMS from ``from_`` to our number, as Twilio's Messaging webhook posts it."""
        sid = "SM" + secrets.token_hex(16)
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": self.account_sid,
            "From": from_,
            "To": to,
            "Body": body,
            "NumMedia": "0",
        }
        return self.post_signed(url, params)

    def answer_call(self, sid: str, digits: str) -> Answer:
        """The callee answers and presses ``digits``: fetch the call's TwiML (POST
        to its Url, as Twilio does with Method=POST), then post Digits to its
        <Gather>'s action. Returns the action's answer (or the TwiML's when it
        has no Gather)."""
        sent = self.by_sid(sid)
        call = {
            "CallSid": sid,
            "AccountSid": self.account_sid,
            "From": sent.params.get("From", ""),
            "To": sent.to,
            "CallStatus": "in-progress",
            "Direction": "outbound-api",
        }
        twiml = self.post_signed(sent.params["Url"], call)
        if twiml.status_code != 200:
            return twiml
        gather = ElementTree.fromstring(twiml.text).find(".//Gather")
        if gather is None:
            return twiml
        action = urljoin(sent.params["Url"], gather.get("action") or sent.params["Url"])
        return self.post_signed(action, {**call, "Digits": digits, "FinishedOnKey": ""})


def _post(url: str, params: dict[str, str], headers: dict[str, str]) -> Answer:
    if url.startswith(TEST_SERVER + "/"):
        from django.test import Client

        response = Client().post(
            url[len(TEST_SERVER) :],
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
        return Answer(response.status_code, response.content.decode(), dict(response.headers))
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise AssertionError(f"the fake Twilio calls back on loopback only, not {url}")
    import requests

    response = requests.post(url, data=params, headers=headers, timeout=10)
    return Answer(response.status_code, response.text, dict(response.headers))


def twilio_settings(fake: FakeTwilio, *, public_base_url: str = TEST_SERVER) -> dict[str, str]:
    """The settings (or environment) that point the service at ``fake``."""
    return {
        "TWILIO_API_URL": fake.url,
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "SMS_BACKEND": "foundation.transports.sms.TwilioSmsBackend",
        "VOICE_BACKEND": "foundation.transports.voice.TwilioVoiceBackend",
        "PUBLIC_BASE_URL": public_base_url,
    }


@pytest.fixture
def fake_twilio(settings: Any) -> Iterator[FakeTwilio]:
    """A running fake Twilio, with the service's settings pointed at it
    (texts and calls through Twilio; webhooks at http://testserver)."""
    fake = FakeTwilio().start()
    for name, value in twilio_settings(fake).items():
        setattr(settings, name, value)
    try:
        yield fake
    finally:
        fake.stop()
