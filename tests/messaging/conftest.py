"""A network in the shape the alert tests need: a member with a signed-off
plan, on-call peers, a navigator and a facilitator, all set up through the
real actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from crisisplans import actions as plan_actions
from foundation.transports import push, voice
from messaging.actions import alerts
from messaging.models import Alert
from network.actions import do_set_availability, do_set_readiness
from network.models import Membership, Network, Person
from tests.crisisplans.factories import full_sections
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory
from tests.fakes.twilio import fake_twilio  # noqa: F401 (a fixture: paging's fake Twilio on loopback)


@pytest.fixture(autouse=True)
def _empty_push_outbox():
    push.outbox.clear()
    voice.outbox.clear()
    yield
    push.outbox.clear()
    voice.outbox.clear()


def send_message(client, conversation_id, text: str, key: str) -> dict:
    """A message sent over REST as a client would; it must be accepted."""
    response = client.post(
        f"/api/v1/conversations/{conversation_id}/messages/",
        {"text": text},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 201, response.json()
    return response.json()


def put_on_call(person: Person, network: Network, *, actor: Person, now: datetime) -> None:
    membership = Membership.objects.get(person=person, network=network, left_at__isnull=True)
    do_set_readiness(membership=membership, actor=actor, ready=True)
    do_set_availability(membership=membership, state="available", until=now + timedelta(hours=8), now=now)


@dataclass
class Crisis:
    network: Network
    member: Person
    peers: list[Person]
    navigator: Person
    staff: Person
    now: datetime

    def raise_alert(self, key: str = "k1", *, member: Person | None = None, **fields) -> Alert:
        return alerts.do_raise_alert(
            member=member or self.member,
            network=self.network,
            route_all_networks=False,
            client_key=key,
            now=fields.pop("now", self.now),
            **fields,
        ).alert


@pytest.fixture
def crisis(network, member, navigator, staff) -> Crisis:
    """Amara (member) with a plan; Bea, Cleo, Dan and Eve on call; Nadia the
    navigator; Fiona the facilitator. Network: steps 120 s, 180 s, 300 s."""
    return _crisis_in(network, member=member, navigator=navigator, staff=staff)


def make_crisis() -> Crisis:
    """The same cast in a fresh network (for tests that need many)."""
    network = NetworkFactory()
    people = {}
    for name, role in (("Amara", "member"), ("Nadia", "navigator"), ("Fiona", "facilitator")):
        people[role] = PersonFactory(display_name=name)
        MembershipFactory(person=people[role], network=network, role=role)
    return _crisis_in(
        network, member=people["member"], navigator=people["navigator"], staff=people["facilitator"]
    )


def _crisis_in(network: Network, *, member: Person, navigator: Person, staff: Person) -> Crisis:
    now = timezone.now().replace(microsecond=0)
    peers = []
    for name in ["Bea", "Cleo", "Dan", "Eve"]:
        person = PersonFactory(display_name=name)
        MembershipFactory(person=person, network=network, role=Membership.Role.MEMBER)
        peers.append(person)
    # Offers are ordered least recently offered first, then longest in the
    # network: stagger the join times so the order is Bea, Cleo, Dan, Eve.
    for offset, person in enumerate(peers):
        Membership.objects.filter(person=person, network=network).update(
            joined_at=now - timedelta(days=10 - offset)
        )
    for person in peers:
        put_on_call(person, network, actor=staff, now=now - timedelta(minutes=1))
    plan = plan_actions.do_create_plan(owner=member, sections=full_sections(contacts=[]))
    plan_actions.do_sign_off_revision(owner=member, revision=plan.revisions.get(number=1))
    return Crisis(network=network, member=member, peers=peers, navigator=navigator, staff=staff, now=now)


@pytest.fixture
def twilio_unreachable(settings, monkeypatch):
    """SMS through the real Twilio backend, with Twilio's API unreachable:
    twilio-python's HTTP client refuses every request, as a network outage would."""
    import requests
    from twilio.http.http_client import TwilioHttpClient

    settings.SMS_BACKEND = "foundation.transports.sms.TwilioSmsBackend"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC" + "0" * 32, "token"
    settings.TWILIO_FROM_NUMBER = "+447700900000"

    def unreachable(self, *args, **kwargs):
        raise requests.exceptions.ConnectionError("connection refused")

    monkeypatch.setattr(TwilioHttpClient, "request", unreachable)
