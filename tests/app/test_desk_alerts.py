"""The desk's alert board (issue 15) in real browsers: a facilitator sees an
alert live with its stage and who was asked, takes it from the board at the
staff step, and the member's phone shows who has it; and a facilitator reads
a member's plan in an emergency, with a reason, marked, logged and told;
a network with no facilitator is flagged on its navigator's board.

The served app runs no Celery worker (bench.stack starts only daphne for
these tests), so the escalation's later steps are run here through the real
action, do_run_due_step, as the worker's task would, once they are made due."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.app.conftest import AMARA, FIONA, NADIA, axe_check, shoot_desk, sign_in

# Amara's open alert, its steps run until the staff step has asked someone.
TO_THE_STAFF_STEP = """
import json
from datetime import timedelta
from django.utils import timezone
from messaging.actions.escalation import do_run_due_step
from messaging.models import Alert
alert = Alert.objects.get(member__phone_number="+447700800001", state="open")
for _ in range(10):
    alert.refresh_from_db()
    if alert.staff_notified_at is not None or alert.state != "open":
        break
    Alert.objects.filter(pk=alert.pk).update(next_step_due_at=timezone.now() - timedelta(seconds=1))
    do_run_due_step(alert_id=alert.pk, step=alert.step + 1)
alert.refresh_from_db()
staff = list(alert.offers.filter(kind="staff").values_list("person__display_name", flat=True))
told = alert.staff_notified_at is not None
print(json.dumps({"id": str(alert.pk), "staff_told": told, "staff": staff}))
"""

# An alert of Amara's, raised as the phone does, for the break-glass test.
RAISE_FOR_AMARA = """
import json
from messaging.actions.alerts import do_raise_alert
from network.models import Network, Person
amara = Person.objects.get(phone_number="+447700800001")
network = Network.objects.get(slug="croydon-sun")
alert = do_raise_alert(member=amara, network=network, route_all_networks=False, client_key="desk-bg").alert
print(json.dumps({"id": str(alert.pk)}))
"""

BREAK_GLASS_RECORDED = """
import json
from crisisplans.models import AccessRecord, OwnerNotice
from network.models import Person
amara = Person.objects.get(phone_number="+447700800001")
fiona = Person.objects.get(phone_number="+447700800006")
reads = AccessRecord.objects.filter(owner=amara, reader=fiona, reason="break_glass")
notices = OwnerNotice.objects.filter(owner=amara, kind="break_glass", break_glass__reader=fiona)
print(json.dumps({"reads": reads.count(), "sections": sorted(reads.first().sections) if reads else [],
                  "notices": notices.count()}))
"""


def open_board(page, server) -> None:
    page.get_by_role("link", name="Your desk").click()
    page.get_by_role("link", name="Alerts").click()
    page.locator("h1", has_text="Alerts").wait_for()


def test_a_facilitator_sees_an_alert_live_and_takes_it_from_the_board(app_server, desk, phone):
    fiona, amara = desk(), phone()
    sign_in(fiona, app_server, FIONA)
    sign_in(amara, app_server, AMARA)
    open_board(fiona, app_server)
    fiona.get_by_text("No open alerts.").first.wait_for()
    board_url = fiona.url

    amara.get_by_role("link", name=re.compile("I need support now")).click()
    amara.get_by_label("Anything you want them to know?").fill("Everything is too much tonight")
    amara.get_by_role("button", name="Send for support").first.click()
    amara.locator(".status-now").filter(has_text=re.compile("asked")).wait_for()

    # Live on the board, with no reload: who was asked (Ben, on call) and the stage.
    card = fiona.locator(".board-alert", has_text="Amara asked for support")
    expect(card.locator(".board-stage")).to_contain_text(re.compile(r"Asked \d+ (person|people)"))
    expect(card.locator("tr", has_text="Ben")).to_contain_text("Waiting for an answer")
    expect(card.locator(".board-held")).to_have_text("Nobody yet")
    expect(fiona.locator(".board-count")).to_have_text("1 open alert.")
    assert "Everything is too much tonight" not in fiona.content()
    axe_check(fiona)

    # Nobody on call takes it: the staff step asks Fiona. The offer takes
    # over her screen, as it does for anyone asked; she goes back to the board.
    reached = app_server.shell(TO_THE_STAFF_STEP)
    assert reached["staff_told"]
    assert any(name.startswith("Fiona") for name in reached["staff"])
    fiona.wait_for_url(re.compile(rf"#/alerts/{reached['id']}"))
    fiona.goto(board_url)
    card = fiona.locator(".board-alert", has_text="Amara asked for support")
    expect(card.locator(".board-stage")).to_contain_text("staff have been asked")
    expect(card.locator("tr.board-me")).to_contain_text("Staff")
    expect(card.locator("tr.board-me")).to_contain_text("Waiting for an answer")
    assert "Everything is too much tonight" not in fiona.content()
    card.get_by_role("button", name="I've got this").click()

    # She holds it: the held-alert screen, with what Amara wrote.
    fiona.locator("h1", has_text="Supporting Amara").wait_for()
    fiona.locator("blockquote", has_text="Everything is too much tonight").wait_for()
    amara.locator(".status-now", has_text=re.compile("Fiona.* has your request")).wait_for()

    fiona.goto(board_url)
    card = fiona.locator(".board-alert", has_text="Amara asked for support")
    expect(card.locator(".board-held")).to_contain_text("Fiona")
    expect(card.locator(".board-stage")).to_contain_text(re.compile("^Fiona.* has it$"))
    expect(card.locator("tr.board-me")).to_contain_text("Took it")
    expect(card.get_by_role("link", name="Open the alert you hold")).to_be_visible()
    axe_check(fiona)
    shoot_desk(fiona, "alerts")


def test_a_facilitator_breaks_glass_with_a_reason_the_member_is_told_and_no_facilitator_is_flagged(
    app_server, desk, phone
):
    app_server.shell(RAISE_FOR_AMARA)
    fiona = desk()
    sign_in(fiona, app_server, FIONA)
    open_board(fiona, app_server)
    card = fiona.locator(".board-alert", has_text="Amara asked for support")
    card.get_by_role("link", name="Read their plan in an emergency").click()

    fiona.locator("h1", has_text="Read a plan in an emergency").wait_for()
    expect(fiona.locator(".break-glass-warning")).to_contain_text(
        "Amara will be told that you read it, and why"
    )
    expect(fiona.locator(".break-glass-warning")).to_contain_text("access log")
    axe_check(fiona)
    # Too short a reason: said, and nothing is read.
    fiona.get_by_label("Why must you read it now?").fill("worried")
    fiona.get_by_role("button", name="Read the plan now").click()
    fiona.locator(".error-summary", has_text="Write at least 20 characters").wait_for()
    assert app_server.shell(BREAK_GLASS_RECORDED)["reads"] == 0

    fiona.get_by_label("Why must you read it now?").fill(
        "Nobody can reach Amara and her alert is very urgent"
    )
    fiona.get_by_role("button", name="Read the plan now").click()
    fiona.locator("h1", has_text="Emergency access: Amara's plan").wait_for()
    expect(fiona.locator(".break-glass-marked")).to_contain_text(
        "without their consent. They have been told."
    )
    # The whole plan, not only what she shares with her alert's peer.
    for section in ("warning_signs", "reasons_for_living", "on_call_steps"):
        expect(fiona.locator(f"#section-{section}")).to_be_visible()
    axe_check(fiona)

    recorded = app_server.shell(BREAK_GLASS_RECORDED)
    assert recorded["reads"] == 1
    assert recorded["notices"] == 1
    assert {"warning_signs", "reasons_for_living", "on_call_steps"} <= set(recorded["sections"])

    amara = phone()
    sign_in(amara, app_server, AMARA)
    amara.goto(app_server.url + "/#/plan/log")
    log = amara.locator(".plan-log-entry", has_text=re.compile("Fiona.* read all of it without your consent"))
    log.first.wait_for()
    notices = amara.evaluate("async () => (await (await fetch('/api/v1/plan-notices/')).json()).results")
    assert any(n["kind"] == "break_glass" for n in notices)

    # Nadia's network has no facilitator: her board says so at the top.
    nadia = desk()
    sign_in(nadia, app_server, NADIA)
    open_board(nadia, app_server)
    expect(nadia.locator(".board-health")).to_contain_text("Thornton Heath KeyRing has no facilitator")
    nadia.get_by_text("No open alerts.").first.wait_for()
    axe_check(nadia)
