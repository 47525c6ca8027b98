"""The directory in Open Referral HSDS 3.0 form: export, import, validation, roles."""

from __future__ import annotations

import copy
import uuid

import jsonschema_rs
import pytest
from django.utils import timezone

from network import actions, demo, hsds
from network.models import Asset
from tests.conftest import client_for, run_concurrently

pytestmark = pytest.mark.django_db


def url(network):
    return f"/api/v1/networks/{network.pk}/directory/hsds/"


@pytest.fixture
def strict():
    """HSDS's published service schema with no field outside it allowed, as
    HSDS checks its own examples: a misspelt field in our export fails."""
    return jsonschema_rs.validator_for(hsds.strict_schema(), validate_formats=True)


def assert_valid(document, strict):
    errors = [
        error for index, s in enumerate(document) for error in hsds.schema_errors(s, f"$[{index}]", strict)
    ]
    assert errors == []


@pytest.fixture
def directory(network, navigator):
    """Entries using every field the directory has."""
    full = actions.do_create_asset(
        network=network,
        actor=navigator,
        organization_name="Croydon Mind",
        service_name="Peer support cafe",
        description="A calm evening with tea.",
        location_name="Community hall",
        address="1 High Street, Croydon",
        postal_code="CR0 1AA",
        phone="+442081234567",
        url="https://croydonmind.example/cafe",
        opening_times=[
            {"weekday": "TU", "opens_at": "18:00", "closes_at": "20:00"},
            {"weekday": "SA", "opens_at": "10:30", "closes_at": "12:00"},
        ],
        categories=["mental health", "peer support"],
    )
    informal = actions.do_create_asset(
        network=network,
        actor=navigator,
        organization_name="Neighbours",
        service_name="Bike repairs on the green",
        is_formal_service=False,
        categories=["practical help"],
    )
    closed = actions.do_create_asset(
        network=network,
        actor=navigator,
        organization_name="Council",
        service_name="Old drop-in",
        is_closed=True,
    )
    Asset.objects.filter(pk=closed.pk).update(last_checked_at=None)
    return [full, informal, closed]


def test_the_demo_directory_exports_valid_hsds(api):
    networks, people = demo.load()
    keyring = networks["thornton-heath-keyring"]
    response = api(people["nadia"]).get(url(keyring))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="thornton-heath-keyring-directory-hsds-'
    )
    document = response.json()
    strict = jsonschema_rs.validator_for(hsds.strict_schema(), validate_formats=True)
    assert_valid(document, strict)
    [food_bank] = document
    assert food_bank["name"] == "Food bank"
    assert food_bank["organization"]["name"] == "Thornton Heath Food Bank"
    assert food_bank["organization_id"] == food_bank["organization"]["id"]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in food_bank["schedules"]] == [
        ("TH", "12:00", "15:00")
    ]
    assert [a["taxonomy_term"]["name"] for a in food_bank["attributes"]] == ["food"]
    assert food_bank["service_at_locations"][0]["location"]["name"] == "Parish hall"
    assert food_bank["id"] == str(Asset.objects.get(network=keyring).hsds_id)
    sun = api(people["fiona"]).get(url(networks["croydon-sun"])).json()
    assert_valid(sun, strict)
    assert len(sun) == 2


def test_the_export_holds_every_field_and_validates(api, network, navigator, directory, strict):
    document = api(navigator).get(url(network)).json()
    assert_valid(document, strict)
    by_name = {s["name"]: s for s in document}
    cafe = by_name["Peer support cafe"]
    assert cafe["status"] == "active"
    assert cafe["url"] == "https://croydonmind.example/cafe"
    assert cafe["phones"][0]["number"] == "+442081234567"
    assert cafe["assured_date"] == timezone.localdate().isoformat()
    address = cafe["service_at_locations"][0]["location"]["addresses"][0]
    assert (address["address_1"], address["postal_code"], address["country"]) == (
        "1 High Street, Croydon",
        "CR0 1AA",
        "GB",
    )
    assert [s["byday"] for s in cafe["schedules"]] == ["TU", "SA"]
    assert by_name["Old drop-in"]["status"] == "defunct"
    assert "assured_date" not in by_name["Old drop-in"]
    kinds = [a["taxonomy_term"].get("code") for a in by_name["Bike repairs on the green"]["attributes"]]
    assert kinds == [None, "informal_asset"]
    # Ordered by organisation, then service: nothing depends on row ids.
    assert [s["organization"]["name"] for s in document] == ["Council", "Croydon Mind", "Neighbours"]


def test_export_then_import_gives_the_same_document_in_the_same_and_an_empty_network(
    api, network, other_network, navigator, outside_navigator, directory
):
    first = api(navigator).get(url(network)).json()
    again = api(navigator).post(url(network), first, format="json")
    assert again.status_code == 200
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 3, "not_kept": [], "not_kept_count": 0}
    assert api(navigator).get(url(network)).json() == first

    elsewhere = api(outside_navigator).post(url(other_network), first, format="json")
    assert elsewhere.json()["created"] == 3
    assert api(outside_navigator).get(url(other_network)).json() == first
    assert Asset.objects.filter(network=other_network).count() == 3
    assert Asset.objects.filter(network=network).count() == 3


def test_an_import_updates_entries_by_id_and_adds_new_ones(api, network, navigator, directory):
    document = api(navigator).get(url(network)).json()
    cafe = next(s for s in document if s["name"] == "Peer support cafe")
    cafe["name"] = "Peer support evening"
    cafe["phones"][0]["number"] = "020 8765 4321"
    cafe["schedules"][0]["byday"] = "TU,TH"
    cafe["assured_date"] = "2026-01-05"
    new_id = str(uuid.uuid4())
    document.append(
        {
            "id": new_id,
            "name": "Warm space",
            "status": "active",
            "organization": {"id": str(uuid.uuid4()), "name": "St Mary's", "description": ""},
        }
    )
    response = api(navigator).post(url(network), document, format="json")
    assert response.json() == {
        "created": 1,
        "updated": 1,
        "unchanged": 2,
        "not_kept": [],
        "not_kept_count": 0,
    }
    asset = directory[0]
    asset.refresh_from_db()
    assert asset.service_name == "Peer support evening"
    assert str(asset.phone) == "+442087654321"
    assert [r["weekday"] for r in asset.opening_times] == ["TU", "TH", "SA"]
    assert timezone.localdate(asset.last_checked_at).isoformat() == "2026-01-05"
    warm = Asset.objects.get(network=network, hsds_id=new_id)
    assert (warm.organization_name, warm.created_by, warm.last_checked_at) == ("St Mary's", navigator, None)


def test_one_invalid_record_saves_nothing_and_each_error_has_its_path(api, network, navigator, directory):
    document = api(navigator).get(url(network)).json()
    before = list(Asset.objects.order_by("pk").values())
    document[1]["name"] = "Renamed, but the file is refused"
    document.append({"id": "not-a-uuid", "name": "Broken", "status": "open"})
    response = api(navigator).post(url(network), document, format="json")
    assert response.status_code == 400
    errors = {(e["field"], e["detail"]) for e in response.json()["errors"]}
    assert ("$[3].id", '"not-a-uuid" is not a "uuid"') in errors
    assert any(field == "$[3].status" for field, _ in errors)
    assert list(Asset.objects.order_by("pk").values()) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: s["phones"][0].update(number="not a phone"), "$[1].phones[0].number"),
        (lambda s: s["organization"].update(name=""), "$[1].organization"),
        (lambda s: s["schedules"][0].update(opens_at="25:00"), "$[1].schedules"),
        (lambda s: s.update(assured_date="last week"), "$[1].assured_date"),
        (lambda s: s.update(name="x" * 201), "$[1].name"),
    ],
)
def test_what_the_directory_cannot_hold_is_an_error_with_its_path(
    api, network, navigator, directory, change, field
):
    document = api(navigator).get(url(network)).json()
    change(document[1])  # the cafe
    response = api(navigator).post(url(network), document, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    directory[0].refresh_from_db()
    assert directory[0].service_name == "Peer support cafe"


def test_the_same_id_twice_is_an_error(api, network, navigator, directory):
    document = api(navigator).get(url(network)).json()
    document.append(copy.deepcopy(document[0]))
    response = api(navigator).post(url(network), document, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "$[3].id"


def test_not_an_array_is_an_error(api, network, navigator):
    response = api(navigator).post(url(network), {"services": []}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "$"


def test_an_hsds_api_page_is_read_too_and_what_has_no_place_is_listed(api, network, navigator):
    sid = str(uuid.uuid4())
    council = {
        "total_items": 1,
        "contents": [
            {
                "id": sid,
                "name": "Housing advice",
                "status": "active",
                "email": "housing@council.example",
                "organization": {
                    "id": str(uuid.uuid4()),
                    "name": "Croydon Council",
                    "description": "The council",
                },
                "schedules": [
                    {
                        "id": str(uuid.uuid4()),
                        "freq": "WEEKLY",
                        "byday": "MO,WE",
                        "opens_at": "09:00",
                        "closes_at": "17:00",
                    },
                    {
                        "id": str(uuid.uuid4()),
                        "freq": "MONTHLY",
                        "byday": "1FR",
                        "opens_at": "10:00",
                        "closes_at": "12:00",
                    },
                ],
                "service_at_locations": [
                    {
                        "id": str(uuid.uuid4()),
                        "location": {
                            "id": str(uuid.uuid4()),
                            "location_type": "physical",
                            "name": "Bernard Weatherill House",
                            "addresses": [
                                {
                                    "id": str(uuid.uuid4()),
                                    "address_1": "8 Mint Walk",
                                    "city": "Croydon",
                                    "state_province": "",
                                    "postal_code": "CR0 1EA",
                                    "country": "GB",
                                    "address_type": "physical",
                                }
                            ],
                        },
                    },
                    {"id": str(uuid.uuid4())},
                ],
            }
        ],
    }
    response = api(navigator).post(url(network), council, format="json")
    assert response.status_code == 200
    assert response.json()["created"] == 1
    assert response.json()["not_kept"] == [
        "$.contents[0].email",
        "$.contents[0].organization.description",
        "$.contents[0].schedules[1]",
        "$.contents[0].service_at_locations[1]",
    ]
    asset = Asset.objects.get(hsds_id=sid)
    assert asset.address == "8 Mint Walk, Croydon"
    assert asset.postal_code == "CR0 1EA"
    assert [r["weekday"] for r in asset.opening_times] == ["MO", "WE"]


def test_a_few_hundred_entries_import_in_a_bounded_number_of_queries(
    api, network, navigator, django_assert_max_num_queries
):
    document = [
        {
            "id": str(uuid.uuid4()),
            "name": f"Service {n}",
            "status": "active",
            "organization": {"id": str(uuid.uuid4()), "name": f"Organisation {n % 7}", "description": ""},
            "phones": [{"id": str(uuid.uuid4()), "number": f"020 8123 {n:04d}"}],
            "schedules": [
                {"id": str(uuid.uuid4()), "byday": "MO,FR", "opens_at": "09:00", "closes_at": "17:00"}
            ],
        }
        for n in range(300)
    ]
    client = api(navigator)
    with django_assert_max_num_queries(15):
        response = client.post(url(network), document, format="json")
    assert response.json()["created"] == 300
    exported = client.get(url(network)).json()
    with django_assert_max_num_queries(15):
        again = client.post(url(network), exported, format="json")
    assert again.json()["unchanged"] == 300


def test_a_file_over_the_limit_is_refused_before_it_is_read(api, network, navigator, monkeypatch):
    monkeypatch.setattr(hsds, "MAX_BYTES", 100)
    response = api(navigator).post(url(network), [{"id": "x" * 200}], format="json")
    assert response.status_code == 413
    assert response.json()["type"] == "about:blank#too_large"


def test_too_many_services_is_an_error(api, network, navigator, monkeypatch):
    monkeypatch.setattr(hsds, "MAX_SERVICES", 2)
    response = api(navigator).post(url(network), [{}, {}, {}], format="json")
    assert response.status_code == 400
    assert "At most 2 services" in response.json()["errors"][0]["detail"]


def test_an_import_with_an_idempotency_key_runs_once(api, network, navigator, directory):
    document = api(navigator).get(url(network)).json()
    for service in document:
        service["id"] = str(uuid.uuid4())
    client = api(navigator)
    first = client.post(url(network), document, format="json", HTTP_IDEMPOTENCY_KEY="import-1")
    second = client.post(url(network), document, format="json", HTTP_IDEMPOTENCY_KEY="import-1")
    assert first.json()["created"] == 3
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Asset.objects.filter(network=network).count() == 6


@pytest.mark.parametrize(
    ("who", "status"),
    [("navigator", 200), ("staff", 200), ("member", 403), ("outsider", 404), ("outside_navigator", 404)],
)
def test_only_the_networks_navigators_and_facilitators_export_and_import(
    api, request, network, directory, who, status
):
    person = request.getfixturevalue(who)
    assert api(person).get(url(network)).status_code == status
    document = hsds.export_document(list(Asset.objects.filter(network=network)))
    document[0]["name"] = "Changed by an import"
    assert api(person).post(url(network), document, format="json").status_code == status
    changed = Asset.objects.filter(network=network, service_name="Changed by an import").exists()
    assert changed is (status == 200)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_new_entries_at_once_add_them_once(network, navigator):
    document = [
        {
            "id": str(uuid.uuid4()),
            "name": f"Service {n}",
            "status": "active",
            "organization": {"id": str(uuid.uuid4()), "name": "Council", "description": ""},
        }
        for n in range(50)
    ]
    answers = []

    def load(n):
        answers.append(client_for(navigator).post(url(network), document, format="json").status_code)

    assert run_concurrently(load, 2) == []
    assert Asset.objects.filter(network=network).count() == 50
    # The second waits on the first's new rows, then is told: it created nothing.
    assert sorted(answers) in ([200, 200], [200, 409])
