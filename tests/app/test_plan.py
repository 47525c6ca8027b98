"""The member's crisis and support plan in the app: reading it, writing a
part as a new version (with a draft that survives a reload), comparing
versions and signing off, choosing what the peer who takes an alert may read
(and the API then showing exactly that to him), the access log, the
printable plan, co-authors, and the plan readable with no signal."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.app.conftest import AMARA, BEN, CHIOMA, NADIA, axe_check, shoot, sign_in

MY_PLAN = """async (tail) => {
    const [plan] = await (await fetch('/api/v1/plans/')).json();
    return (await fetch(`/api/v1/plans/${plan.id}/${tail}`)).json();
}"""


def my_plan_api(page: Page, tail: str = "") -> object:
    """What the API says of the signed-in member's own plan (GET plans/<id>/<tail>)."""
    return page.evaluate(MY_PLAN, tail)


def open_my_plan(page: Page) -> None:
    page.get_by_role("link", name="My crisis and support plan").click()
    page.locator("h1", has_text="My crisis and support plan").wait_for()
    page.locator(".plan-status").wait_for()


def test_a_member_writes_a_part_of_her_plan_keeps_her_draft_compares_and_signs_off(app_server, phone):
    page = phone()
    sign_in(page, app_server, AMARA)
    open_my_plan(page)
    expect(page.locator("#section-warning_signs + .plan-text")).to_contain_text("not sleeping")
    expect(page.locator(".plan-status")).to_contain_text("Signed off")
    axe_check(page)
    shoot(page, "plan")

    page.get_by_role("link", name="Write “Things that can set me off”").click()
    box = page.get_by_label("What can set you off?")
    box.fill("loud noises")
    box.press("Enter")
    box.press_sequentially("crow")
    # A reload mid-typing keeps every letter.
    page.reload()
    box = page.get_by_label("What can set you off?")
    expect(box).to_have_value("loud noises\ncrow")
    expect(page.get_by_text("We kept what you were typing last time.")).to_be_visible()
    axe_check(page)
    shoot(page, "plan-edit")

    # The service's field error is shown with the line it is about.
    box.fill("x" * 1001)
    page.get_by_role("button", name="Save this part").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Line 1:")
    expect(page.locator("#f-lines-error")).to_contain_text("1000")
    axe_check(page)
    box.fill("loud noises\ncrowds")
    page.get_by_role("button", name="Save this part").click()

    page.get_by_text("Saved as version 2. It becomes your plan when you sign it off.").wait_for()
    expect(page.locator("#section-triggers + .plan-text")).to_contain_text("crowds")
    expect(page.locator(".plan-status")).to_contain_text("Others still see version 1")
    revisions = my_plan_api(page, "revisions/")
    assert [(r["number"], r["changed_sections"], r["signed_off"]) for r in revisions] == [
        (2, ["triggers"], False),
        (1, revisions[1]["changed_sections"], True),
    ]
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('draft:plan'))") == []

    expect(page.get_by_role("link", name="See what changed since version 1")).to_be_visible()
    page.get_by_role("link", name="Versions and changes").click()
    page.locator(".plan-revision", has_text="Version 2").wait_for()
    expect(page.locator(".plan-revision").first).to_contain_text("Changed: Things that can set me off")
    axe_check(page)
    shoot(page, "plan-revisions")
    page.get_by_role("button", name="Show them side by side").click()
    page.locator("h1", has_text="Version 1 and version 2").wait_for()
    changed = page.locator(".plan-compare").first
    expect(changed.locator("h2")).to_contain_text("Things that can set me off")
    expect(changed.locator(".plan-side").nth(0)).to_contain_text("Empty")
    expect(changed.locator(".plan-side").nth(1)).to_contain_text("crowds")
    # Only the changed part is open; the 12 others wait behind "did not change".
    assert page.locator("main > .plan-compare").count() == 1
    expect(page.locator("details.more summary")).to_have_text("Parts that did not change (12)")
    axe_check(page)
    shoot(page, "plan-compare")

    page.go_back()
    page.go_back()
    page.get_by_role("button", name="Sign off version 2").click()
    page.get_by_text("Version 2 is now your plan.").wait_for()
    expect(page.locator(".plan-status")).to_contain_text("Signed off")
    reading = my_plan_api(page)
    assert reading["revision"] == 2
    assert reading["sections"]["triggers"] == ["loud noises", "crowds"]

    # A part made of small objects: the service's error names the row's field.
    page.get_by_role("link", name="Write “Professionals who support me”").click()
    page.get_by_role("button", name="Add a professional").click()
    page.get_by_label("Their name").fill("Dr Okafor")
    page.get_by_label("Their phone number").fill("12")
    page.get_by_role("button", name="Save this part").click()
    expect(page.locator("#f-pro-0-phone_number-error")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("phone number")
    axe_check(page)
    shoot(page, "plan-edit-professionals")
    page.get_by_label("Their phone number").fill("020 7946 0000")
    page.get_by_role("button", name="Save this part").click()
    page.get_by_text("Saved as version 3.").wait_for()
    expect(page.locator("#section-professional_contacts + .plan-text")).to_contain_text("GP: Dr Okafor")
    # The people pickers: her networks' members, by name.
    page.get_by_role("link", name="Change “Who to contact, and who not to”").click()
    page.locator(".plan-row-name", has_text="Ben").wait_for()
    page.get_by_label("Who to add").select_option(label="Dev")
    page.get_by_role("button", name="Add to the list").click()
    expect(page.locator(".plan-row-name")).to_have_text(["Ben", "Dev"])
    page.get_by_role("button", name="Move Dev up").click()
    expect(page.locator(".plan-row-name")).to_have_text(["Dev", "Ben"])
    axe_check(page)
    shoot(page, "plan-edit-contacts")
    for section, question in (
        ("afterwards", "How many hours afterwards should someone check in?"),
        ("coping_strategies", "What can you do yourself to cope?"),
        ("practical_needs", "Keys: where is a spare one?"),
    ):
        page.goto(f"{app_server.url}/#/plan/edit/{section}")
        page.get_by_label(question).wait_for()
        axe_check(page)
        shoot(page, f"plan-edit-{section}")
    expect(page.get_by_label("Keys: where is a spare one?")).to_have_value("spare key with my neighbour")
    page.get_by_role("link", name="Back").click()

    # The printable plan opens signed in by the cookie, not a 401.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Printable plan").click()
    printed = opened.value
    printed.wait_for_load_state()
    assert printed.locator("h1").inner_text() == "Crisis and support plan"
    assert "Amara" in printed.locator(".meta").inner_text()
    assert "crowds" in printed.locator("body").inner_text()


def test_the_peer_who_takes_her_alert_reads_only_what_she_chose_and_she_sees_it_in_the_log(app_server, phone):
    member, peer = phone(), phone()
    sign_in(member, app_server, AMARA)
    sign_in(peer, app_server, BEN)
    open_my_plan(member)
    member.get_by_role("link", name="Who can read my plan").click()
    member.locator("h1", has_text="Who can read my plan").wait_for()
    axe_check(member)
    shoot(member, "plan-sharing")
    member.get_by_role("link", name="Change what peers who take your alert can read").click()
    member.locator("legend", has_text="What can peers who take your alert read?").wait_for()
    for box in member.get_by_role("checkbox").all():
        box.uncheck()
    member.get_by_label("My reasons for living").check()
    member.get_by_label("Safe places").check()
    axe_check(member)
    shoot(member, "plan-sharing-edit")
    member.get_by_role("button", name="Save").click()
    member.get_by_text("Saved. This works straight away.").wait_for()
    card = member.locator(".plan-audience", has_text="Peers who take your alert")
    assert card.locator("li").all_inner_texts() == ["My reasons for living", "Safe places"]

    member.goto(app_server.url + "/#/")
    member.get_by_role("link", name=re.compile("I need support now")).click()
    member.get_by_role("button", name="Send for support").first.click()
    peer.get_by_role("button", name="I've got this").click()
    peer.locator("#held-plan").wait_for()
    reading = peer.evaluate(
        """async () => {
            const alerts = await (await fetch('/api/v1/alerts/')).json();
            return (await fetch(`/api/v1/plans/${alerts.results[0].details.plan_id}/`)).json();
        }"""
    )
    assert sorted(reading["sections"]) == ["reasons_for_living", "safe_places"]
    assert peer.locator("#section-safe_places").is_visible()
    assert peer.locator("#section-warning_signs").count() == 0
    # Nobody else's plan is kept on the peer's phone.
    assert peer.evaluate("() => caches.open('circle-offline-v1').then(c => c.match('/offline/plan'))") is None

    member.goto(app_server.url + "/#/plan/log")
    # Ben's screen read it, then the test's fetch as him: newest first.
    entry = member.locator(".plan-log-entry", has_text="Ben read it, because they took your alert.").first
    entry.wait_for()
    expect(entry).to_contain_text("Parts: My reasons for living, Safe places.")
    axe_check(member)
    shoot(member, "plan-log")


def test_a_navigator_starts_a_plan_and_a_co_author_writes_only_the_part_she_shares(app_server, phone):
    page, helper = phone(), phone()
    sign_in(page, app_server, NADIA)
    sign_in(helper, app_server, CHIOMA)
    page.get_by_role("link", name="My crisis and support plan").click()
    page.locator("h1", has_text="You don't have a plan yet").wait_for()
    axe_check(page)
    shoot(page, "plan-start")
    page.get_by_role("button", name="Start my plan").click()
    expect(page.locator(".plan-status")).to_contain_text("You have not signed off your plan yet.")

    page.get_by_role("link", name="People who write it with me").click()
    page.get_by_text("Nobody writes your plan with you yet.").wait_for()
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose someone to invite.")
    page.get_by_label("Chioma (member, Thornton Heath KeyRing)").check()
    axe_check(page)
    shoot(page, "plan-invite")
    page.get_by_role("button", name="Invite").click()
    page.get_by_text("Chioma can now write your plan with you.").wait_for()
    axe_check(page)
    shoot(page, "plan-co-authors")
    page.get_by_role("link", name="Choose what they can read").click()
    page.get_by_label("When I am well").wait_for()
    # A new plan shares nothing she did not choose.
    assert [box.is_checked() for box in page.get_by_role("checkbox").all()] == [False] * 13
    page.get_by_label("When I am well").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved. This works straight away.").wait_for()

    # Chioma finds Nadia's plan beside her own, and may change only that part.
    helper.get_by_role("link", name="My crisis and support plan").click()
    helper.get_by_role("link", name="Nadia (navigator)'s plan").click()
    helper.locator("h1", has_text="Nadia (navigator)'s plan").wait_for()
    assert helper.locator("#section-triggers").count() == 0
    expect(helper.locator(".plan-withheld")).to_contain_text("Not shared with you: Things that can set me")
    assert helper.get_by_role("link", name=re.compile("Things that can set me off")).count() == 0
    axe_check(helper)
    shoot(helper, "plan-co-written")
    helper.get_by_role("link", name="Write “When I am well”").click()
    helper.get_by_label("What are you like when you are well?").fill("Nadia walks her dog every morning.")
    helper.get_by_role("button", name="Save this part").click()
    helper.get_by_text("Saved as version 2. The owner decides when to sign it off.").wait_for()

    helper.get_by_role("link", name="Comments").click()
    helper.get_by_label("What would you like to say?").fill("Shall we add your morning walks?")
    helper.get_by_label("Which part is it about?").select_option(label="When I am well")
    helper.get_by_role("button", name="Add comment").click()
    helper.get_by_text("Your comment is added.").wait_for()
    axe_check(helper)
    shoot(helper, "plan-comments")

    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Comments").click()
    expect(page.locator(".plan-comment")).to_contain_text("Shall we add your morning walks?")
    expect(page.locator(".plan-comment")).to_contain_text("About “When I am well”")
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="People who write it with me").click()
    page.get_by_role("button", name="Remove Chioma").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Chioma will no longer be able to read or change your plan.")
    axe_check(page)
    dialog.get_by_role("button", name="Remove").click()
    page.get_by_text("Chioma no longer writes your plan with you.").wait_for()
    assert my_plan_api(page, "co-authors/") == []
    assert my_plan_api(page, "revisions/")[0]["author"]["display_name"] == "Chioma"


def test_with_no_signal_the_member_still_reads_her_plan_and_the_emergency_routes(app_server, phone):
    page = phone()
    sign_in(page, app_server, AMARA)
    # Once the service worker controls the page, a reload fetches every file through it.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()
    page.locator("h1", has_text="Hello").wait_for()
    open_my_plan(page)
    page.wait_for_function(
        "() => caches.open('circle-offline-v1').then(c => c.match('/offline/plan')).then(Boolean)"
    )
    page.context.set_offline(True)
    page.reload()
    page.get_by_text(re.compile("This is the copy of your plan saved on")).wait_for()
    steps = page.locator("#section-on_call_steps + .plan-text")
    expect(steps).to_contain_text("stay with me until I am calmer")
    expect(page.locator("a.route[href='tel:999']")).to_be_visible()
    axe_check(page)
    shoot(page, "plan-offline")
    assert page.get_by_role("link", name=re.compile("^Change")).count() == 0, "nothing to save offline"

    # Back online, the plan is read afresh and may be changed again.
    page.context.set_offline(False)
    page.locator(".plan-saved").wait_for(state="detached")
    expect(page.get_by_role("link", name="Change “Safe places”")).to_be_visible()
    page.context.set_offline(True)
    page.get_by_role("link", name="Help now").click()
    expect(page.locator("a.route[href='tel:116123']")).to_be_visible()
