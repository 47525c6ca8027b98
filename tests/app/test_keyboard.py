"""The alert flow with a keyboard alone (no mouse, no touch): every step can
be reached with Tab and done with Enter, with focus where a person expects."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.app.conftest import BEN, CHIOMA, sign_in


def tab_to(page: Page, text: str, *, limit: int = 40) -> None:
    """Press Tab until the focused element's text contains ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e && e !== document.body && ['A', 'BUTTON', 'INPUT', 'SUMMARY'].includes(e.tagName)"
            " ? e.innerText : '' }"
        )
        if text in focused:
            return
    raise AssertionError(f"{text!r} cannot be reached with Tab")


def test_raising_taking_and_closing_an_alert_with_the_keyboard_alone(app_server, phone):
    member, peer = phone(), phone()
    sign_in(member, app_server, CHIOMA)
    sign_in(peer, app_server, BEN)

    tab_to(member, "I need support now")
    member.keyboard.press("Enter")
    member.locator("h1", has_text="Get support now").wait_for()
    # The new screen's heading has the focus (moved there once the screen has
    # drawn), so a screen reader says where we are.
    expect(member.locator("h1", has_text="Get support now")).to_be_focused()
    tab_to(member, "Send for support")
    member.keyboard.press("Enter")
    member.locator(".status-now").filter(has_text=re.compile("asked")).wait_for()

    peer.locator(".offer").wait_for()
    tab_to(peer, "I've got this")
    peer.keyboard.press("Enter")
    peer.locator("h1", has_text="Supporting Chioma").wait_for()
    tab_to(peer, "I've made contact")
    peer.keyboard.press("Enter")
    peer.get_by_text(re.compile("You made contact at")).wait_for()

    member.locator(".status-now", has_text="Ben has your request").wait_for()
    tab_to(member, "I'm OK now")
    member.keyboard.press("Enter")
    dialog = member.get_by_role("dialog")
    dialog.wait_for()
    # Escape cancels and changes nothing.
    member.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert "Ben has your request" in member.locator(".status-now").inner_text()
    tab_to(member, "I'm OK now")
    member.keyboard.press("Enter")
    dialog.wait_for()
    assert "Yes, I'm OK now" in member.evaluate("() => document.activeElement.innerText")
    member.keyboard.press("Enter")
    member.locator(".status-now", has_text="You said you're OK now").wait_for()
    peer.get_by_text(re.compile("They said they're OK now|Nothing more to do")).wait_for()
