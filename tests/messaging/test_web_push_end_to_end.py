"""Web Push end to end without the internet (issue 14).

A real Celery worker process (bench.stack's, with the `make run` settings on a
freshly migrated SQLite database) sends the push for an offer nobody
acknowledged, through pywebpush and requests, to a push service on loopback.
The test plays the browser: it made the subscription's P-256 key pair and
auth secret itself, so it can check the VAPID signature and decrypt the body,
as the browser's push service and service worker would.

The subscription's endpoint is ``https://push.example.test/...``, a real https
URL by name with no port: the endpoint rules (messaging/actions/push.py, issue
12) refuse IP addresses, ports and plain http, so the worker cannot be told to
post to 127.0.0.1 directly, and that rule stays on. Instead the worker runs
with HTTPS_PROXY (and HTTP_PROXY) naming the loopback service: requests sends
it ``CONNECT push.example.test:443``, the service answers, terminates TLS with
a certificate from a CA made here (REQUESTS_CA_BUNDLE), and reads the real
HTTP request. The worker never resolves the name, every HTTP request it makes
goes to the loopback service (which records anything else it is asked for),
and nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import secrets
import shutil
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import http_ece
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bench.stack import BASE_DIR, Stack
from foundation.transports.push import b64url, push_payload
from tests.messaging.served import copy_of, migrated_database, served_env

PUSH_HOST = "push.example.test"
SUBJECT = "mailto:ops@example.test"
MESSAGE = "I can't stop shaking and I'm scared to be alone tonight"
# Words of the plan the seed signs off (tests/crisisplans/factories.full_sections).
PLAN_WORDS = ["walks by the river", "Miso", "sertraline", "Katharine Street", "Dr Okafor", "anniversaries"]

SEED = """
import json, os
from messaging.actions.push import do_subscribe_push
from tests.messaging.conftest import make_crisis

spec = json.loads(open(os.environ["PUSH_E2E_SPEC"]).read())
crisis = make_crisis()
bea = crisis.peers[0]
for subscription in spec["subscriptions"]:
    do_subscribe_push(person=bea, **subscription)
alert = crisis.raise_alert("push-e2e", message=spec["message"])
print(json.dumps({
    "alert_id": str(alert.pk),
    "member_name": crisis.member.display_name,
    "network_name": crisis.network.name,
}))
"""


# --- the browser's side: a subscription's keys ---------------------------------------


@dataclass
class BrowserSubscription:
    """What PushManager.subscribe makes: a P-256 key pair and an auth secret."""

    endpoint: str
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    def as_registered(self) -> dict[str, str]:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.endpoint, "p256dh": b64url(point), "auth": b64url(self.auth)}

    def decrypt(self, body: bytes) -> bytes:
        return http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")


# --- the push service on loopback --------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A CA (the worker's REQUESTS_CA_BUNDLE) and a certificate it signed for PUSH_HOST."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "push e2e test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, PUSH_HOST)]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(PUSH_HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = directory / "ca.pem", directory / "push.pem", directory / "push.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_path, cert_path, key_path


class LoopbackPushService:
    """An HTTPS proxy on 127.0.0.1 that is itself the push service behind
    ``https://push.example.test``. A POST to ``/gone/...`` is answered 410
    (the subscription has expired), any other POST 201. Whatever else it is
    asked (another host, a plain http request) is refused and recorded."""

    def __init__(self, directory: Path) -> None:
        self.ca_path, cert_path, key_path = _certificates(directory)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert_path, key_path)
        self.received: list[Received] = []
        self.refused: list[str] = []
        self.changed = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._proxy_handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, *, timeout: float, why: Any) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.changed:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.received)} of {count} pushes arrived; {why()}"
                self.changed.wait(left)
            return list(self.received)

    def _record(self, received: Received | None = None, refused: str | None = None) -> None:
        with self.changed:
            if received is not None:
                self.received.append(received)
            if refused is not None:
                self.refused.append(refused)
            self.changed.notify_all()

    def _proxy_handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class PushService(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                # Header names are case-insensitive: kept in lower case.
                headers = {name.lower(): value for name, value in self.headers.items()}
                service._record(Received(self.path, headers, body))
                self.send_response(410 if self.path.startswith("/gone/") else 201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Proxy(BaseHTTPRequestHandler):
            def do_CONNECT(self) -> None:
                if self.path != f"{PUSH_HOST}:443":
                    service._record(refused=f"CONNECT {self.path}")
                    self.send_error(403)
                    return
                self.send_response(200, "Connection established")
                self.end_headers()
                self.close_connection = True
                try:
                    tls = service.tls.wrap_socket(self.connection, server_side=True)
                except (ssl.SSLError, OSError) as exc:
                    service._record(refused=f"TLS with {PUSH_HOST} failed: {exc}")
                    return
                try:
                    PushService(tls, self.client_address, self.server)
                finally:
                    with contextlib.suppress(OSError):
                        tls.close()

            def _refuse(self) -> None:
                service._record(refused=f"{self.command} {self.path}")
                self.send_error(403)

            do_GET = do_POST = do_PUT = do_HEAD = _refuse

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Proxy


# --- the worker -----------------------------------------------------------------------


def vapid_key(directory: Path) -> tuple[Path, ec.EllipticCurvePublicKey]:
    """The service's VAPID key, as a PEM file (the form `make run` generates)."""
    key = ec.generate_private_key(ec.SECP256R1())
    path = directory / "vapid_private.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path, key.public_key()


def only_through(service: LoopbackPushService) -> dict[str, str]:
    """Every HTTP(S) request the worker makes goes to the loopback service."""
    return {
        "HTTPS_PROXY": service.url,
        "https_proxy": service.url,
        "HTTP_PROXY": service.url,
        "http_proxy": service.url,
        "NO_PROXY": "",
        "no_proxy": "",
        "REQUESTS_CA_BUNDLE": str(service.ca_path),
    }


@dataclass
class Run:
    service: LoopbackPushService
    database: Path
    env: dict[str, str]
    worker_log: Path

    def log_tail(self) -> str:
        text = self.worker_log.read_text(errors="replace") if self.worker_log.exists() else ""
        return f"refused: {self.service.refused}; worker log:\n{text[-3000:]}"

    def seed(self, subscriptions: list[BrowserSubscription]) -> dict[str, str]:
        spec = self.database.parent / "spec.json"
        spec.write_text(
            json.dumps({"subscriptions": [s.as_registered() for s in subscriptions], "message": MESSAGE})
        )
        out = subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), "shell", "-c", SEED],
            env={**self.env, "PUSH_E2E_SPEC": str(spec)},
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.database, timeout=10)) as db:
            return db.execute(sql, params).fetchall()


@pytest.fixture
def run() -> Iterator[Run]:
    """The loopback push service and a real worker on a copy of the served
    template, with WebPushBackend, a fresh VAPID key and a 1 s push delay."""
    directory = Path(tempfile.mkdtemp(prefix="push-e2e-"))
    service = LoopbackPushService(directory)
    database = copy_of(migrated_database(), directory)
    key_path, _ = vapid_key(directory)
    env = {
        **served_env(
            database,
            PUSH_BACKEND="foundation.transports.push.WebPushBackend",
            VAPID_PRIVATE_KEY=str(key_path),
            VAPID_SUBJECT=SUBJECT,
            WEB_PUSH_ALLOWED_HOSTS=PUSH_HOST,
            ALERT_PUSH_AFTER_SECONDS="1",
            ALERT_SMS_AFTER_PUSH_SECONDS="600",
            SMS_BACKEND="foundation.transports.sms.ConsoleSmsBackend",
            **only_through(service),
        )
    }
    env.pop("VAPID_PUBLIC_KEY", None)
    env.pop("ALL_PROXY", None)
    env.pop("all_proxy", None)
    env.pop("CURL_CA_BUNDLE", None)
    stack = Stack(env=env, log_dir=directory)
    try:
        worker = stack.worker("push-worker")
        yield Run(service=service, database=database, env=env, worker_log=worker.log_path)
    finally:
        stack.stop_all(graceful=False)
        service.close()
        shutil.rmtree(directory, ignore_errors=True)


def vapid_public_key_of(run: Run) -> ec.EllipticCurvePublicKey:
    key = serialization.load_pem_private_key(Path(run.env["VAPID_PRIVATE_KEY"]).read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key.public_key()


def check_vapid(received: Received, public_key: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    """RFC 8292: ``Authorization: vapid t=<JWT>,k=<public key>``, signed with
    the service's key, for this push service, expiring within 24 hours."""
    scheme, _, params = received.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(part.strip().split("=", 1) for part in params.split(","))
    point = public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert parts["k"] == b64url(point)
    claims = jwt.decode(
        parts["t"], key=public_key, algorithms=["ES256"], audience=f"https://{PUSH_HOST}", leeway=0
    )
    now = time.time()
    assert now < claims["exp"] <= now + 24 * 3600
    assert claims["sub"] == SUBJECT
    return claims


def test_the_worker_sends_a_signed_encrypted_push_with_no_crisis_content(run):
    live = BrowserSubscription(endpoint=f"https://{PUSH_HOST}/live/{secrets.token_urlsafe(12)}")
    gone = BrowserSubscription(endpoint=f"https://{PUSH_HOST}/gone/{secrets.token_urlsafe(12)}")
    seed = run.seed([live, gone])

    # Nobody acknowledges the offer: after ALERT_PUSH_AFTER_SECONDS the worker pushes to both browsers.
    received = run.service.wait_for(2, timeout=90, why=run.log_tail)
    by_url = {f"https://{PUSH_HOST}{r.path}": r for r in received}
    assert set(by_url) == {live.endpoint, gone.endpoint}
    public_key = vapid_public_key_of(run)
    for browser in (live, gone):
        push = by_url[browser.endpoint]
        check_vapid(push, public_key)
        assert push.headers["content-encoding"] == "aes128gcm"
        assert int(push.headers["ttl"]) > 0
        # Encrypted for this browser: the ciphertext shows nothing, the plaintext is the payload.
        assert seed["network_name"].encode() not in push.body
        payload = json.loads(browser.decrypt(push.body))
        assert payload == {
            "title": "Peer support",
            "body": f"Someone in {seed['network_name']} needs support. Open the app.",
            "url": f"/#/alerts/{seed['alert_id']}",
        }
        everything = json.dumps(payload) + json.dumps(push.headers) + push.path
        for secret in [MESSAGE, seed["member_name"], *PLAN_WORDS]:
            assert secret not in everything
    # Nothing else was asked of the outside world.
    assert run.service.refused == []

    # The push service said 410 for one browser: that subscription is dropped, the other kept.
    deadline = time.monotonic() + 30
    while run.query("SELECT 1 FROM messaging_pushsubscription WHERE endpoint = ?", gone.endpoint):
        assert time.monotonic() < deadline, run.log_tail()
        time.sleep(0.2)
    assert run.query("SELECT 1 FROM messaging_pushsubscription WHERE endpoint = ?", live.endpoint)
    # One push got through, so the offer waits for the SMS step instead of texting at once.
    assert run.query(
        "SELECT push_sent_at IS NOT NULL, sms_sent_at IS NULL FROM messaging_offer WHERE alert_id = ? "
        "AND person_id = (SELECT person_id FROM messaging_pushsubscription WHERE endpoint = ?)",
        seed["alert_id"].replace("-", ""),
        live.endpoint,
    ) == [(1, 1)]


# --- the service worker's side (app/public/sw-push.js), in a real Chromium --------------

APP = BASE_DIR / "app" / "public"
# The stub worker: the push handler exactly as the app's sw.js loads it, with
# each notification it shows recorded once the browser has taken it
# (headless Chromium sometimes drops a shown notification before
# getNotifications() lists it, so that cannot be the witness).
STUB_WORKER = """
self.shown = [];
var show = self.registration.showNotification.bind(self.registration);
self.registration.showNotification = function (title, options) {
  return show(title, options).then(function () {
    self.shown.push({title: title, body: options.body, tag: options.tag, data: options.data,
                     renotify: options.renotify});
  });
};
importScripts("/sw-push.js");
"""


def test_the_app_service_worker_loads_the_push_handler_as_a_classic_script():
    assert 'importScripts("/sw-push.js")' in (APP / "sw.js").read_text()
    text = (APP / "sw-push.js").read_text()
    assert not re.search(r"^\s*(import|export)\b", text, re.M)
    assert not re.search(r"\bfetch\s*\(", text)


@pytest.fixture
def worker_page(browser: Any) -> Iterator[Any]:
    """A page on a loopback origin whose service worker is only the push
    handler (a stub sw.js importing app/public/sw-push.js as the app's does),
    with notifications allowed, and a way to deliver a push to it (the
    DevTools protocol's ServiceWorker.deliverPushMessage: no push service)."""

    directory = Path(tempfile.mkdtemp(prefix="sw-push-"))
    shutil.copy(APP / "sw-push.js", directory / "sw-push.js")
    (directory / "sw.js").write_text(STUB_WORKER)
    (directory / "index.html").write_text("<!doctype html><title>push</title><p>push</p>\n")

    class Files(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(directory), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        context = browser.new_context()
        # Only loopback: any other request fails the test.
        strays: list[str] = []

        def only_loopback(route: Any) -> None:
            if route.request.url.startswith(origin + "/"):
                route.continue_()
            else:
                strays.append(route.request.url)
                route.abort()

        context.route("**/*", only_loopback)
        context.grant_permissions(["notifications"], origin=origin)
        page = context.new_page()
        devtools = context.new_cdp_session(page)
        registrations: list[dict[str, Any]] = []
        devtools.on(
            "ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"])
        )
        devtools.send("ServiceWorker.enable")
        page.goto(origin + "/")
        page.evaluate("navigator.serviceWorker.register('/sw.js').then(() => true)")
        active = "navigator.serviceWorker.ready.then((r) => r.active.state)"
        deadline = time.monotonic() + 30
        while page.evaluate(active) != "activated":
            assert time.monotonic() < deadline, "the service worker did not activate"
            page.wait_for_timeout(50)

        def in_worker(script: str) -> Any:
            return context.service_workers[0].evaluate(script)

        def deliver(data: str) -> list[dict[str, Any]]:
            """Push ``data`` to the worker; every notification it has shown, once one more is."""
            before = len(in_worker("self.shown"))
            registration_id = next(r for r in registrations if not r["isDeleted"])["registrationId"]
            devtools.send(
                "ServiceWorker.deliverPushMessage",
                {"origin": origin, "registrationId": registration_id, "data": data},
            )
            deadline = time.monotonic() + 30
            while len(shown := in_worker("self.shown")) == before:
                assert time.monotonic() < deadline, f"no notification for {data!r}"
                page.wait_for_timeout(50)
            return shown

        yield deliver, in_worker, page
        assert strays == []
        context.close()
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(directory, ignore_errors=True)


def test_a_push_shows_its_notification_with_where_to_open(worker_page):
    deliver, _, _ = worker_page
    payload = push_payload(
        title="Peer support", body="Someone in Croydon SUN needs support. Open the app.", url="/#/alerts/8f1c"
    )
    assert deliver(payload) == [
        {
            "title": "Peer support",
            "body": "Someone in Croydon SUN needs support. Open the app.",
            "tag": "/#/alerts/8f1c",
            "data": {"url": "/#/alerts/8f1c"},
            "renotify": True,
        }
    ]
    # The same alert again has the same tag, so it replaces its notification (and rings again).
    shown = deliver(push_payload(title="Peer support", body="Again.", url="/#/alerts/8f1c"))
    assert [(n["tag"], n["body"], n["renotify"]) for n in shown] == [
        ("/#/alerts/8f1c", "Someone in Croydon SUN needs support. Open the app.", True),
        ("/#/alerts/8f1c", "Again.", True),
    ]


def test_a_push_that_cannot_be_read_still_shows_a_neutral_notification(worker_page):
    deliver, _, _ = worker_page
    shown = deliver("this is not JSON")
    assert [(n["title"], n["body"], n["data"]) for n in shown] == [
        ("Peer support", "Open the app.", {"url": "/"})
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/",
        "//elsewhere.example/x",
        "/\\elsewhere.example",
        "/\t/elsewhere.example",
        "javascript:alert(1)",
        "",
    ],
)
def test_a_push_never_opens_another_origin(worker_page, url):
    deliver, in_worker, _ = worker_page
    shown = deliver(push_payload(title="Peer support", body="Open the app.", url=url))
    assert shown[-1]["data"] == {"url": "/"}
    assert in_worker(f"self.crisisnetPush.safePushUrl({json.dumps(url)})") == "/"


def test_a_click_brings_forward_the_open_window_of_the_app(worker_page):
    _, in_worker, page = worker_page
    # clients.openWindow and focus need a real click on a notification, which
    # no test API can make: what is checked is which window it would use.
    chosen = in_worker(
        "clients.matchAll({type: 'window', includeUncontrolled: true})"
        ".then((windows) => { const w = self.crisisnetPush.windowToUse(windows); return w && w.url; })"
    )
    assert chosen == page.url
    assert in_worker("self.crisisnetPush.safePushUrl('/#/conversations/42')") == "/#/conversations/42"
