from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib import admin

from network.models import Membership, MembershipChange, Person
from tests.conftest import (
    admin_allows_writes,
    admin_params,
    admin_shows,
    assert_admin_pages_hide,
    sign_in_to_admin,
)

pytestmark = pytest.mark.django_db

NETWORK_MODELS = [model for model in admin.site._registry if model._meta.app_label == "network"]


@pytest.mark.parametrize("model", NETWORK_MODELS, ids=lambda m: m.__name__)
def test_staff_can_open_every_network_admin_list(client, model, member, network):
    superuser = Person.objects.create_superuser("+447700840001", "Admin", password="a long admin password")
    sign_in_to_admin(client, superuser)
    response = client.get(f"/admin/network/{model._meta.model_name}/")
    assert response.status_code == 200


def _sealed_field_names(model) -> set[str]:
    from foundation.sealing import SealedTextField

    return {f.name for f in model._meta.get_fields() if isinstance(f, SealedTextField)}


SEALED_ADMINS = [
    pytest.param(m, a, id=m.__name__) for m, a in admin.site._registry.items() if _sealed_field_names(m)
]


@pytest.mark.parametrize(("model", "model_admin"), SEALED_ADMINS)
def test_the_admin_never_shows_a_persons_sealed_words(operator_request, model, model_admin):
    """Operators see metadata, never the personal text sealed at rest (issue 12
    item 10; DESIGN.md: the admin shows no plan or message content)."""
    sealed = _sealed_field_names(model)
    shown = admin_shows(model_admin, operator_request)
    assert not shown & sealed


def test_a_tie_page_in_the_admin_holds_no_label(client, member):
    from network.models import Tie

    tie = Tie.objects.create(owner=member, kind=Tie.Kind.PERSON, label="canary-tie-label-7f3a")
    superuser = Person.objects.create_superuser("+447700840003", "Admin", password="a long admin password")
    sign_in_to_admin(client, superuser)
    for url in ("/admin/network/tie/", f"/admin/network/tie/{tie.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        assert b"canary-tie-label-7f3a" not in response.content


class _FormFields(HTMLParser):
    """What a browser would submit from a page's form: inputs, checked boxes,
    selected options and textareas, by name."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self.values[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def submitted_form(page) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(page.content.decode())
    return parser.values


def _unchanged(membership) -> tuple:
    membership.refresh_from_db()
    return (membership.role, membership.left_at, MembershipChange.objects.count())


def test_a_members_role_and_leaving_cannot_be_changed_on_the_membership_page(operator, member, network):
    """A role or leaving date set in the admin would skip the membership
    history and the events: the page is read only and a POST changes nothing."""
    membership = Membership.objects.get(person=member, network=network)
    before = _unchanged(membership)
    url = f"/admin/network/membership/{membership.pk}/change/"
    form = submitted_form(operator.get(url))
    form.update({"role": "facilitator", "left_at_0": "2026-01-02", "left_at_1": "10:00:00"})
    operator.post(url, form)
    assert _unchanged(membership) == before


def test_a_members_role_and_leaving_cannot_be_changed_from_the_network_page(operator, member, network):
    membership = Membership.objects.get(person=member, network=network)
    before = _unchanged(membership)
    url = f"/admin/network/network/{network.pk}/change/"
    form = submitted_form(operator.get(url))
    form.update({"memberships-0-role": "facilitator", "memberships-0-left_at_0": "2026-01-02"})
    form.update({"memberships-0-left_at_1": "10:00:00", "area": "Croydon and Sutton"})
    saved = operator.post(url, form)
    assert saved.status_code == 302  # the network's own fields are still edited here
    network.refresh_from_db()
    assert network.area == "Croydon and Sutton"
    assert _unchanged(membership) == before


def test_nobody_joins_or_leaves_a_network_through_the_admin(operator, member, network):
    assert operator.get("/admin/network/membership/add/").status_code == 403
    membership = Membership.objects.get(person=member, network=network)
    assert (
        operator.post(f"/admin/network/membership/{membership.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize(
    "model_name", ["Membership", "MembershipChange", "JoinRequest", "Invitation", "AlertOffer"]
)
def test_records_the_actions_keep_are_read_only_in_the_admin(operator_request, model_name):
    """Joining, leaving, answering a request or an invitation, and what the
    alerts asked of whom: each has an action that keeps the history and tells
    the people; the admin only reads them."""
    from django.apps import apps

    model_admin = admin.site._registry[apps.get_model("network", model_name)]
    assert not admin_allows_writes(model_admin, operator_request)


NETWORK_CANARY = "canary-9d2c-their-own-words"


@pytest.fixture
def lived_network(api, network, navigator, member, peer):
    """A network's life through the API: every network model has rows, and
    each sealed text a person wrote holds the canary."""
    from django.utils import timezone

    from network.actions import do_record_alert_offer
    from tests.factories import PersonFactory, make_ready

    make_ready(member, network)
    make_ready(peer, network)
    shift = {
        "person": member.pk,
        "start_date": "2026-03-21",
        "start_time": "20:00",
        "duration_minutes": 720,
        "rrule": "FREQ=WEEKLY;BYDAY=SA",
    }
    created = api(navigator).post(f"/api/v1/networks/{network.pk}/shifts/", shift, format="json")
    assert created.status_code == 201, created.content
    swap = {"occurrence_start": "2026-03-28T20:00:00Z", "taken_by": peer.pk}
    assert (
        api(member).post(f"/api/v1/shifts/{created.json()['id']}/swaps/", swap, format="json").status_code
        == 201
    )
    feed = {"network": network.pk, "scope": "network_rota"}
    assert api(member).post("/api/v1/me/calendar-feeds/", feed, format="json").status_code == 201
    tie = {"kind": "place", "label": NETWORK_CANARY, "strength": 3, "direction": "to_me"}
    assert api(member).post("/api/v1/me/ties/", tie, format="json").status_code == 201
    asset = {"organization_name": "Council", "service_name": "Peer cafe"}
    made = api(navigator).post(f"/api/v1/networks/{network.pk}/assets/", asset, format="json")
    assert made.status_code == 201, made.content
    report = {"kind": "closed", "note": "shut on Tuesdays"}
    assert (
        api(member).post(f"/api/v1/assets/{made.json()['id']}/reports/", report, format="json").status_code
        == 201
    )
    newcomer = PersonFactory(display_name="Newcomer")
    asked = {"network": network.slug, "note": NETWORK_CANARY}
    assert api(newcomer).post("/api/v1/join-requests/", asked, format="json").status_code == 201
    invited = {"phone_number": "07700 810124", "note": NETWORK_CANARY}
    assert (
        api(navigator).post(f"/api/v1/networks/{network.pk}/invitations/", invited, format="json").status_code
        == 201
    )
    removal = {"reason": NETWORK_CANARY}
    membership = Membership.objects.get(person=peer, network=network)
    assert (
        api(navigator)
        .post(f"/api/v1/memberships/{membership.pk}/remove/", removal, format="json")
        .status_code
        == 204
    )
    do_record_alert_offer(person=member, network=network, at=timezone.now())  # what an alert leaves here
    return network


def test_every_network_admin_page_opens_and_shows_nobodys_words(operator, lived_network):
    models = [param.values[0] for param in admin_params("network")]
    assert len(models) >= 12
    for model in models:
        assert_admin_pages_hide(operator, model, NETWORK_CANARY)
