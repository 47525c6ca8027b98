"""The web app (app/) in a real browser against a real service.

Each test gets its own daphne on a fresh copy of a demo database (the one
`make run` loads, built once per test session) and the real channel layer
(the Redis the test run uses), and drives Debian's Chromium through
Playwright, as a person would: signing in with the code the console SMS
backend prints into the server's log.

- ``app_server``: the running service (``.url``, ``.sign_in_code()``, ``.shell()``);
  the next test's is started while a test runs (``_next_app_server``).
- ``phone``: a new browser context at phone size (of the one ``browser`` in
  tests/conftest.py); fails the test on any uncaught script error in the page.
  ``desk``: the same at desktop size, for the navigators' screens.
- ``sign_in(page, server, number)``, ``axe_check(page)``, ``shoot(page, name)``,
  ``shoot_desk(page, name)``.

Screenshots go to var/screenshots/ (not committed) at 390 x 844 and 320 px.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page

from bench.stack import BASE_DIR, Stack
from tests.messaging.served import Shell, copy_of, manage, migrated_database, served_env, shared_template

SCREENSHOTS = BASE_DIR / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
# The desk (navigators and facilitators, issue 15) is for a computer first.
DESK = {"width": 1280, "height": 800}

# The demo's people (messaging/management/commands/load_demo.py).
AMARA, BEN, CHIOMA, DEV = "+447700800001", "+447700800002", "+447700800003", "+447700800004"
NADIA, FIONA, GUS, HANA = "+447700800005", "+447700800006", "+447700800007", "+447700800008"

# The demo `make run` loads, and, as who is on call must not depend on the
# hour the tests run, Ben available in Croydon SUN for three days, Amara and
# Dev "can't right now" (one shell: a manage.py start-up costs a second or two).
SEED = """
from django.core.management import call_command
call_command("load_demo", base_url="http://127.0.0.1")
from datetime import timedelta
from django.utils import timezone
from network.actions import do_set_availability
from network.models import Membership
until = timezone.now() + timedelta(days=3)
choices = {"+447700800002": "available", "+447700800001": "unavailable", "+447700800004": "unavailable"}
for number, state in choices.items():
    memberships = Membership.objects.filter(person__phone_number=number, network__slug="croydon-sun")
    for membership in memberships.filter(left_at__isnull=True):
        do_set_availability(membership=membership, state=state, until=until)
print("seeded")
"""


def demo_database() -> Path:
    """The migrated demo database with the seed above, built on first use
    (once per run, whichever worker asks first)."""

    def build(path: Path) -> None:
        shutil.copy(migrated_database(), path)
        assert "seeded" in manage("shell", "-c", SEED, env=served_env(path))

    return shared_template("demo.sqlite3", build)


@dataclass
class AppServer:
    url: str
    port: int
    database: Path
    log_path: Path
    env: dict[str, str]
    stack: Stack
    shell_process: Shell | None = field(default=None, repr=False)

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def sign_in_code(self, number: str, *, since: int, timeout: float = 10) -> str:
        """The code the console SMS backend printed for ``number`` after byte ``since``."""
        deadline = time.monotonic() + timeout
        pattern = re.compile(rf"\[sms to \{number}\] Your sign-in code is (\d{{6}})")
        while time.monotonic() < deadline:
            found = pattern.findall(self.log_path.read_text(errors="replace")[since:])
            if found:
                return found[-1]
            time.sleep(0.1)
        raise AssertionError(f"no sign-in code for {number} in {self.log_path}")

    def shell(self, code: str) -> Any:
        """Run Python in `manage.py shell` on this server's database; the last
        line it prints is parsed as JSON. For checking what was stored.
        (One shell process per server, kept between calls: tests/messaging/served.py.)"""
        if self.shell_process is None:
            self.shell_process = Shell(env=self.env, log_path=self.log_path.with_name("shell.log"))
        out = self.shell_process.run(code)
        return json.loads(out.strip().splitlines()[-1])


def _start_app_server() -> AppServer:
    """daphne on a fresh copy of the demo database, listening."""
    directory = Path(tempfile.mkdtemp(prefix="app-"))
    database = copy_of(demo_database(), directory)
    env = served_env(database)
    stack = Stack(env=env, log_dir=directory)
    try:
        process, port = stack.daphne("web")
    except BaseException:
        _stop_app_server_in(stack, directory)
        raise
    return AppServer(
        url=f"http://127.0.0.1:{port}",
        port=port,
        database=database,
        log_path=process.log_path,
        env=env,
        stack=stack,
    )


def _stop_app_server_in(stack: Stack, directory: Path) -> None:
    stack.stop_all(graceful=False)
    shutil.rmtree(directory, ignore_errors=True)


def _stop_app_server(server: AppServer) -> None:
    if server.shell_process is not None:
        server.shell_process.close()
    _stop_app_server_in(server.stack, server.database.parent)


_STARTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="next-app-server")


@pytest.fixture(scope="session")
def _next_app_server() -> Iterator[list[Future[AppServer]]]:
    """The next test's server, started while this test runs: daphne's start
    (2 s or more of Django's set-up) overlaps the browser's waits instead of
    adding to every test. It is untouched until its test takes it (a fresh
    copy of the demo, no request served), so each test still starts from the
    same state; the one left over at the end is stopped."""
    spare: list[Future[AppServer]] = []
    yield spare
    for future in spare:
        with contextlib.suppress(Exception):
            _stop_app_server(future.result())


@pytest.fixture
def app_server(_next_app_server: list[Future[AppServer]]) -> Iterator[AppServer]:
    future = _next_app_server.pop() if _next_app_server else None
    server = future.result() if future is not None else _start_app_server()
    _next_app_server.append(_STARTER.submit(_start_app_server))
    try:
        yield server
    finally:
        _stop_app_server(server)


def _pages(browser: Browser, viewport: dict[str, int]) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_page(**options: Any) -> Page:
        options.setdefault("viewport", viewport)
        context = browser.new_context(locale="en-GB", timezone_id="Europe/London", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Callable[..., Page]]:
    """phone(**context_options) -> a page in a new context at phone size.
    Any uncaught error in a page's scripts fails the test."""
    yield from _pages(browser, PHONE)


@pytest.fixture
def desk(browser: Browser) -> Iterator[Callable[..., Page]]:
    """desk(**context_options) -> a page in a new context at desktop size
    (1280 x 800), for the navigators' and facilitators' screens. Any uncaught
    error in a page's scripts fails the test."""
    yield from _pages(browser, DESK)


def sign_in(page: Page, server: AppServer, number: str, *, name: str = "") -> None:
    """Sign in through the app's own screens, with the texted code."""
    page.goto(server.url + "/")
    page.get_by_label("What is your mobile number?").fill(number)
    since = server.log_size()
    page.get_by_role("button", name="Text me a code").click()
    page.get_by_label("What is the code?").fill(server.sign_in_code(number, since=since))
    if name:
        page.get_by_label("What should people call you?").fill(name)
    page.get_by_role("button", name="Sign in").click()
    page.locator("h1", has_text="Hello").wait_for()
    wait_live(page)


def wait_live(page: Page) -> None:
    """Until the app's realtime socket has said hello (js/realtime.js)."""
    page.wait_for_function("() => document.documentElement.dataset.realtime === 'live'")


_axe = Axe()


def axe_check(page: Page) -> None:
    """axe-core on the page as it is now: no serious or critical violations."""
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad
    )


def _shoot(page: Page, name: str, *, usual: dict[str, int], narrow: dict[str, int]) -> None:
    """A full-page screenshot at the usual width and at the narrowest the
    screen must serve, where it must not scroll sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or usual
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{usual['width']}.png"), full_page=True)
    page.set_viewport_size(narrow)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{narrow['width']}.png"), full_page=True)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.set_viewport_size(size)
    assert overflow <= 0, f"{name} scrolls sideways at {narrow['width']} px by {overflow} px"


def shoot_desk(page: Page, name: str) -> None:
    """Screenshots of a desk screen at 1280 px and at tablet width (768 px)."""
    _shoot(page, f"desk-{name}", usual=DESK, narrow={"width": 768, "height": 1024})


def shoot(page: Page, name: str) -> None:
    """Screenshots at phone size and at 320 px wide, for a person to look at."""
    _shoot(page, name, usual=PHONE, narrow={"width": 320, "height": 640})
