"""The desk's community directory (issue 15): search, add, edit, mark as
checked, resolve a member's report, and share in Open Referral HSDS form:
the downloaded file validates against the HSDS schema and loads back
unchanged; a file with a bad record shows its errors and changes nothing."""

from __future__ import annotations

import json

import jsonschema_rs
from playwright.sync_api import expect

from network import hsds
from tests.app.conftest import NADIA, axe_check, shoot_desk, sign_in

SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from network.models import Asset, AssetReport, Network, Person
keyring = Network.objects.get(slug="thornton-heath-keyring")
food = Asset.objects.get(network=keyring, service_name="Food bank")
Asset.objects.filter(pk=food.pk).update(last_checked_at=timezone.now() - timedelta(days=400))
gus = Person.objects.get(phone_number="+447700800007")
AssetReport.objects.create(asset=food, reported_by=gus, kind="wrong", note="They open at 1pm now")
print(json.dumps(keyring.pk))
"""

STORED = """
import json
from network.models import Asset, Network
keyring = Network.objects.get(slug="thornton-heath-keyring")
print(json.dumps(sorted(
    [a.service_name, a.phone.as_e164 if a.phone else "", a.opening_times, a.categories]
    for a in Asset.objects.filter(network=keyring)
)))
"""


def test_nadia_keeps_the_directory_and_shares_it_in_hsds_form(app_server, desk, tmp_path):
    keyring = app_server.shell(SETUP)
    page = desk()
    sign_in(page, app_server, NADIA)
    page.goto(f"{app_server.url}/#/desk/{keyring}/directory")
    page.get_by_role("heading", name="Directory", exact=True).wait_for()
    rows = page.locator(".directory-table tbody tr")
    expect(rows).to_have_count(1)
    food = rows.filter(has_text="Food bank")
    expect(food).to_contain_text("Thursday 12:00 to 15:00")
    expect(food).to_contain_text("Not checked for over a year")
    report = page.locator(".directory-report", has_text="Food bank")
    expect(report).to_contain_text("They open at 1pm now")
    axe_check(page)

    # Search, by category, then for nothing.
    search = page.get_by_label("Search the directory")
    search.fill("FOOD")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("1 entry for “FOOD”").wait_for()
    search.fill("swimming")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("No entries for “swimming”.").wait_for()
    page.get_by_role("button", name="Show everything").click()
    expect(rows).to_have_count(1)

    # Add an entry, with opening times on a weekday.
    page.get_by_role("link", name="Add an entry").click()
    page.get_by_role("heading", name="Add an entry").wait_for()
    page.get_by_label("Organisation").fill("Thornton Heath Library")
    page.get_by_label("Service or resource").fill("Homework club")
    page.get_by_label("Phone (optional)").fill("020 8123 4567")
    page.get_by_label("Categories (optional)").fill("children, study")
    page.get_by_label("Wednesday Opens").fill("16:00")
    page.get_by_label("Wednesday Closes").fill("18:00")
    axe_check(page)
    page.get_by_role("button", name="Add to the directory").click()
    page.get_by_text("Homework club is in the directory.").wait_for()
    club = rows.filter(has_text="Homework club")
    expect(club).to_contain_text("Wednesday 16:00 to 18:00")
    expect(club).to_contain_text("020 8123 4567")

    # Edit it: a new name and a second day.
    page.get_by_role("link", name="Edit Homework club").click()
    page.get_by_role("heading", name="Edit Homework club").wait_for()
    expect(page.get_by_label("Wednesday Opens")).to_have_value("16:00")
    page.get_by_label("Service or resource").fill("Homework and reading club")
    page.get_by_label("Friday Opens").fill("15:30")
    page.get_by_label("Friday Closes").fill("17:00")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Homework and reading club is saved.").wait_for()
    expect(rows.filter(has_text="Homework and reading club")).to_contain_text("Friday 15:30 to 17:00")

    # Mark the stale food bank as checked; resolve Gus's report.
    page.get_by_role("button", name="Mark Food bank as checked").click()
    page.get_by_text("Food bank is marked as checked today.").wait_for()
    expect(food).not_to_contain_text("Not checked for over a year")
    report.get_by_label("Your note about Food bank (optional)").fill("Phoned them: still noon")
    report.get_by_role("button", name="Fixed").click()
    page.get_by_text("The report on Food bank is marked fixed.").wait_for()
    page.get_by_text("No open reports.").wait_for()
    axe_check(page)
    shoot_desk(page, "directory")

    # Export: the download is valid HSDS, and loads back unchanged.
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Download this directory (HSDS file)").click()
    exported = tmp_path / downloaded.value.suggested_filename
    downloaded.value.save_as(exported)
    document = json.loads(exported.read_text())
    strict = jsonschema_rs.validator_for(hsds.strict_schema(), validate_formats=True)
    assert [e for i, s in enumerate(document) for e in hsds.schema_errors(s, f"$[{i}]", strict)] == []
    assert sorted(s["name"] for s in document) == ["Food bank", "Homework and reading club"]

    chooser = page.get_by_label("A directory file to load (HSDS, .json)")
    chooser.set_input_files(str(exported))
    page.get_by_role("button", name="Load the file").click()
    page.get_by_text("File loaded: 0 created, 0 updated, 2 unchanged.").wait_for()

    # A file with one bad record: its errors, with where they are; nothing changes.
    document[0]["name"] = "Renamed by a file that is refused"
    document[1]["id"] = "not-an-id"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    chooser.set_input_files(str(broken))
    page.get_by_role("button", name="Load the file").click()
    errors = page.locator(".directory-import-errors")
    expect(errors).to_contain_text("Nothing was changed.")
    expect(errors).to_contain_text('$[1].id: "not-an-id" is not a "uuid"')
    axe_check(page)
    assert app_server.shell(STORED) == [
        ["Food bank", "", [{"weekday": "TH", "opens_at": "12:00", "closes_at": "15:00"}], ["food"]],
        [
            "Homework and reading club",
            "+442081234567",
            [
                {"weekday": "WE", "opens_at": "16:00", "closes_at": "18:00"},
                {"weekday": "FR", "opens_at": "15:30", "closes_at": "17:00"},
            ],
            ["children", "study"],
        ],
    ]
