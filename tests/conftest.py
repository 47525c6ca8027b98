"""Fixtures shared by every test: a fixed cast of people, API clients, and a
clean Redis, SMS outbox and channel layer for each test."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from foundation.transports import sms
from network.models import Device, Membership, Person
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory
from tests.messaging.served import SHARED_DIR_VARIABLE


def pytest_configure(config: Any) -> None:
    if not settings.REDIS_URL:
        raise pytest.UsageError(
            "The tests use a real Redis: run them with `make test` (which starts an embedded "
            "server when REDIS_URL is unset) or set REDIS_URL."
        )
    # One directory for the run's database templates (tests/messaging/served.py),
    # made before pytest-xdist starts its workers, which inherit it, and
    # removed when the run ends.
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        config._shared_dir = tempfile.mkdtemp(prefix="crisisnet-tests-")
        os.environ[SHARED_DIR_VARIABLE] = config._shared_dir


def pytest_unconfigure(config: Any) -> None:
    shared = getattr(config, "_shared_dir", None)
    if shared:
        shutil.rmtree(shared, ignore_errors=True)
        os.environ.pop(SHARED_DIR_VARIABLE, None)


@pytest.fixture(autouse=True)
def _clean_outside_world() -> Iterator[None]:
    """Each test starts with an empty Redis (cache, throttles, channel layer)
    and an empty SMS outbox."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    sms.outbox.clear()
    yield
    client.flushdb()
    client.close()
    sms.outbox.clear()


@pytest.fixture
def network(db: None) -> Any:
    return NetworkFactory(name="Croydon SUN", slug="croydon-sun")


@pytest.fixture
def other_network(db: None) -> Any:
    return NetworkFactory(name="Leeds KeyRing", slug="leeds-keyring")


def _member_of(network: Any, role: str, name: str) -> Person:
    person = PersonFactory(display_name=name)
    MembershipFactory(person=person, network=network, role=role)
    return person


# The cast: (healthchecks.io's owner / member / outsider, extended to our roles.)
@pytest.fixture
def member(network: Any) -> Person:
    return _member_of(network, Membership.Role.MEMBER, "Amara")


@pytest.fixture
def peer(network: Any) -> Person:
    return _member_of(network, Membership.Role.MEMBER, "Ben")


@pytest.fixture
def navigator(network: Any) -> Person:
    return _member_of(network, Membership.Role.NAVIGATOR, "Nadia")


@pytest.fixture
def staff(network: Any) -> Person:
    return _member_of(network, Membership.Role.FACILITATOR, "Fiona")


@pytest.fixture
def outsider(other_network: Any) -> Person:
    return _member_of(other_network, Membership.Role.MEMBER, "Olu")


@pytest.fixture
def outside_navigator(other_network: Any) -> Person:
    return _member_of(other_network, Membership.Role.NAVIGATOR, "Oona")


def sign_in(person: Person, name: str = "phone") -> tuple[Device, str]:
    """A device token for a person, made the way the sign-in action makes one."""
    device, token = Device.objects.create(user=person, name=name)
    return device, token


def client_for(person: Person | None) -> APIClient:
    client = APIClient()
    if person is not None:
        _, token = sign_in(person)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def api() -> Any:
    """``api(person)`` is an API client signed in as that person; ``api(None)`` is anonymous."""
    return client_for


# The longest tests (a minute or more, or half a minute of real processes)
# start first, longest first, so that with two pytest-xdist workers neither is
# left with one of them at the end while the other has nothing to do (work
# stealing moves only tests not yet started). Durations of the 2026-12 full run.
# The browser tests (tests/app/, 5 to 70 s each) must stay where pytest-django's
# own sort puts them, after every database test: Playwright's sync API runs an
# event loop in the worker's thread from the first browser test on, and any
# database test after it would fail with SynchronousOnlyOperation.
RUN_FIRST = (
    "tests/test_bench_smoke.py",  # 180 s
    "tests/messaging/test_alert_properties.py::test_an_alerts_life_keeps_its_invariants",  # 80 s
    "tests/config/test_schema_conformance.py",  # 2 x 60 s
    "tests/config/test_stack.py",  # 35 s
    "tests/messaging/test_faults.py",
    "tests/network/test_sealed_text.py::test_the_migration_seals",
    "tests/config/test_deadman.py::test_readiness_fails_within_the_set_time_once_beat_is_killed",
)


def _run_first_rank(item: Any) -> int:
    return next(
        (rank for rank, prefix in enumerate(RUN_FIRST) if item.nodeid.startswith(prefix)), len(RUN_FIRST)
    )


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """The longest tests first (RUN_FIRST, in its order; a stable sort otherwise).

    Tests marked ``postgresql`` check PostgreSQL behaviour (row locks,
    pg_dump) that SQLite does not have. On the embedded default they are
    deselected, and the run says so; CI runs on PostgreSQL and runs them all."""
    items.sort(key=_run_first_rank)
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    needs_postgres = [item for item in items if item.get_closest_marker("postgresql")]
    if needs_postgres:
        config.hook.pytest_deselected(items=needs_postgres)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]
        config._postgresql_deselected = len(needs_postgres)


def pytest_terminal_summary(terminalreporter: Any, config: Any) -> None:
    count = getattr(config, "_postgresql_deselected", 0)
    if count:
        terminalreporter.write_line(
            f"{count} tests need PostgreSQL and were not run on SQLite: set DATABASE_URL (CI does).",
            yellow=True,
        )


def run_concurrently(work: Callable[[int], None], count: int) -> list[BaseException]:
    """Run ``work(n)`` for n in 0..count-1, each on its own thread with its
    own database connection; returns what they raised."""
    from django.db import connection

    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            work(n)
        except BaseException as exc:  # reported to the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def pool_timeout() -> Exception:
    """What Django's PostgreSQL backend raises when no pooled connection comes
    free in time (connection.wrap_database_errors around the pool's
    PoolTimeout), built so it can be raised on any backend."""
    from django.db.utils import OperationalError
    from psycopg_pool import PoolTimeout

    try:
        try:
            raise PoolTimeout("couldn't get a connection after 10.00 sec")
        except PoolTimeout as exc:
            raise OperationalError(str(exc)) from exc
    except OperationalError as wrapped:
        return wrapped


def sign_in_to_admin(client: Any, person: Person) -> Any:
    """Sign ``client`` in to the admin as ``person`` with a verified second
    factor, as the admin's sign-in form leaves the session (config/admin_site.py):
    an enrolled authenticator, and its id in the session (django-otp's key)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    client.force_login(person)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def operator(client: Any) -> Any:
    """A test client signed in to the Django admin as a superuser (an operator)."""
    superuser = Person.objects.create_superuser("+447700840999", "Operator", password="a long admin password")
    return sign_in_to_admin(client, superuser)


def admin_params(app_label: str) -> list[Any]:
    """pytest params (model, model_admin) of every admin registered for one app."""
    from django.contrib import admin

    return [
        pytest.param(model, model_admin, id=model.__name__)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == app_label
    ]


def registered_admin_models() -> set[str]:
    from django.contrib import admin

    return {model.__name__ for model in admin.site._registry}


def assert_admin_pages_hide(operator: Any, model: Any, canary: str) -> None:
    """Every admin page of ``model`` opens, and none shows ``canary`` (what people wrote)."""
    for url in admin_pages_of(model):
        response = operator.get(url)
        assert response.status_code == 200, url
        assert canary.encode() not in response.content, url


@pytest.fixture
def data_key_unwraps(monkeypatch: Any) -> list[Any]:
    """The ids of every data key unwrapped from now on: every read of sealed
    text (plans, alert details, messages) unwraps its writer's key first."""
    from crisisplans import crypto

    unwrapped: list[Any] = []
    real_unwrap = crypto.unwrap_data_key

    def counting_unwrap(data_key: Any) -> Any:
        unwrapped.append(data_key.pk)
        return real_unwrap(data_key)

    monkeypatch.setattr(crypto, "unwrap_data_key", counting_unwrap)
    return unwrapped


def admin_pages_of(model: Any) -> list[str]:
    """The admin's list page of ``model`` and the change pages of up to three of its rows."""
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert model._default_manager.exists(), f"no {model.__name__} to open the change page of"
    return [base, *(f"{base}{obj.pk}/change/" for obj in model._default_manager.all()[:3])]


@pytest.fixture
def operator_request(rf: Any) -> Any:
    """A request to the admin from a superuser, for asking a ModelAdmin what it shows and allows."""
    request = rf.get("/admin/")
    request.user = Person.objects.create_superuser(
        "+447700840998", "Operator", password="a long admin password"
    )
    return request


def admin_shows(model_admin: Any, request: Any) -> set[str]:
    """Every field a ModelAdmin puts on its list or its change page."""
    return set(model_admin.get_list_display(request)) | set(model_admin.get_fields(request))


def admin_allows_writes(model_admin: Any, request: Any) -> bool:
    return any(
        (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        )
    )


# Debian's chromium, driven by Playwright (its own browser download cannot
# reach the internet here). One browser for the whole run: Playwright's sync
# API allows one running instance per thread, so every browser test (the app's,
# the service worker's) shares this one, each in contexts of its own.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# The event loop Playwright's sync API runs in this worker's main thread, from
# the first browser test to the end of the session (None before).
_browser_loop: list[Any] = [None]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        loop = _browser_loop[0] = asyncio._get_running_loop()
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        # The session may end in a test without the browser, whose teardown
        # runs with the loop taken out (below): Playwright needs it back to stop.
        asyncio._set_running_loop(loop)
        launched.close()
    _browser_loop[0] = None


@contextlib.contextmanager
def _out_of_the_browsers_event_loop(item: Any) -> Iterator[None]:
    """Playwright's sync API keeps its event loop marked running in the main
    thread between calls (it switches greenlets inside run_until_complete).
    A test without the browser that this worker runs after a browser test
    (pytest-xdist's work stealing can hand one over) would then be "in an
    async context": Django refuses the ORM (SynchronousOnlyOperation) and
    asyncio.run refuses to start. Such a test's setup, call and teardown run
    with no running loop, as in a worker that never opened the browser, and
    the browser's loop is put back after each. Hooks, not a fixture:
    pytest-django's own autouse fixtures open the database before any of
    ours. Not DJANGO_ALLOW_ASYNC_UNSAFE: that would hide a real ORM call
    from async code."""
    loop = _browser_loop[0]
    if loop is None or "browser" in item.fixturenames or asyncio._get_running_loop() is not loop:
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        if _browser_loop[0] is loop:  # not once the browser's teardown has stopped it
            asyncio._set_running_loop(loop)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: Any) -> Iterator[None]:
    with _out_of_the_browsers_event_loop(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: Any) -> Iterator[None]:
    with _out_of_the_browsers_event_loop(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: Any, nextitem: Any) -> Iterator[None]:
    with _out_of_the_browsers_event_loop(item):
        yield


@pytest.fixture
def pushes(settings, monkeypatch):
    """Web Push as in production (foundation.transports.push.WebPushBackend);
    only pywebpush's HTTP call is faked: the push services' side is the list of
    (endpoint, decrypted payload) each would have been sent."""
    import pywebpush

    settings.PUSH_BACKEND = "foundation.transports.push.WebPushBackend"
    settings.VAPID_PRIVATE_KEY = "a-vapid-private-key"
    settings.VAPID_SUBJECT = "mailto:ops@example.org"
    sent: list[tuple[str, dict]] = []
    lock = threading.Lock()

    def deliver(*, subscription_info, data, **kwargs):
        with lock:
            sent.append((subscription_info["endpoint"], json.loads(data)))

    monkeypatch.setattr(pywebpush, "webpush", deliver)
    return sent
