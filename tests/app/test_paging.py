"""How we reach you (issue 17), in the app: a peer's paging steps said and
changed (a refusal keeps what they chose), a test page opened from its link
and answered by text, live; a flagged peer told on home and on-call, who sends
a test page and answers it; and their navigator's "Reaching peers", live, that
never shows a peer of another network."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.app.conftest import BEN, GUS, NADIA, axe_check, shoot, shoot_desk, sign_in

PAGING = "() => fetch('/api/v1/me/paging/').then(r => r.json())"

SEND_BEN_A_TEST_PAGE = """
import json
from messaging.actions.paging import do_send_test_page
from network.models import Person
ben = Person.objects.get(phone_number="+447700800002")
print(json.dumps(do_send_test_page(person=ben).pk))
"""

# Ben's text was not delivered (the provider's receipt says so): his own
# network's navigators may see it, Nadia (another network's) must not.
BENS_TEXT_FAILED_AND_THE_NETWORKS = """
import json
from messaging.actions.paging import do_record_receipt
from messaging.models import Delivery
from network.models import Membership, Network, Person
ben = Person.objects.get(phone_number="+447700800002")
Delivery.objects.create(person=ben, transport="sms", provider_sid="SMpagerapp0001", status="sent")
do_record_receipt(sid="SMpagerapp0001", status="undelivered", error_code="30005")
gus = Membership.objects.get(person__phone_number="+447700800007", network__slug="thornton-heath-keyring")
print(json.dumps({
    "keyring": gus.network_id,
    "croydon": Network.objects.get(slug="croydon-sun").pk,
    "gus": gus.pk,
}))
"""

# What the beat's check before a shift does for Gus: he has never answered a test page.
CHECK_GUS = """
import json
from messaging.actions.paging import do_check_reachability_of
from network.models import Person
print(json.dumps(do_check_reachability_of(person=Person.objects.get(phone_number="+447700800007"))))
"""


def test_ben_changes_how_we_reach_him_and_answers_a_test_page_opened_from_its_link(app_server, phone):
    page = phone()
    sign_in(page, app_server, BEN)
    page.get_by_role("link", name="This phone and my account").click()
    page.get_by_role("link", name="How we reach you when someone needs support").click()
    page.locator("h1", has_text="How we reach you").wait_for()
    steps = page.locator(".paging-steps li")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("First: a notification on your phone, after 10 seconds.")
    # No phone of his has notifications on: the step says so rather than pretend.
    expect(steps.nth(0)).to_contain_text("This does not work now")
    expect(steps.nth(1)).to_contain_text("Then: a text to the number ending 002, after 30 seconds.")
    expect(page.locator(".paging-channels li[data-transport='voice']")).to_have_text(
        "Phone calls: Not set up on this service"
    )
    page.get_by_text("These are the usual steps.").wait_for()
    assert page.get_by_role("link", name="Set your quiet hours").get_attribute("href") == "#/on-call"
    axe_check(page)
    shoot(page, "paging")

    # Out of order: the service refuses, says why, and every choice stays.
    page.get_by_role("link", name="Change these steps").click()
    page.locator("h1", has_text="Change how we reach you").wait_for()
    first, second = page.locator("#step-0-wait"), page.locator("#step-1-wait")
    first.select_option("60")
    page.get_by_role("button", name="Save my steps").click()
    expect(page.locator(".error-summary")).to_contain_text("Step 2 comes before the step above it.")
    expect(page.locator("#steps-error")).to_contain_text("Step 2 comes before the step above it.")
    expect(first).to_have_value("60")
    expect(second).to_have_value("30")
    assert page.evaluate(PAGING)["is_default"] is True
    axe_check(page)
    shoot(page, "paging-edit-refused")

    # The text step taken out and put back (only what works can be added),
    # then first, at once; then the notification.
    page.get_by_role("button", name="Remove step 2").click()
    expect(page.locator(".paging-edit > li")).to_have_count(1)
    page.get_by_label("Add a step").select_option("sms")
    page.get_by_role("button", name="Add this step").click()
    expect(page.locator(".paging-edit > li").nth(1)).to_have_attribute("data-transport", "sms")
    expect(page.locator("#add-step")).to_have_text(
        "The other ways of reaching you do not work now, so they cannot be added."
    )
    page.get_by_role("button", name="Move step 2 up").click()
    page.locator("#step-0-wait").select_option("0")
    page.locator("#step-1-wait").select_option("30")
    page.get_by_role("button", name="Save my steps").click()
    page.locator(".flash", has_text="Saved. This is how we will reach you.").wait_for()
    expect(steps.nth(0)).to_contain_text("First: a text to the number ending 002, at once.")
    expect(steps.nth(1)).to_contain_text("Then: a notification on your phone, after 30 seconds.")
    mine = page.evaluate(PAGING)
    assert mine["is_default"] is False
    assert mine["rules"] == [
        {"transport": "sms", "after_seconds": 0},
        {"transport": "push", "after_seconds": 30},
    ]

    page.get_by_role("link", name="Change these steps").click()
    page.get_by_role("button", name="Back to the usual steps").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Your own steps will be replaced by the usual ones.")
    dialog.get_by_role("button", name="Back to the usual steps").click()
    page.locator(".flash", has_text="We will use the usual steps.").wait_for()
    assert page.evaluate(PAGING)["is_default"] is True

    # The test page's push opens this link: the page and "It reached me" come first.
    test_page = app_server.shell(SEND_BEN_A_TEST_PAGE)
    page.goto(f"{app_server.url}/#/account/paging?test={test_page}")
    card = page.locator(f".paging-test-page[data-test-page='{test_page}']")
    expect(card).to_have_attribute("data-state", "waiting")
    assert page.locator("main > section").first.get_attribute("data-test-page") == str(test_page)
    card.get_by_role("button", name="It reached me").wait_for()
    expect(card.locator(".paging-deliveries li").first).to_be_visible()
    axe_check(page)
    shoot(page, "paging-test-page")

    # He answers the text instead ("1", by the inbound SMS hook): the screen follows.
    app_server.shell(
        "import json\n"
        "from messaging.actions.paging import do_acknowledge_test_page\n"
        "from messaging.models import TestPage\n"
        f"do_acknowledge_test_page(test_page=TestPage.objects.get(pk={test_page}), via='sms')\n"
        "print(json.dumps(True))"
    )
    expect(card).to_have_attribute("data-state", "acknowledged")
    expect(card).to_contain_text("Your pages reach you.")
    expect(card).to_contain_text("by text")
    assert card.get_by_role("button", name="It reached me").count() == 0


def test_a_flagged_peer_is_told_and_their_navigator_sees_it_live_until_a_test_page_is_answered(
    app_server, phone, desk
):
    ids = app_server.shell(BENS_TEXT_FAILED_AND_THE_NETWORKS)
    nadia = desk()
    sign_in(nadia, app_server, NADIA)
    nadia.goto(f"{app_server.url}/#/desk")
    nadia.get_by_role("link", name="Reaching peers").click()
    nadia.locator("h1", has_text="Reaching peers").wait_for()
    # Ben's failed text is Croydon SUN's business, not hers.
    nadia.get_by_text("Everyone's pages are getting through.").wait_for()
    assert "Ben" not in nadia.locator("main").inner_text()
    croydon = nadia.evaluate(f"() => fetch('/api/v1/networks/{ids['croydon']}/paging/').then(r => r.status)")
    assert croydon in (403, 404)
    axe_check(nadia)

    # The check before Gus's shift flags him; her desk shows it without a reload.
    assert app_server.shell(CHECK_GUS) == ["test_page_overdue"]
    row = nadia.locator(".paging-table tbody tr", has_text="Gus")
    expect(row).to_contain_text("Has not answered a test page in the last month")
    expect(row.get_by_role("link", name="Gus")).to_have_attribute(
        "href", f"#/desk/{ids['keyring']}/members/{ids['gus']}"
    )
    expect(row.locator("td").nth(2)).to_have_text("Never")
    expect(row.locator("td").nth(3)).not_to_have_text("None planned")
    expect(nadia.locator(".paging-table tbody tr")).to_have_count(1)
    axe_check(nadia)
    shoot_desk(nadia, "paging")

    gus = phone()
    sign_in(gus, app_server, GUS)
    # A member of her network has no desk list of it.
    keyring = gus.evaluate(f"() => fetch('/api/v1/networks/{ids['keyring']}/paging/').then(r => r.status)")
    assert keyring in (403, 404)
    banner = gus.locator(".paging-banner")
    expect(banner).to_contain_text("Your pages may not reach you")
    expect(banner).to_contain_text("You have not said a test page reached you in the last month.")
    axe_check(gus)
    shoot(gus, "home-paging-banner")
    gus.goto(f"{app_server.url}/#/on-call")
    gus.locator("h1", has_text="On call").wait_for()
    expect(gus.locator(".paging-banner")).to_have_count(1)

    gus.get_by_role("link", name="Send yourself a test page").click()
    gus.locator("h1", has_text="How we reach you").wait_for()
    reach = gus.locator(".paging-reach")
    expect(reach).to_contain_text("Send yourself a test page and say when it reaches you.")
    gus.get_by_role("button", name="Send me a test page").click()
    card = gus.locator(".paging-test-page")
    expect(card).to_have_attribute("data-state", "waiting")
    assert "?test=" in gus.url
    # Back later without the link: the page still waiting comes first.
    gus.goto(f"{app_server.url}/#/account/paging")
    expect(card).to_have_attribute("data-state", "waiting")
    card.get_by_role("button", name="It reached me").click()
    expect(card).to_contain_text("Your pages reach you.")
    expect(card).to_contain_text("in the app")
    expect(reach).to_contain_text("Nothing we know of stops your pages reaching you.")
    axe_check(gus)
    shoot(gus, "paging-test-page-answered")

    # The flag is cleared: Nadia's list empties by itself, and Gus's banner goes.
    nadia.get_by_text("Everyone's pages are getting through.").wait_for()
    gus.goto(f"{app_server.url}/#/")
    gus.locator("h1", has_text="Hello").wait_for()
    gus.locator(".on-call").first.wait_for()
    expect(gus.locator(".paging-banner")).to_have_count(0)
