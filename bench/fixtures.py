"""Data for the scenarios, written with the app's own models and actions in
the bench database (the orchestrating process has Django set up on it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from messaging.actions.alerts import do_raise_alert
from messaging.actions.conversations import do_ensure_group_conversation
from messaging.event_types import ALERT_OFFERED
from messaging.models import Alert, EscalationStepRun, Event, Offer
from network.actions import do_set_availability, do_set_readiness
from network.models import Device, Membership, Network, Person

# The first step waits an hour, so no alert of scenarios 2, 3 and 6 escalates
# while the bench runs; scenario 5 back-dates its alerts to make steps fall due.
FIRST_STEP_WAIT = 3600
STEPS = [
    {"audience": "on_call", "wait_seconds": FIRST_STEP_WAIT},
    {"audience": "available_members", "wait_seconds": 3600},
    {"audience": "navigators_and_staff", "wait_seconds": 3600},
]


@dataclass
class Cell:
    """One network of ``size`` people; the first ``on_call`` of them are on call."""

    network_id: int
    people: list[int]
    on_call: list[int]
    raisers: list[int] = field(default_factory=list)
    conversation_id: str = ""  # the network's group conversation (scenario 4)


@dataclass
class Cast:
    tokens: dict[int, str]  # person id -> device token
    cells: list[Cell]
    big_group: str = ""  # the conversation of scenario 3's broadcast


def make_cast(*, networks: int, size: int = 10, on_call: int = 3) -> Cast:
    now = timezone.now()
    count = networks * size
    with transaction.atomic():
        people = Person.objects.bulk_create(
            [
                # Made-up numbers in Ofcom's drama range; SMS goes to locmem.
                Person(phone_number=f"+4477009{i:05d}", display_name=f"Bench {i}", password="!")
                for i in range(count)
            ]
        )
        tokens = {}
        for person in people:
            _, token = Device.objects.create(user=person, name="bench")
            tokens[person.pk] = token
        nets = Network.objects.bulk_create(
            [
                Network(
                    name=f"Bench {n}",
                    slug=f"bench-{n}",
                    kind=Network.Kind.PEER_SUPPORT_GROUP,
                    escalation_steps=STEPS,
                )
                for n in range(networks)
            ]
        )
        memberships = Membership.objects.bulk_create(
            [
                Membership(
                    person=people[n * size + j],
                    network=net,
                    role=Membership.Role.MEMBER,
                    joined_at=now - timedelta(days=30) + timedelta(minutes=j),
                    # Many alerts per shift: the per-shift cap is not what is measured.
                    max_alerts_per_shift=30000,
                )
                for n, net in enumerate(nets)
                for j in range(size)
            ]
        )
        cells = []
        for n, net in enumerate(nets):
            members = memberships[n * size : (n + 1) * size]
            for membership in members[:on_call]:
                do_set_readiness(membership=membership, actor=members[-1].person, ready=True)
                do_set_availability(
                    membership=membership,
                    state="available",
                    until=now + timedelta(hours=12),
                    now=now - timedelta(hours=3),
                )
            ids = [m.person_id for m in members]
            group = do_ensure_group_conversation(network=net, now=now)
            cells.append(
                Cell(
                    network_id=net.pk,
                    people=ids,
                    on_call=ids[:on_call],
                    raisers=ids[on_call:],
                    conversation_id=str(group.pk),
                )
            )
    return Cast(tokens=tokens, cells=cells)


def make_big_group(*, person_ids: list[int]) -> str:
    """A network whose members are ``person_ids`` (each also stays in their own
    network of 10), and its group conversation: scenario 3's broadcast."""
    now = timezone.now()
    with transaction.atomic():
        network = Network.objects.create(
            name=f"Bench everyone {len(person_ids)}",
            slug=f"bench-everyone-{len(person_ids)}",
            kind=Network.Kind.PEER_SUPPORT_GROUP,
            size_cap=max(len(person_ids), 10),
            escalation_steps=STEPS,
        )
        Membership.objects.bulk_create(
            [
                Membership(person_id=pid, network=network, role=Membership.Role.MEMBER, joined_at=now)
                for pid in person_ids
            ]
        )
        return str(do_ensure_group_conversation(network=network, now=now).pk)


def raise_alert_due_at(*, cell: Cell, raiser: int, key: str, due_at: datetime) -> str:
    """An alert whose next step (step 1) falls due at ``due_at``."""
    raised = do_raise_alert(
        member=Person.objects.get(pk=raiser),
        network=Network.objects.get(pk=cell.network_id),
        route_all_networks=False,
        client_key=key,
        now=due_at - timedelta(seconds=FIRST_STEP_WAIT),
    )
    return str(raised.alert.pk)


@dataclass
class StepAudit:
    lateness: list[float]  # seconds, one per step that ran
    lost: int
    doubled: int


def audit_step(*, alert_ids: list[str], step: int) -> StepAudit:
    """How late ``step`` ran for each alert; alerts where it never ran (lost)
    and any second run or second offer frame for it (doubled)."""
    runs = list(
        EscalationStepRun.objects.filter(alert_id__in=alert_ids, step=step).values_list(
            "alert_id", "due_at", "ran_at"
        )
    )
    per_alert = Counter(str(alert_id) for alert_id, _, _ in runs)
    offers = Counter(
        (data["alert_id"], person_id)
        for person_id, data in Event.objects.filter(
            type=ALERT_OFFERED.name, data__alert_id__in=alert_ids, data__step=step, data__reminder=False
        ).values_list("person_id", "data")
    )
    doubled = sum(n - 1 for n in per_alert.values() if n > 1) + sum(n - 1 for n in offers.values() if n > 1)
    return StepAudit(
        lateness=[(ran - due).total_seconds() for _, due, ran in runs],
        lost=sum(1 for a in alert_ids if per_alert[a] == 0),
        doubled=doubled,
    )


def end_open_alerts() -> int:
    """Close every alert a run left open, so the next run's raises are new
    alerts: a member with an open alert who raises again gets that alert back
    (issue 12), which would page nobody and measure nothing. A harness reset of
    the bench's own database, not a path the service offers."""
    now = timezone.now()
    live = Alert.objects.filter(state__in=[Alert.State.OPEN, Alert.State.TAKEN])
    Offer.objects.filter(alert__in=live, state=Offer.State.PENDING).update(state=Offer.State.WITHDRAWN)
    return live.update(
        state=Alert.State.CANCELLED, closed_at=now, next_step_due_at=None, contact_check_due_at=None
    )


def check_raisers_suffice(cells: list[Cell], count: int) -> None:
    """Each raise must come from a member with no open alert: one raise per raiser per run."""
    capacity = sum(len(cell.raisers) for cell in cells)
    if count > capacity:
        raise ValueError(f"{count} raises need {count} raisers; these cells have {capacity}")


def open_alert_count() -> int:
    return Alert.objects.filter(state=Alert.State.OPEN).count()
