"""A member shows her plan to a clinician (issue 18): she makes a share in the
app, a signed-out browser opens it from the link and another from the typed
code, she sees the opens arrive, stops it, and the link then says only that
it has ended."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.app.conftest import AMARA, axe_check, shoot, sign_in
from tests.crisisplans.factories import ANDROID_CHROME, IPHONE_SAFARI
from tests.crisisplans.factories import SHARE_ENDED as ENDED


def test_a_member_shows_her_plan_to_a_clinician_who_has_no_account_and_then_stops_it(app_server, phone):
    page = phone()
    sign_in(page, app_server, AMARA)
    page.get_by_role("link", name="My crisis and support plan").click()
    page.locator(".plan-status").wait_for()
    page.get_by_role("link", name="Show my plan to someone").click()

    # The parts peers who take her alert read are ticked for her; nothing else.
    parts = page.get_by_role("group", name="Which parts can they read?")
    expect(parts.get_by_label("Early signs I'm not OK")).to_be_checked()
    expect(parts.get_by_label("Safe places")).to_be_checked()
    expect(parts.get_by_label("When I am well")).not_to_be_checked()
    expect(page.get_by_label("1 hour")).to_be_checked()
    page.get_by_label("24 hours").check()
    page.get_by_label("Who is it for? (optional)").fill("Croydon A&E")
    parts.get_by_label("Safe places").uncheck()
    expect(page.get_by_text("You are not sharing your plan with anyone now.")).to_be_visible()
    axe_check(page)
    shoot(page, "plan-share-choose")
    page.get_by_role("button", name="Show my plan").click()

    page.locator("h1", has_text="Show this to them").wait_for()
    qr = page.get_by_role("img", name="QR code that opens the parts of your plan you chose")
    expect(qr).to_be_visible()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0 && img.src.startsWith('data:image/svg+xml')",
        arg=qr.element_handle(),
    )
    code = page.locator(".share-code").inner_text()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}", code)
    expect(page.locator(".share-ends")).to_contain_text("It stops working at")
    expect(page.locator(".share-opens")).to_have_text("Not opened yet")
    axe_check(page)
    shoot(page, "plan-share-code")
    link = f"{app_server.url}/s/{code.replace('-', '')}"

    # A clinician's phone, never signed in, opens the QR code's link.
    clinic = phone(user_agent=ANDROID_CHROME)
    answer = clinic.goto(link)
    assert answer is not None
    assert answer.status == 200
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "script-src" not in answer.headers["content-security-policy"]
    clinic.locator("h1", has_text="A crisis and support plan").wait_for()
    expect(clinic.locator("body")).to_contain_text("not sleeping")  # early signs: chosen
    expect(clinic.locator("body")).not_to_contain_text("the library")  # safe places: taken off
    expect(clinic.locator("body")).not_to_contain_text("I go to group")  # when well: never chosen
    expect(clinic.locator("body")).not_to_contain_text("Amara")
    expect(clinic.locator(".controls")).to_contain_text("The person who shared it controls this page")
    expect(clinic.locator(".meta").first).to_contain_text("Version 1 of the plan")
    axe_check(clinic)
    shoot(clinic, "plan-share-page")

    # The member sees the open arrive (the event names only the share).
    expect(page.locator(".share-opens")).to_contain_text("Opened once, last at")

    # Someone else types the code at /s/ on another phone.
    typed = phone(user_agent=IPHONE_SAFARI)
    typed.goto(f"{app_server.url}/s/")
    typed.get_by_label("What is the code you were given?").fill(code.lower().replace("-", " "))
    axe_check(typed)
    typed.get_by_role("button", name="Show the plan").click()
    typed.locator("h1", has_text="A crisis and support plan").wait_for()
    expect(typed.locator("body")).to_contain_text("not sleeping")
    expect(page.locator(".share-opens")).to_contain_text("Opened 2 times, last at")

    # On her own phone the app's service worker leaves a share's page alone
    # (it would keep a copy of every page it answers).
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    own = page.context.new_page()
    answer = own.goto(link)
    assert answer is not None
    assert answer.status == 200
    assert not answer.from_service_worker
    own.close()
    expect(page.locator(".share-opens")).to_contain_text("Opened 3 times, last at")

    page.get_by_role("link", name="Back").first.click()
    entry = page.locator(".share-entry", has_text="Croydon A&E")
    expect(entry).to_contain_text("Opened 3 times")
    entry.get_by_role("link", name="Show the code for Croydon A&E").click()

    # She takes one part out while it is shared: gone from the clinician's next open.
    page.get_by_role("button", name="Stop showing “Early signs I'm not OK”").click()
    expect(page.get_by_role("status").filter(has_text="They can no longer read")).to_contain_text(
        "Early signs I'm not OK"
    )
    expect(page.locator(".share-parts")).not_to_contain_text("Early signs")
    clinic.reload()
    clinic.locator("h1", has_text="A crisis and support plan").wait_for()
    expect(clinic.locator("body")).not_to_contain_text("not sleeping")
    expect(clinic.locator("body")).to_contain_text("cold water")  # coping: still shown
    axe_check(page)

    # She stops it; the clinician's next open shows only that it ended.
    page.get_by_role("button", name="Stop sharing now").click()
    dialog = page.get_by_role("dialog", name="Stop sharing now?")
    expect(dialog).to_contain_text("stop working straight away")
    dialog.get_by_role("button", name="Stop sharing").click()
    expect(page.get_by_text("Sharing has stopped. The code no longer works.")).to_be_visible()
    expect(page.get_by_text("You are not sharing your plan with anyone now.")).to_be_visible()

    ended = clinic.reload()
    assert ended is not None
    assert ended.status == 404
    expect(clinic.locator("h1")).to_have_text(ENDED)
    expect(clinic.locator("body")).not_to_contain_text("not sleeping")
    axe_check(clinic)

    # Her access log says who opened it, how, and for whom she made it.
    page.get_by_role("link", name="Back").first.click()
    page.get_by_role("link", name="Who has read my plan").click()
    # Two lines from the clinician's browser: before and after she took a part
    # out (an open that showed other parts is never merged into an earlier one).
    from_clinic = page.locator(".plan-log-entry", has_text="Chrome on Android")
    expect(from_clinic).to_have_count(2)
    expect(from_clinic.first).to_contain_text(
        "Someone you showed it to opened it (Croydon A&E), using Chrome on Android."
    )
    expect(page.locator(".plan-log-entry", has_text="Safari on iPhone")).to_be_visible()
