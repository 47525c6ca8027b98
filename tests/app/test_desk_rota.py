"""The desk's rota (issue 15): a gap is drawn as a gap and a shift added closes
it; the week across the clocks going forward; the balance report; and a swap
asked from the desk that happens only when the taker says yes."""

from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import expect

from tests.app.conftest import HANA, NADIA, axe_check, shoot_desk, sign_in

DASH = "\u2013"  # the en dash the app writes between two times

# Tomorrow night's occurrence of Hana's nightly shift in Thornton Heath KeyRing,
# cancelled: the demo covers every hour, so the test makes the gap. Tomorrow,
# not tonight, so that the whole night is still ahead whatever the hour the
# test runs (at 21:00 tonight's gap would be half gone).
CANCEL_TOMORROW_NIGHT = """
import json
from datetime import datetime, time, timedelta
from django.utils import timezone
from network import actions
from network.models import Network, Person, Shift
network = Network.objects.get(slug="thornton-heath-keyring")
tz = network.tzinfo
today = timezone.now().astimezone(tz).date() + timedelta(days=1)
start = datetime.combine(today, time(20, 0), tzinfo=tz)
hana = Shift.objects.get(network=network, person__phone_number="+447700800008", is_active=True)
nadia = Person.objects.get(phone_number="+447700800005")
actions.do_cancel_occurrence(shift=hana, occurrence_start=start, actor=nadia)
print(json.dumps({"network": network.pk, "today": today.isoformat(), "start": start.isoformat()}))
"""

ON_CALL_AT = """
import json
from datetime import datetime, timedelta
from network import selectors
from network.models import Network
network = Network.objects.get(slug="thornton-heath-keyring")
start = datetime.fromisoformat("{start}")
entries = selectors.rota(network=network, start=start, end=start + timedelta(hours=12))
rows = [[e.person.display_name, e.occurrence.start.isoformat(), e.occurrence.swapped] for e in entries]
print(json.dumps(rows))
"""

TOMORROW = """
import json
from datetime import timedelta
from django.utils import timezone
from network.models import Network
network = Network.objects.get(slug="thornton-heath-keyring")
day = timezone.now().astimezone(network.tzinfo).date() + timedelta(days=1)
print(json.dumps({"network": network.pk, "day": day.isoformat()}))
"""


def _on_call(server, start: str) -> list[tuple[str, datetime, bool]]:
    """Who the API's rota has on call from ``start`` for 12 hours."""
    return [
        (name, datetime.fromisoformat(at), swapped)
        for name, at, swapped in server.shell(ON_CALL_AT.replace("{start}", start))
    ]


def test_a_gap_is_drawn_and_a_shift_added_closes_it_across_the_weeks_and_the_clocks(app_server, desk):
    made = app_server.shell(CANCEL_TOMORROW_NIGHT)
    today, network = made["today"], made["network"]
    page = desk()
    sign_in(page, app_server, NADIA)
    page.goto(f"{app_server.url}/#/desk/{network}/rota/week/{today}")
    page.get_by_role("heading", name="Rota", level=1).wait_for()
    day = page.locator(f".rota-day[data-day='{today}']")
    gap = day.locator(".rota-gap", has_text=f"Nobody on call 20:00{DASH}08:00")
    gap.wait_for()
    assert f"Cancelled: Hana 20:00{DASH}08:00" in gap.inner_text()
    page.get_by_text("1 gap in the time shown, where nobody is on call.").wait_for()
    # The report lists it too, and has a row and a bar per ready peer.
    report = page.locator(".rota-balance tbody tr")
    report.first.wait_for()
    assert sorted(report.locator("th").all_inner_texts()) == ["Chioma", "Gus", "Hana"]
    page.locator(".rota-chart canvas[role='img']").wait_for()
    listed = page.locator(".rota-gaps li", has_text=re.compile("^Nobody on call from .* 20:00 to .* 08:00$"))
    assert listed.count() == 1
    axe_check(page)
    shoot_desk(page, "rota-gap")

    # Nobody chosen: one clear error, nothing added.
    page.get_by_role("button", name="Add the shift").click()
    page.locator(".error-summary", has_text="Choose who is on call").wait_for()
    assert page.locator(".rota-shifts tbody tr").count() == 2
    # "Cover this gap" fills in the form: one night only, tonight.
    gap.get_by_role("button", name=re.compile("^Add a shift for this gap: Nobody on call 20:00")).click()
    expect(page.get_by_label("One night only, 20:00 to 08:00")).to_be_checked()
    expect(page.get_by_label("The night of")).to_have_value(today)
    assert page.locator(".error-summary").count() == 0
    page.get_by_label("Who is on call").select_option(label="Gus")
    page.get_by_role("button", name="Add the shift").click()
    page.locator(".flash", has_text="Added a shift for Gus.").wait_for()
    day.locator(".rota-shift", has_text=f"Gus 20:00{DASH}08:00").wait_for()
    assert page.locator(".rota-shifts tbody tr").count() == 3
    assert page.locator(".rota-gap").count() == 0
    page.get_by_text("Someone is on call all the time shown.").wait_for()
    assert _on_call(app_server, made["start"]) == [("Gus", datetime.fromisoformat(made["start"]), False)]

    page.get_by_role("link", name="Month", exact=True).click()
    cell = page.locator(f".rota-cell[data-day='{today}']")
    cell.locator(".rota-shift", has_text=f"Gus 20:00{DASH}08:00").wait_for()
    assert cell.locator(".rota-cancelled", has_text=f"Hana 20:00{DASH}08:00").count() == 1
    assert page.locator(".rota-gap").count() == 0
    axe_check(page)

    # The week the clocks go forward: Saturday night is still 20:00 to 08:00, 11 hours.
    page.get_by_role("link", name="Week", exact=True).click()
    page.get_by_label("Go to a date").fill("2027-03-28")
    page.get_by_role("button", name="Show", exact=True).click()
    page.get_by_role("heading", name="Mon 22 Mar to Sun 28 Mar").wait_for()
    # 20:00 GMT on Saturday to 08:00 BST on Sunday; Sunday night starts at 20:00 BST.
    saturday = page.locator(".rota-day[data-day='2027-03-27'] [data-start='2027-03-27T20:00:00Z']")
    saturday.wait_for()
    assert saturday.locator(".rota-who").inner_text() == f"Hana 20:00{DASH}08:00"
    assert saturday.locator(".rota-hours").inner_text() == "11 hours"
    sunday = page.locator(".rota-day[data-day='2027-03-28'] [data-start='2027-03-28T20:00:00+01:00']")
    assert sunday.locator(".rota-who").inner_text() == f"Hana 20:00{DASH}08:00"
    assert sunday.locator(".rota-hours").inner_text() == "12 hours"
    assert page.locator(".rota-gap").count() == 0
    axe_check(page)


def test_a_swap_asked_at_the_desk_waits_for_the_takers_yes(app_server, desk, phone):
    where = app_server.shell(TOMORROW)
    network, day = where["network"], where["day"]
    page = desk()
    sign_in(page, app_server, NADIA)
    page.goto(f"{app_server.url}/#/desk/{network}/rota/week/{day}")
    gus = page.locator(f".rota-day[data-day='{day}'] .rota-shift", has_text=f"Gus 08:00{DASH}20:00")
    gus.get_by_role("button").click()
    panel = page.locator(".rota-chosen-panel")
    panel.get_by_role("heading", name=re.compile("^Gus, .* 08:00 to 20:00$")).wait_for()
    start = gus.get_attribute("data-start")
    panel.get_by_label("Ask someone to take this one").select_option(label="Hana")
    panel.get_by_role("button", name="Ask them").click()
    dialog = page.get_by_role("dialog")
    assert "We'll ask Hana. It changes only when they say yes." in dialog.inner_text()
    dialog.get_by_role("button", name="Ask them").click()
    page.locator(".flash", has_text="We asked Hana.").wait_for()
    gus.filter(has_text="asked Hana, waiting for a yes").wait_for()
    panel.get_by_text("We asked Hana to take it. Nothing changes until they say yes.").wait_for()
    # Asked is not agreed: the rota is as it was.
    assert _on_call(app_server, start) == [("Gus", datetime.fromisoformat(start), False)]
    axe_check(page)

    hana = phone()
    sign_in(hana, app_server, HANA)
    hana.goto(app_server.url + "/#/rota")
    cover = hana.locator("section", has=hana.get_by_role("heading", name="Asked to cover for you"))
    cover.get_by_text(re.compile(r"^Nadia .*asked if you can take Gus's shift on")).wait_for()
    axe_check(hana)
    cover.get_by_role("button", name=re.compile("^Yes, I'll take it")).click()
    hana.locator(".flash", has_text="Thank you. The shift on").wait_for()

    assert _on_call(app_server, start) == [("Hana", datetime.fromisoformat(start), True)]
    # Nadia asked, so she hears the answer: her grid shows the swap without a reload.
    taken = page.locator(f".rota-day[data-day='{day}'] .rota-shift[data-start='{start}']")
    taken.filter(has_text=f"Hana 08:00{DASH}20:00").wait_for()
    assert "taken over from Gus" in taken.inner_text()
    assert "waiting for a yes" not in taken.inner_text()
    shoot_desk(page, "rota-swapped")
