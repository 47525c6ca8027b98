"""Demo people and networks for `make run`. Idempotent: keyed on phone numbers
and slugs, so loading twice changes nothing.

The phone numbers are made up but well-formed (Ofcom's drama range fails
validation). The load_demo command refuses to run unless SMS goes to the
console or the locmem outbox, so a demo can never text a real person.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from network.models import Membership, Network, Person


@dataclass(frozen=True)
class DemoPerson:
    key: str
    phone_number: str
    display_name: str
    memberships: tuple[tuple[str, str], ...]  # (network slug, role)
    is_staff: bool = False


NETWORKS = [
    {
        "slug": "croydon-sun",
        "name": "Croydon SUN",
        "kind": Network.Kind.PEER_SUPPORT_GROUP,
        "area": "Croydon",
        "description": "Service User Network peer-support group. Meets Tuesday, Thursday and Saturday.",
    },
    {
        "slug": "thornton-heath-keyring",
        "name": "Thornton Heath KeyRing",
        "kind": Network.Kind.LIVING_SUPPORT,
        "area": "Thornton Heath",
        "description": "Nine neighbours within a short walk of each other, and a volunteer navigator.",
    },
]

M, N, F = Membership.Role.MEMBER, Membership.Role.NAVIGATOR, Membership.Role.FACILITATOR

PEOPLE = [
    DemoPerson("amara", "+447700800001", "Amara", (("croydon-sun", M),)),
    DemoPerson("ben", "+447700800002", "Ben", (("croydon-sun", M),)),
    DemoPerson("chioma", "+447700800003", "Chioma", (("croydon-sun", M), ("thornton-heath-keyring", M))),
    DemoPerson("dev", "+447700800004", "Dev", (("croydon-sun", M),)),
    DemoPerson("nadia", "+447700800005", "Nadia (navigator)", (("thornton-heath-keyring", N),)),
    DemoPerson("fiona", "+447700800006", "Fiona (facilitator)", (("croydon-sun", F),), is_staff=True),
    DemoPerson("gus", "+447700800007", "Gus", (("thornton-heath-keyring", M),)),
    DemoPerson("hana", "+447700800008", "Hana", (("thornton-heath-keyring", M),)),
]


@transaction.atomic
def load() -> tuple[dict[str, Network], dict[str, Person]]:
    networks: dict[str, Network] = {}
    for spec in NETWORKS:
        network, _ = Network.objects.get_or_create(slug=spec["slug"], defaults=spec)
        networks[network.slug] = network
    people: dict[str, Person] = {}
    for spec_person in PEOPLE:
        person = Person.objects.filter(phone_number=spec_person.phone_number).first()
        if person is None:
            person = Person.objects.create_user(
                spec_person.phone_number, spec_person.display_name, is_staff=spec_person.is_staff
            )
        people[spec_person.key] = person
        for slug, role in spec_person.memberships:
            Membership.objects.get_or_create(
                person=person, network=networks[slug], left_at=None, defaults={"role": role}
            )
    return networks, people
