from __future__ import annotations

import factory

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
