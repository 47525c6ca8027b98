from __future__ import annotations

from datetime import date, datetime, time, timedelta

import factory
from django.utils import timezone

from network.models import Membership, Network, Person


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ["phone_number"]

    # Made-up numbers; tests only ever use the locmem SMS backend.
    phone_number = factory.Sequence(lambda n: f"+4477008{n % 100000:05d}")
    display_name = factory.Faker("first_name")


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Network {n}")
    slug = factory.Sequence(lambda n: f"network-{n}")
    kind = Network.Kind.PEER_SUPPORT_GROUP
    area = "Croydon"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    network = factory.SubFactory(NetworkFactory)
    role = Membership.Role.MEMBER


def make_ready(person: Person, network: Network) -> Membership:
    """Mark a member ready for on call the way a facilitator does."""
    from network import actions

    facilitator = PersonFactory(display_name="Facilitator")
    membership = Membership.objects.get(person=person, network=network, left_at__isnull=True)
    return actions.do_set_readiness(membership=membership, actor=facilitator, ready=True)


def nightly_shift(
    network: Network,
    person: Person,
    *,
    actor: Person,
    start_date: date | None = None,
    rrule: str = "FREQ=DAILY",
):
    """A 12-hour shift from 20:00 in the network's time, every night from
    ``start_date`` (default: yesterday), made through the real action."""
    from network import actions

    return actions.do_create_shift(
        network=network,
        person=person,
        start_date=start_date or timezone.localdate() - timedelta(days=1),
        start_time=time(20, 0),
        duration=timedelta(hours=12),
        rrule=rrule,
        actor=actor,
    )


def tomorrow_night(network: Network) -> datetime:
    """When tomorrow's occurrence of a nightly_shift starts."""
    return datetime.combine(timezone.localdate() + timedelta(days=1), time(20, 0), tzinfo=network.tzinfo)


def add_member(
    network: Network, name: str = "", role: str = Membership.Role.MEMBER, ready: bool = False
) -> Person:
    person = PersonFactory(**({"display_name": name} if name else {}))
    MembershipFactory(person=person, network=network, role=role)
    if ready:
        make_ready(person, network)
    return person
