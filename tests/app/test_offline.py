"""A phone's life: the signal goes and comes back. The app says so honestly,
catches up by its cursor, keeps the emergency routes readable with no
network, and sends an alert raised offline exactly once when it can."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from tests.app.conftest import BEN, CHIOMA, axe_check, shoot, sign_in, wait_live

APP_FILES_KEPT = """async () => {
    const cache = await caches.open('circle-shell-v1');
    const kept = (await cache.keys()).map(r => new URL(r.url).pathname);
    return ['/js/screens/alert.js', '/js/screens/support.js', '/js/screens/help.js', '/js/ui.js']
        .every(path => kept.includes(path));
}"""


def wait_until_kept_for_offline(page: Page) -> None:
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function(APP_FILES_KEPT)


def alerts_of_chioma(app_server) -> list[str]:
    return app_server.shell(
        "import json\n"
        "from messaging.models import Alert\n"
        "print(json.dumps([a.state for a in Alert.objects.filter(member__phone_number='+447700800003')]))"
    )


def test_the_member_page_says_it_is_offline_and_catches_up_by_cursor_when_back(app_server, phone):
    member, peer = phone(), phone()
    sign_in(member, app_server, CHIOMA)
    sign_in(peer, app_server, BEN)
    sockets: list[str] = []
    member.on("websocket", lambda ws: sockets.append(ws.url))

    member.get_by_role("link", name=re.compile("I need support now")).click()
    member.get_by_role("button", name="Send for support").first.click()
    status = member.locator(".status-now")
    status.filter(has_text=re.compile("asked")).wait_for()

    member.context.set_offline(True)
    member.get_by_text("You're offline").wait_for()
    # Never a stale state shown as live: the status says it may not be the latest.
    member.get_by_text("Reconnecting: this may not be the latest.").wait_for()
    shoot(member, "status-offline")

    # Meanwhile Ben takes it.
    peer.get_by_role("button", name="I've got this").click()
    peer.locator("h1", has_text="Supporting Chioma").wait_for()
    assert "Ben has your request" not in status.inner_text()

    member.context.set_offline(False)
    status.filter(has_text="Ben has your request").wait_for(timeout=20_000)
    wait_live(member)
    assert member.get_by_text("Reconnecting").count() == 0
    # It came back from where it was: the new socket asked for what came after its cursor.
    assert re.search(r"[?&]after=\d+", sockets[-1]), sockets


def test_emergency_routes_open_with_no_network_at_all(app_server, phone):
    page = phone()
    sign_in(page, app_server, CHIOMA)
    wait_until_kept_for_offline(page)
    page.context.set_offline(True)
    page.goto(app_server.url + "/#/help")
    page.locator("h1", has_text="If you need help now").wait_for()
    links = page.locator("a.route")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert {"tel:999", "tel:111", "tel:116123", "sms:85258"} <= set(hrefs)
    axe_check(page)
    shoot(page, "help-offline")


def test_an_alert_raised_offline_is_queued_and_sent_once_when_the_signal_returns(app_server, phone):
    member, peer = phone(), phone()
    sign_in(member, app_server, CHIOMA)
    sign_in(peer, app_server, BEN)
    wait_until_kept_for_offline(member)

    member.context.set_offline(True)
    member.get_by_role("link", name=re.compile("I need support now")).click()
    member.get_by_label("Anything you want them to know?").fill("No signal here")
    member.get_by_role("button", name="Send for support").first.click()
    member.locator("h1", has_text="Waiting for signal").wait_for()
    member.get_by_text("We will send your request the moment it is back online").wait_for()
    # The emergency routes are right there, as real links.
    assert member.locator("a.route[href='tel:999']").is_visible()
    axe_check(member)
    shoot(member, "support-queued")

    # A reload with no signal keeps the queued request (and the app opens from the service worker).
    member.reload()
    member.locator("h1", has_text="Waiting for signal").wait_for()
    member.goto(app_server.url + "/#/")
    member.get_by_text("Your request for support is waiting to be sent").wait_for()
    assert alerts_of_chioma(app_server) == []

    member.context.set_offline(False)
    member.get_by_text("You asked for support").wait_for(timeout=20_000)
    peer.locator(".offer").wait_for(timeout=20_000)
    member.get_by_text("You asked for support").click()
    member.locator(".status-now").filter(has_text=re.compile("asked")).wait_for()
    member.reload()
    wait_live(member)
    assert alerts_of_chioma(app_server) == ["open"]
