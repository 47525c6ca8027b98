"""Signing in and out in the app, and how the browser holds the credential."""

from __future__ import annotations

import urllib.request

from tests.app.conftest import CHIOMA, axe_check, shoot, sign_in


def test_the_service_serves_the_app_at_its_root_with_a_strict_policy(app_server):
    with urllib.request.urlopen(app_server.url + "/") as answer:
        body = answer.read().decode()
        policy = answer.headers["Content-Security-Policy"]
        cache = answer.headers["Cache-Control"]
    assert '<script type="module" src="/js/main.js">' in body
    assert "script-src 'self';" in policy
    assert "'unsafe-inline'" not in policy
    assert "style-src 'self';" in policy
    assert cache == "no-cache"
    with urllib.request.urlopen(app_server.url + "/sw.js") as answer:
        assert "connect-src 'self'" in answer.headers["Content-Security-Policy"]


def test_a_member_signs_in_with_the_texted_code_and_the_page_never_sees_the_token(app_server, phone):
    page = phone()
    page.goto(app_server.url + "/")
    page.locator("h1", has_text="Sign in").wait_for()
    axe_check(page)
    shoot(page, "sign-in")
    sign_in(page, app_server, CHIOMA)
    axe_check(page)
    shoot(page, "home-member")

    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    device = cookies["__Host-device"]
    assert device["httpOnly"]
    assert device["secure"]
    assert device["sameSite"] == "Strict"
    assert "__Host-device" not in page.evaluate("() => document.cookie")
    # The devices list shows this browser, marked as this device.
    devices = page.evaluate("() => fetch('/api/v1/me/devices/').then(r => r.json())")
    current = [d for d in devices["results"] if d["current"]]
    assert len(current) == 1
    assert current[0]["name"].endswith("(web app)")


def test_a_write_without_the_csrf_header_is_refused_and_changes_nothing(app_server, phone):
    page = phone()
    sign_in(page, app_server, CHIOMA)
    answer = page.evaluate(
        """() => fetch('/api/v1/me/', {method: 'PATCH', headers: {'Content-Type': 'application/json'},
             body: JSON.stringify({display_name: 'Mallory'})}).then(async r => [r.status, await r.json()])"""
    )
    assert answer[0] == 403
    assert answer[1]["type"].endswith("#csrf_failed")
    assert page.evaluate("() => fetch('/api/v1/me/').then(r => r.json())")["display_name"] == "Chioma"


def test_a_wrong_code_says_how_to_fix_it(app_server, phone):
    page = phone()
    page.goto(app_server.url + "/")
    page.get_by_label("What is your mobile number?").fill(CHIOMA)
    page.get_by_role("button", name="Text me a code").click()
    page.get_by_label("What is the code?").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "That code is not valid" in summary.inner_text()
    axe_check(page)


def test_signing_out_forgets_everything_this_phone_kept(app_server, phone):
    page = phone()
    sign_in(page, app_server, CHIOMA)
    page.wait_for_function("() => caches.keys().then(k => k.length > 0)")
    # Until the service worker has kept every app file (js/main.js keepForOffline):
    # its copying, still running, would otherwise make a new cache after sign-out.
    page.wait_for_function("() => document.documentElement.dataset.offline === 'kept'")
    page.get_by_role("link", name="This phone and my account").click()
    page.get_by_role("button", name="Sign out").first.click()
    page.get_by_role("dialog").get_by_role("button", name="Sign out").click()
    page.locator("h1", has_text="Sign in").wait_for()
    assert page.evaluate("() => caches.keys()") == []
    assert page.evaluate("() => localStorage.length") == 0
    assert "__Host-device" not in {c["name"] for c in page.context.cookies()}
    assert page.evaluate("() => fetch('/api/v1/me/').then(r => r.status)") == 401
