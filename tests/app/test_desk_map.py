"""The desk's network map (issue 15): what is drawn is what the service gave
this viewer, and nothing a member kept from them reaches the page."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page, Response, expect

from tests.app.conftest import FIONA, NADIA, axe_check, shoot_desk, sign_in

# Gus keeps one tie to himself; Food bank was last checked over a year ago.
SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from network import actions
from network.models import Asset, Network, Person
gus = Person.objects.get(phone_number="+447700800007")
actions.do_create_tie(owner=gus, kind="person", label="Gus keeps this to himself", visibility="only_me")
food_bank = Asset.objects.get(network__slug="thornton-heath-keyring", service_name="Food bank")
Asset.objects.filter(pk=food_bank.pk).update(last_checked_at=timezone.now() - timedelta(days=400))
ids = {p.display_name: p.pk for p in Person.objects.filter(display_name__in=["Chioma", "Gus", "Hana"])}
print(json.dumps({
    "keyring": Network.objects.get(slug="thornton-heath-keyring").pk,
    "sun": Network.objects.get(slug="croydon-sun").pk,
    "food_bank": food_bank.pk,
    **ids,
}))
"""

DRAWN = """() => document.querySelector('.desk-map-canvas')._cy.elements().jsons()
  .map((e) => ({group: e.group, data: e.data, classes: e.classes}))"""
CY = "document.querySelector('.desk-map-canvas')._cy"
NODE_CLASSES = f"(id) => {CY}.getElementById(id).classes()"


def _watch(page: Page) -> tuple[list[Response], list[str]]:
    """The API's answers to the page, and any console message about the CSP."""
    responses: list[Response] = []
    csp: list[str] = []
    page.on("response", lambda r: responses.append(r) if "/api/v1/" in r.url else None)
    page.on(
        "console",
        lambda m: csp.append(f"{m.text} at {m.location}") if "Content Security Policy" in m.text else None,
    )
    return responses, csp


def _open_map(page: Page, url: str, network: int) -> list[dict[str, Any]]:
    page.goto(f"{url}/#/desk/{network}/map")
    page.get_by_role("heading", name="Map", exact=True).wait_for()
    page.wait_for_function(
        "() => { const e = document.querySelector('.desk-map-canvas');"
        " return e && e._cy && e._cy.nodes().length > 0 }"
    )
    return page.evaluate(DRAWN)


def _as_drawn_by_the_api(page: Page, network: int) -> tuple[list[str], list[str]]:
    graph = page.evaluate(f"() => fetch('/api/v1/graph/?network={network}').then((r) => r.json())")
    return (
        sorted(json.dumps(n, sort_keys=True) for n in graph["nodes"]),
        sorted(json.dumps(e, sort_keys=True) for e in graph["edges"]),
    )


def _drawn(elements: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    nodes = [e["data"] for e in elements if e["group"] == "nodes"]
    edges = [{k: v for k, v in e["data"].items() if k != "id"} for e in elements if e["group"] == "edges"]
    return (
        sorted(json.dumps(n, sort_keys=True) for n in nodes),
        sorted(json.dumps(e, sort_keys=True) for e in edges),
    )


def _bodies(responses: list[Response]) -> str:
    return "\n".join(r.text() for r in responses if r.status != 204)


def test_the_map_draws_only_what_was_shared_with_its_health_and_a_facilitator_sees_only_theirs(
    app_server, desk
):
    ids = app_server.shell(SETUP)
    page = desk()
    responses, csp = _watch(page)
    sign_in(page, app_server, NADIA)
    drawn = _open_map(page, app_server.url, ids["keyring"])

    # What is drawn is exactly the API's graph for Nadia, and no more.
    assert _drawn(drawn) == _as_drawn_by_the_api(page, ids["keyring"])
    labels = {e["data"].get("label") for e in drawn}
    assert {"Gus", "Hana", "Chioma", "Food bank", "Neighbour who fixes bikes"} <= labels
    gus, hana, chioma = (f"person:{ids[name]}" for name in ("Gus", "Hana", "Chioma"))
    food_bank = f"asset:{ids['food_bank']}"
    edges = {
        (e["data"]["source"], e["data"]["target"], e["data"]["kind"]) for e in drawn if e["group"] == "edges"
    }
    assert (gus, food_bank, "uses") in edges
    assert (hana, gus, "tie") in edges
    # Gus's own tie is in neither the drawing nor anything the service sent.
    assert "Gus keeps this to himself" not in json.dumps(drawn)
    assert "Gus keeps this to himself" not in _bodies(responses)

    # Health in words, and the same people and entries highlighted on the map.
    indicators = page.locator(".desk-map-indicators")
    expect(indicators.locator("[data-indicator=isolated]")).to_contain_text(
        "Isolated (one shared tie or none)"
    )
    for name in ("Chioma", "Hana"):
        expect(indicators.locator("[data-indicator=isolated]")).to_contain_text(name)
    expect(indicators.locator("[data-indicator=several]")).to_contain_text("In several networks: Chioma.")
    expect(indicators.locator("[data-indicator=gaps]")).to_contain_text("somebody for every hour")
    expect(indicators.locator("[data-indicator=stale]")).to_contain_text(
        "Not checked for 12 months: Food bank."
    )
    assert "health-isolated" in page.evaluate(NODE_CLASSES, hana)
    assert "health-isolated" not in page.evaluate(NODE_CLASSES, gus)
    assert "health-several" in page.evaluate(NODE_CLASSES, chioma)
    assert "health-stale" in page.evaluate(NODE_CLASSES, food_bank)
    page.get_by_label("Highlight on the map").select_option(label="Isolated members")
    page.wait_for_function(f"() => {CY}.getElementById('{gus}').hasClass('dimmed')")
    assert "dimmed" not in page.evaluate(NODE_CLASSES, hana)
    page.get_by_label("Highlight on the map").select_option(label="Gaps in the on-call rota")
    expect(page.get_by_role("status").filter(has_text="Nothing to highlight")).to_be_visible()
    page.get_by_label("Highlight on the map").select_option(label="Isolated members")

    # Choosing a node, from the list in words and on the canvas, shows it beside the map.
    details = page.locator(".desk-map-details")
    page.locator(".desk-map-words").get_by_role("button", name="Show Gus on the map").click()
    expect(details.get_by_role("heading", name="Gus")).to_be_visible()
    expect(details).to_contain_text("Gus — leans on Food bank (weak)")
    # The details and the canvas's selection are drawn in turn: wait for both (under two
    # workers the selection was read a moment before the canvas had it).
    page.wait_for_function(f"() => {CY}.$(':selected').id() === '{gus}'")
    page.locator(".desk-map-canvas").scroll_into_view_if_needed()
    box = page.locator(".desk-map-canvas").bounding_box()
    at = page.evaluate(f"() => {CY}.getElementById('{hana}').renderedPosition()")
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    expect(details.get_by_role("heading", name="Hana")).to_be_visible()
    expect(details).to_contain_text("Hana — Gus: they help each other (OK)")
    canvas = page.get_by_role("img", name="Network map")
    expect(canvas).to_have_attribute(
        "aria-label",
        "Network map: 4 members, 2 other people, places and services, 3 shared ties."
        " 3 points to look at are highlighted. The same map is listed in words below.",
    )
    # Checked before axe and the screenshots, which add styles of their own.
    assert not csp, csp
    page.get_by_label("Highlight on the map").select_option(label="Everything to look at")
    page.wait_for_function(f"() => {CY}.$('.dimmed').length === 0")
    axe_check(page)
    shoot_desk(page, "map")

    # Fiona facilitates Croydon SUN: its map, without Amara's private tie or
    # what Ben shares only with a navigator; Thornton Heath's is not hers.
    fiona = desk()
    fiona_responses, fiona_csp = _watch(fiona)
    sign_in(fiona, app_server, FIONA)
    drawn = _open_map(fiona, app_server.url, ids["sun"])
    assert _drawn(drawn) == _as_drawn_by_the_api(fiona, ids["sun"])
    assert {"Amara", "Ben", "Evening peer support cafe"} <= {e["data"].get("label") for e in drawn}
    for private in ("My sister", "The allotment"):
        assert private not in json.dumps(drawn)
        assert private not in _bodies(fiona_responses)
    fiona.goto(f"{app_server.url}/#/desk/{ids['keyring']}/map")
    fiona.get_by_text("You don't navigate or facilitate this network.").wait_for()
    assert fiona.locator(".desk-map-canvas").count() == 0
    status = fiona.evaluate(f"() => fetch('/api/v1/graph/?network={ids['keyring']}').then((r) => r.status)")
    assert status in (403, 404)
    assert not fiona_csp, fiona_csp
