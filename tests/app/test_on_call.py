"""The on-call peer's screens: on call now and until when on the home card,
"I can't right now" and "I'm available now", quiet hours and the cap, his
shifts and a swap that needs the taker's yes, and the private calendar feed."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.app.conftest import BEN, DEV, NADIA, axe_check, shoot, sign_in

LONDON = ZoneInfo("Europe/London")

CROYDON_ID = """() => fetch('/api/v1/networks/').then(r => r.json())
    .then(body => body.results.find(n => n.slug === 'croydon-sun').id)"""

# Who the service would offer an alert to in Croydon SUN now: the rule itself.
ON_CALL_NOW = """
import json
from django.utils import timezone
from network.models import Network
from network.selectors import on_call_candidates
network = Network.objects.get(slug="croydon-sun")
print(json.dumps([p.display_name for p in on_call_candidates(network=network, at=timezone.now())]))
"""


def my_membership(page, network_id):
    return page.evaluate(f"() => fetch('/api/v1/networks/{network_id}/me/').then(r => r.json())")


def clock(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(LONDON).strftime("%H:%M")


def test_ben_sees_he_is_on_call_until_when_and_can_say_he_cannot_right_now(app_server, phone):
    page = phone()
    sign_in(page, app_server, BEN)
    croydon = page.evaluate(CROYDON_ID)
    card = page.locator(f".on-call[data-network='{croydon}']")
    card.locator(".on-call-now", has_text="You're on call until").wait_for()
    mine = my_membership(page, croydon)
    assert mine["on_call_now"] is True
    assert clock(mine["on_call_until"]) in card.locator(".on-call-now").inner_text()
    axe_check(page)
    shoot(page, "home-on-call")

    card.get_by_role("button", name="I can't right now").click()
    card.get_by_role("group", name="How long can't you help for?").wait_for()
    axe_check(page)
    card.get_by_role("button", name="For 1 hour").click()
    card.locator(".on-call-now", has_text="You're not on call now").wait_for()
    assert "You said you can't right now" in card.inner_text()
    assert "Thanks for saying" in card.get_by_role("status").inner_text()
    mine = my_membership(page, croydon)
    assert (mine["on_call_now"], mine["off_call_because"]) == (False, "unavailable")
    assert "Ben" not in app_server.shell(ON_CALL_NOW)
    axe_check(page)
    shoot(page, "home-not-on-call")

    card.get_by_role("button", name="I'm available now").click()
    card.get_by_role("button", name="For 3 hours").click()
    card.locator(".on-call-now", has_text="You're on call until").wait_for()
    mine = my_membership(page, croydon)
    assert mine["on_call_now"] is True
    assert clock(mine["on_call_until"]) in card.locator(".on-call-now").inner_text()
    assert "Ben" in app_server.shell(ON_CALL_NOW)


def test_someone_not_ready_for_on_call_anywhere_sees_no_on_call_card(app_server, phone):
    page = phone()
    with page.expect_response(lambda answer: re.search(r"/api/v1/networks/\d+/me/$", answer.url)) as answer:
        sign_in(page, app_server, NADIA)  # a navigator nobody marked ready
    assert answer.value.json()["ready_for_on_call"] is False
    # Let the page draw what came back, then: no card, no "You're (not) on call".
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")
    assert page.locator(".on-call, .on-call-card").count() == 0
    assert "You're" not in page.locator("main").inner_text()


def test_ben_saves_quiet_hours_and_his_cap_of_alerts(app_server, phone):
    page = phone()
    sign_in(page, app_server, BEN)
    croydon = page.evaluate(CROYDON_ID)
    page.get_by_role("link", name="My shifts and on-call settings").click()
    page.locator("h1", has_text="On call").wait_for()
    page.get_by_role("heading", name="Alerts on this phone").wait_for()
    axe_check(page)
    shoot(page, "on-call")

    page.get_by_role("link", name="Change quiet hours").click()
    page.locator("h1", has_text="Quiet hours").wait_for()
    page.get_by_label("From what time?").fill("23:00")
    page.get_by_role("button", name="Save quiet hours").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "Enter both times" in summary.inner_text()
    axe_check(page)
    shoot(page, "on-call-quiet-hours-error")
    page.get_by_label("Until what time?").fill("06:30")
    page.get_by_role("button", name="Save quiet hours").click()
    page.locator(".flash", has_text="Your quiet hours are 23:00 to 06:30").wait_for()
    assert "23:00 to 06:30. No alerts then." in page.locator(".on-call-choices-list").inner_text()
    mine = my_membership(page, croydon)
    assert (mine["quiet_hours_start"], mine["quiet_hours_end"]) == ("23:00:00", "06:30:00")

    page.get_by_role("link", name="Change alerts in one shift").click()
    page.get_by_role("group", name="How many alerts at most in one shift?").wait_for()
    axe_check(page)
    page.get_by_label("2 alerts").check()
    page.get_by_role("button", name="Save").click()
    page.locator(".flash", has_text="At most 2 alerts in a shift").wait_for()
    assert my_membership(page, croydon)["max_alerts_per_shift"] == 2


def _rota_of(page, network_id) -> list[dict]:
    return page.evaluate(f"() => fetch('/api/v1/networks/{network_id}/rota/?mine=true').then(r => r.json())")


def _pending(page) -> list[dict]:
    return page.evaluate("() => fetch('/api/v1/me/swap-requests/').then(r => r.json())")["results"]


def test_ben_asks_dev_to_take_a_shift_and_it_is_his_only_when_dev_says_yes(app_server, phone):
    page = phone()
    sign_in(page, app_server, BEN)
    croydon = page.evaluate(CROYDON_ID)
    page.goto(app_server.url + "/#/rota")
    page.locator("h1", has_text="My shifts").wait_for()
    shifts = page.locator(".on-call-shift")
    shifts.first.wait_for()
    before = _rota_of(page, croydon)
    assert before
    assert all(entry["display_name"] == "Ben" and not entry["swapped"] for entry in before)
    axe_check(page)
    shoot(page, "rota")

    first = shifts.first
    start = first.get_attribute("data-start")
    first.get_by_role("link", name=re.compile("Ask someone to take your shift")).click()
    page.locator("h1", has_text="Who will take this shift?").wait_for()
    page.get_by_role("button", name="Ask them").click()
    page.locator(".error-summary", has_text="Choose who to ask").wait_for()
    axe_check(page)
    shoot(page, "rota-swap")
    # Only other peers ready for on call: not Ben himself, not Fiona (not ready).
    names = page.locator(".choice label").all_inner_texts()
    assert sorted(names) == ["Amara", "Chioma", "Dev"]
    page.get_by_label("Dev").check()
    page.get_by_role("button", name="Ask them").click()
    dialog = page.get_by_role("dialog")
    assert "We'll ask Dev. It changes only when they say yes." in dialog.inner_text()
    axe_check(page)
    dialog.get_by_role("button", name="Ask them").click()

    page.locator(".flash", has_text="We've asked Dev").wait_for()
    waiting = page.locator("section", has=page.get_by_role("heading", name="Waiting for an answer"))
    waiting.get_by_text("You asked Dev to take your shift on").wait_for()
    page.locator(f".on-call-shift[data-start='{start}']", has_text="Waiting for Dev to say yes.").wait_for()
    axe_check(page)
    shoot(page, "rota-waiting-for-an-answer")
    # Asked is not agreed: the rota, and so who is on call, is as it was.
    assert _rota_of(page, croydon) == before
    [asked] = _pending(page)
    assert (asked["asked_display_name"], asked["state"]) == ("Dev", "pending")
    assert datetime.fromisoformat(asked["occurrence_start"]) == datetime.fromisoformat(start)

    dev = phone()
    sign_in(dev, app_server, DEV)
    dev.goto(app_server.url + "/#/rota")
    cover = dev.locator("section", has=dev.get_by_role("heading", name="Asked to cover for you"))
    cover.get_by_text("Ben asked if you can take their shift on").wait_for()
    axe_check(dev)
    shoot(dev, "rota-asked-to-cover")
    cover.get_by_role("button", name=re.compile("^Yes, I'll take it")).click()
    dev.locator(".flash", has_text="Thank you. The shift on").wait_for()
    assert dev.get_by_role("heading", name="Asked to cover for you").count() == 0
    taken = dev.locator(f".on-call-shift[data-start='{start}']")
    taken.filter(has_text="You are taking this shift for Ben.").wait_for()
    axe_check(dev)
    shoot(dev, "rota-took-the-shift")

    rota = _rota_of(page, croydon)
    swapped = [entry for entry in rota if entry["start"] == start]
    assert [(e["display_name"], e["original_display_name"], e["swapped"]) for e in swapped] == [
        ("Dev", "Ben", True)
    ]
    assert sum(1 for entry in rota if entry["swapped"]) == 1
    assert _pending(page) == []
    page.reload()
    given = page.locator(f".on-call-shift[data-start='{start}']")
    given.filter(has_text="Dev is taking this shift for you.").wait_for()


def test_ben_withdraws_an_ask_and_nothing_changes(app_server, phone):
    page = phone()
    sign_in(page, app_server, BEN)
    croydon = page.evaluate(CROYDON_ID)
    page.goto(app_server.url + "/#/rota")
    first = page.locator(".on-call-shift").first
    first.wait_for()
    before = _rota_of(page, croydon)
    first.get_by_role("link", name=re.compile("Ask someone to take your shift")).click()
    page.get_by_label("Chioma").check()
    page.get_by_role("button", name="Ask them").click()
    page.get_by_role("dialog").get_by_role("button", name="Ask them").click()
    page.locator(".flash", has_text="We've asked Chioma").wait_for()
    page.get_by_role("button", name=re.compile("^Withdraw")).click()
    page.locator(".flash", has_text="Withdrawn. Nothing on the rota has changed.").wait_for()
    assert page.get_by_role("heading", name="Waiting for an answer").count() == 0
    axe_check(page)
    assert _pending(page) == []
    assert _rota_of(page, croydon) == before


def test_a_private_calendar_feed_is_shown_once_and_serves_his_shifts(app_server, phone):
    page = phone()
    sign_in(page, app_server, BEN)
    page.goto(app_server.url + "/#/rota/calendar")
    page.locator("h1", has_text="Calendar links").wait_for()
    page.get_by_text("You have not made a calendar link yet.").wait_for()
    axe_check(page)
    page.get_by_role("button", name="Make a private link").click()
    url = page.get_by_label("Or copy this link into your calendar app").input_value()
    assert re.fullmatch(re.escape(app_server.url) + r"/api/v1/calendar/[\w-]{40,}\.ics", url)
    add = page.get_by_role("link", name="Add to my calendar")
    assert add.get_attribute("href") == "webcal://" + url.split("://", 1)[1]
    axe_check(page)
    shoot(page, "calendar-feed")

    with urllib.request.urlopen(url) as answer:
        assert answer.headers["Content-Type"].startswith("text/calendar")
        body = answer.read().decode()
    assert body.startswith("BEGIN:VCALENDAR")
    assert "On call: Ben" in body
    assert "On call: Amara" not in body

    # Shown once: after "I've added it", and after a reload, it is nowhere on the page.
    page.get_by_role("button", name="I've added it").click()
    page.locator(".on-call-feed").wait_for()
    assert url not in page.content()
    page.reload()
    page.locator(".on-call-feed").wait_for()
    assert url.rsplit("/", 1)[1] not in page.content()

    page.get_by_role("button", name="Stop this link").click()
    page.get_by_role("dialog").get_by_role("button", name="Stop this link").click()
    page.get_by_text("You have not made a calendar link yet.").wait_for()
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(url)
    assert gone.value.code == 404
