"""Demo people and networks for `make run`: two networks with a rota covering
every hour, availability, personal maps, a community directory, and Croydon
SUN's rules: one change passed and ratified weeks ago (version 1 of its
rules) and one proposal open for votes.
Idempotent: keyed on phone numbers, slugs, labels and service names, so
loading twice changes nothing.

The phone numbers are made up but well-formed (Ofcom's drama range fails
validation). The load_demo command refuses to run unless SMS goes to the
console or the locmem outbox, so a demo can never text a real person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from network import actions
from network.actions import rules as rule_actions
from network.models import Asset, Membership, Network, Person, RuleChangeProposal, Shift, Tie


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
    _load_rota(networks, people)
    _load_maps(networks, people)
    _load_rules(networks, people)
    return networks, people


# (network slug, person, start, hours, rrule): together they cover every hour of every day.
ROTA_START = date(2026, 1, 5)
SHIFTS = [
    ("croydon-sun", "amara", time(20, 0), 12, "FREQ=DAILY"),
    ("croydon-sun", "ben", time(8, 0), 12, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("croydon-sun", "dev", time(8, 0), 12, "FREQ=WEEKLY;BYDAY=SA,SU"),
    ("thornton-heath-keyring", "gus", time(8, 0), 12, "FREQ=DAILY"),
    ("thornton-heath-keyring", "hana", time(20, 0), 12, "FREQ=DAILY"),
]
READY = {
    "croydon-sun": ("amara", "ben", "chioma", "dev"),
    "thornton-heath-keyring": ("chioma", "gus", "hana"),
}


def _membership(people: dict[str, Person], key: str, network: Network) -> Membership:
    return Membership.objects.get(person=people[key], network=network, left_at__isnull=True)


def _load_rota(networks: dict[str, Network], people: dict[str, Person]) -> None:
    marked_by = {"croydon-sun": people["fiona"], "thornton-heath-keyring": people["nadia"]}
    for slug, keys in READY.items():
        for key in keys:
            membership = _membership(people, key, networks[slug])
            if not membership.is_ready:
                actions.do_set_readiness(
                    membership=membership, actor=marked_by[slug], ready=True, reason="demo: training done"
                )
    for slug, key, start, hours, rrule in SHIFTS:
        network = networks[slug]
        if not Shift.objects.filter(
            network=network, person=people[key], rrule=rrule, start_time=start
        ).exists():
            actions.do_create_shift(
                network=network,
                person=people[key],
                start_date=ROTA_START,
                start_time=start,
                duration=timedelta(hours=hours),
                rrule=rrule,
                actor=marked_by[slug],
            )
    sun = networks["croydon-sun"]
    for key in ("amara", "ben"):
        actions.do_update_my_membership(membership=_membership(people, key, sun), share_phone_number=True)
    actions.do_update_my_membership(
        membership=_membership(people, "dev", sun), quiet_hours_start=time(23, 0), quiet_hours_end=time(7, 0)
    )
    # Chioma offers to be available the first time the demo loads; later loads leave her choice alone.
    chioma = _membership(people, "chioma", sun)
    if chioma.available_until is None and chioma.unavailable_until is None:
        actions.do_set_availability(
            membership=chioma, state="available", until=timezone.now() + timedelta(hours=4)
        )


ASSETS = {
    "croydon-sun": [
        {
            "organization_name": "Croydon Mind",
            "service_name": "Evening peer support cafe",
            "location_name": "Community hall",
            "address": "High Street, Croydon",
            "opening_times": [{"weekday": "TU", "opens_at": "18:00", "closes_at": "20:00"}],
            "categories": ["mental health", "peer support"],
        },
        {
            "organization_name": "Croydon Libraries",
            "service_name": "Central library quiet room",
            "location_name": "Central Library",
            "opening_times": [{"weekday": "SA", "opens_at": "10:00", "closes_at": "16:00"}],
            "categories": ["quiet space"],
            "is_formal_service": False,
        },
    ],
    "thornton-heath-keyring": [
        {
            "organization_name": "Thornton Heath Food Bank",
            "service_name": "Food bank",
            "location_name": "Parish hall",
            "opening_times": [{"weekday": "TH", "opens_at": "12:00", "closes_at": "15:00"}],
            "categories": ["food"],
        },
    ],
}

# (owner, network of a linked asset or None, label, kind, strength, direction, visibility, linked person)
TIES = [
    ("amara", None, "My sister", Tie.Kind.PERSON, 3, "both", "only_me", None),
    (
        "amara",
        "croydon-sun",
        "Evening peer support cafe",
        Tie.Kind.FORMAL_SERVICE,
        2,
        "to_me",
        "my_network",
        None,
    ),
    ("amara", None, "Ben", Tie.Kind.PERSON, 3, "both", "my_network", "ben"),
    ("ben", None, "The allotment", Tie.Kind.PLACE, 2, "to_me", "my_navigator", None),
    ("gus", None, "Neighbour who fixes bikes", Tie.Kind.INFORMAL_ASSET, 2, "to_me", "my_navigator", None),
    ("gus", "thornton-heath-keyring", "Food bank", Tie.Kind.FORMAL_SERVICE, 1, "to_me", "my_network", None),
    ("hana", None, "Gus", Tie.Kind.PERSON, 2, "both", "my_network", "gus"),
]


def _load_maps(networks: dict[str, Network], people: dict[str, Person]) -> None:
    for slug, specs in ASSETS.items():
        network = networks[slug]
        actor = people["fiona"] if slug == "croydon-sun" else people["nadia"]
        for spec in specs:
            if not Asset.objects.filter(network=network, service_name=spec["service_name"]).exists():
                actions.do_create_asset(network=network, actor=actor, **spec)
    for owner, asset_network, label, kind, strength, direction, visibility, linked in TIES:
        # Labels are sealed (foundation/sealing.py): compared once opened, not in SQL.
        if any(tie.label == label for tie in Tie.objects.filter(owner=people[owner])):
            continue
        asset = (
            Asset.objects.get(network=networks[asset_network], service_name=label) if asset_network else None
        )
        actions.do_create_tie(
            owner=people[owner],
            kind=kind,
            label=label,
            strength=strength,
            direction=direction,
            visibility=visibility,
            linked_person=people[linked] if linked else None,
            linked_asset=asset,
        )


SUN_HOUSE_RULES = (
    "We listen first and advise only when asked.\n"
    "What is shared in the group stays in the group.\n"
    "If you take an alert, say so in its conversation as soon as you can."
)


def _load_rules(networks: dict[str, Network], people: dict[str, Person]) -> None:
    """Through the real actions, back-dated: the votes, the count, the
    ratification and the events are what members would have seen."""
    sun = networks["croydon-sun"]
    if RuleChangeProposal.objects.filter(network=sun).exists():
        return
    now = timezone.now().replace(microsecond=0)
    proposed_at = now - timedelta(weeks=6)
    passed = rule_actions.do_propose_rule_change(
        network=sun,
        proposer=people["amara"],
        changes={
            "escalation_steps": [
                {"audience": "on_call", "wait_seconds": 180},
                {"audience": "available_members", "wait_seconds": 180},
                {"audience": "navigators_and_staff", "wait_seconds": 300},
            ]
        },
        house_rules=SUN_HOUSE_RULES,
        reason="Give the first peers 3 minutes, not 2: at night two minutes is not long enough to wake up.",
        now=proposed_at,
    )
    for key, choice in (("amara", "yes"), ("ben", "yes"), ("chioma", "yes"), ("dev", "no")):
        rule_actions.do_vote(
            proposal=passed, member=people[key], choice=choice, now=proposed_at + timedelta(days=1)
        )
    rule_actions.do_ratify(proposal=passed, actor=people["fiona"], now=proposed_at + timedelta(days=8))

    opened_at = now - timedelta(days=2)
    open_now = rule_actions.do_propose_rule_change(
        network=sun,
        proposer=people["dev"],
        changes={"default_quiet_hours": {"start": "23:00", "end": "07:00"}, "max_alerts_per_shift": 2},
        house_rules=None,
        reason=(
            "Quiet nights for anyone who has not set their own, and nobody asked more than twice a "
            "shift: the same few of us were woken every time."
        ),
        voting_days=7,
        now=opened_at,
    )
    for key, choice in (("ben", "yes"), ("chioma", "no"), ("dev", "yes")):
        rule_actions.do_vote(
            proposal=open_now, member=people[key], choice=choice, now=opened_at + timedelta(hours=5)
        )
