"""A year of synthetic history in the demo's Croydon SUN (issue 16), so its
report is worth reading on a fresh ``make run``: a few alerts a month
(raised, offered, taken by peers or the facilitator, first contact, some
cancelled), debriefs with outcomes, follow-ups, and the members' answers to
the monthly pulse question for most months.

The numbers are those of a small network: some months' counts are above the
report's threshold of 5 and some below, so suppression shows. Nothing is
placed in the last two days, so the live alert screens stay as the demo
leaves them. The history is that of seven members and a facilitator who
left two days ago; the live cast has none of it.

Written with bulk_create, straight into the tables, as a record of what the
actions did in a past the demo never ran: no events, no notifications.
Idempotent: loading again finds its first alert and stops. Deterministic:
one seeded random stream.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from messaging.models import Alert, AlertDebrief, FollowUp, Offer, PulseAnswer, PulseQuestion
from messaging.models.escalation import EscalationPolicy
from messaging.selectors.report import Period, month_of
from network.models import Membership, Network, Person

CLIENT_KEY_PREFIX = "demo-history-"
# Alerts a month, from twelve months back to last month (then this month, up
# to two days ago): above and below 5, as in a real small network.
ALERTS_A_MONTH = (6, 9, 4, 11, 7, 12, 5, 8, 13, 7, 10, 9)
# Pulse answers a month, for the last nine full months.
ANSWERS_A_MONTH = (3, 5, 6, 7, 4, 6, 7, 5, 6)
QUIET_DAYS = 2

# The history's people: they left two days ago (to start a network of their
# own), so the demo's live cast (Amara, Ben, Chioma, Dev, Fiona) starts with
# no alerts, offers, follow-ups or answers of their own and every screen and
# test of theirs is as before.
FORMER_MEMBERS = (
    ("+447700800101", "Eli"),
    ("+447700800102", "Grace"),
    ("+447700800103", "Ife"),
    ("+447700800104", "Jo"),
    ("+447700800105", "Kemi"),
    ("+447700800106", "Lou"),
    ("+447700800107", "Maya"),
)
FORMER_FACILITATOR = ("+447700800108", "Sam (facilitator)")
PULSE_QUESTION = {
    "text": "How has the network been for you this month?",
    "low_label": "Hard going",
    "high_label": "Really good",
}
WORDS = (
    "Knowing someone would pick up made the difference.",
    "Ben rang back within minutes, thank you.",
    "Tuesday group kept me going.",
    "It took a while to hear back one night.",
    "I felt less alone this month.",
    "The follow-up text the next day meant a lot.",
    "Hard month, but the plan helped.",
    "Would like more people on call at weekends.",
    "Good to be able to help someone else for once.",
    "",
)


@dataclass
class _History:
    alerts: list[Alert]
    offers: list[Offer]
    debriefs: list[AlertDebrief]
    follow_ups: list[FollowUp]
    answers: int = 0


def _months_back(today: datetime, n: int) -> Period:
    day = today.date()
    for _ in range(n):
        day = day.replace(day=1) - timedelta(days=1)
    return month_of(day)


@transaction.atomic
def load(*, networks: dict[str, Network], now: datetime | None = None) -> int:
    """Load the history once; the number of alerts made (0 when already there)."""
    sun = networks["croydon-sun"]
    if Alert.objects.filter(network=sun, client_key__startswith=CLIENT_KEY_PREFIX).exists():
        return 0
    now = now or timezone.now()
    local_now = now.astimezone(sun.tzinfo)
    rng = random.Random(16)  # noqa: S311 (synthetic history, the same on every load)
    first_month = _months_back(local_now, len(ALERTS_A_MONTH))
    began = datetime.combine(first_month.start, time.min, tzinfo=sun.tzinfo) - timedelta(days=30)
    if sun.created_at > began:
        # The network has existed as long as its history.
        Network.objects.filter(pk=sun.pk).update(created_at=began)
        sun.created_at = began
    left = now - timedelta(days=QUIET_DAYS)
    members = [
        _former_member(sun, phone_number, name, role=Membership.Role.MEMBER, joined=began, left=left)
        for phone_number, name in FORMER_MEMBERS
    ]
    facilitator = _former_member(
        sun, *FORMER_FACILITATOR, role=Membership.Role.FACILITATOR, joined=began, left=left
    )

    history = write_history(
        network=sun,
        members=members,
        facilitator=facilitator,
        rng=rng,
        now=now,
        alerts_a_month=(*ALERTS_A_MONTH, 3),  # and this month, so far
        answers_a_month=ANSWERS_A_MONTH,
    )
    return len(history.alerts)


def write_history(
    *,
    network: Network,
    members: list[Person],
    facilitator: Person,
    rng: random.Random,
    now: datetime,
    alerts_a_month: tuple[int, ...],
    answers_a_month: tuple[int, ...],
    client_key_prefix: str = CLIENT_KEY_PREFIX,
) -> _History:
    """Alerts raised by ``members`` in each month up to this one (the last
    of ``alerts_a_month`` is this month), with their offers, takers, debriefs
    and follow-ups, none in the last two days; and the pulse's answers for
    the full months before this one. Also the report benchmark's year
    (bench/network_report.py), at a larger scale."""
    local_now = now.astimezone(network.tzinfo)
    history = _History([], [], [], [])
    policy = EscalationPolicy.snapshot(network=network).to_json()
    quiet_from = now - timedelta(days=QUIET_DAYS)
    for back, count in zip(range(len(alerts_a_month) - 1, -1, -1), alerts_a_month, strict=True):
        month = _months_back(local_now, back)
        for _ in range(count):
            raised = datetime.combine(
                month.start + timedelta(days=rng.randrange((month.end - month.start).days)),
                time(rng.randrange(24), rng.randrange(60)),
                tzinfo=network.tzinfo,
            )
            if raised < quiet_from:
                _alert(
                    history,
                    rng,
                    network=network,
                    policy=policy,
                    raised=raised,
                    members=members,
                    facilitator=facilitator,
                    client_key_prefix=client_key_prefix,
                )
    Alert.objects.bulk_create(history.alerts, batch_size=1000)
    Offer.objects.bulk_create(history.offers, batch_size=2000)
    AlertDebrief.objects.bulk_create(history.debriefs, batch_size=2000)
    FollowUp.objects.bulk_create(history.follow_ups, batch_size=2000)
    history.answers = _pulse(
        rng,
        network=network,
        members=members,
        facilitator=facilitator,
        local_now=local_now,
        answers_a_month=answers_a_month,
    )
    return history


def _former_member(
    network: Network, phone_number: str, name: str, *, role: str, joined: datetime, left: datetime
) -> Person:
    person = Person.objects.filter(phone_number=phone_number).first()
    if person is None:
        person = Person.objects.create_user(phone_number, name)
    if not Membership.objects.filter(person=person, network=network).exists():
        Membership.objects.create(person=person, network=network, role=role, joined_at=joined, left_at=left)
    return person


def _alert(
    history: _History,
    rng: random.Random,
    *,
    network: Network,
    policy: dict,
    raised: datetime,
    members: list[Person],
    facilitator: Person,
    client_key_prefix: str,
) -> None:
    member = rng.choice(members)
    peers = rng.sample([p for p in members if p != member], k=rng.randint(1, 3))
    cancelled = rng.random() < 0.12
    by_staff = not cancelled and rng.random() < 0.15
    taker = None if cancelled else (facilitator if by_staff else peers[0])
    taken_at = None
    if taker is not None:
        wait = rng.randint(600, 1500) if by_staff else rng.randint(45, 900)
        taken_at = raised + timedelta(seconds=wait)
    closed_at = (taken_at or raised) + timedelta(minutes=rng.randint(20, 180))
    alert = Alert(
        member=member,
        network=network,
        routing_network_ids=[network.pk],
        client_key=f"{client_key_prefix}{len(history.alerts) + 1}",
        request_fingerprint="demo",
        urgency=rng.choice(list(Alert.Urgency)),
        state=Alert.State.CANCELLED if cancelled else Alert.State.RESOLVED,
        policy=policy,
        step=2 if by_staff else 1,
        staff_notified_at=raised + timedelta(seconds=540) if by_staff else None,
        taken_by=taker,
        taken_at=taken_at,
        first_contact_at=taken_at + timedelta(seconds=rng.randint(60, 600)) if taken_at else None,
        raised_at=raised,
        closed_at=closed_at,
    )
    history.alerts.append(alert)
    first = raised + timedelta(seconds=rng.randint(10, 90))
    for i, person in enumerate(peers):
        offered = first + timedelta(seconds=5 * i)
        state = (
            Offer.State.ACCEPTED
            if person == taker
            else rng.choice([Offer.State.DECLINED, Offer.State.WITHDRAWN])
        )
        history.offers.append(
            Offer(
                alert=alert,
                person=person,
                network=network,
                kind=Offer.Kind.PEER,
                step=1,
                state=state,
                offered_at=offered,
                notified_at=offered,
                delivered_at=offered + timedelta(seconds=2),
                responded_at=(taken_at if state == Offer.State.ACCEPTED else offered + timedelta(seconds=60)),
            )
        )
    if by_staff:
        offered = raised + timedelta(seconds=540)
        history.offers.append(
            Offer(
                alert=alert,
                person=facilitator,
                network=network,
                kind=Offer.Kind.STAFF,
                step=2,
                state=Offer.State.ACCEPTED,
                offered_at=offered,
                notified_at=offered,
                delivered_at=offered + timedelta(seconds=2),
                responded_at=taken_at,
            )
        )
    if taker is None or rng.random() < 0.2:
        return
    outcome = rng.choices(
        [AlertDebrief.Outcome.AVOIDED, AlertDebrief.Outcome.NEEDED, AlertDebrief.Outcome.NOT_APPLICABLE],
        weights=[6, 1, 3],
    )[0]
    follow_up = rng.random() < 0.5
    history.debriefs.append(
        AlertDebrief(
            alert=alert,
            author=taker,
            emergency_services=outcome,
            follow_up_wanted=follow_up,
            created_at=closed_at,
        )
    )
    if follow_up:
        due = closed_at + timedelta(days=1)
        history.follow_ups.append(
            FollowUp(alert=alert, member=member, check_in_by=taker, due_at=due, prompted_at=due)
        )


def _pulse(
    rng: random.Random,
    *,
    network: Network,
    members: list[Person],
    facilitator: Person,
    local_now: datetime,
    answers_a_month: tuple[int, ...],
) -> int:
    asked_from = _months_back(local_now, len(answers_a_month))
    # Asked by the facilitator who left, so no longer asked: the live network
    # page shows no question until Fiona sets one.
    question = PulseQuestion.objects.filter(network=network, set_by=facilitator).first()
    if question is None:
        question = PulseQuestion.objects.create(
            network=network,
            set_by=facilitator,
            active=False,
            created_at=datetime.combine(asked_from.start, time(9), tzinfo=network.tzinfo),
            **PULSE_QUESTION,
        )
    answers = []
    for back, count in zip(range(len(answers_a_month), 0, -1), answers_a_month, strict=True):
        month = _months_back(local_now, back)
        for person in rng.sample(members, k=count):
            answers.append(
                PulseAnswer(
                    question=question,
                    person=person,
                    period=month.start,
                    scale=rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 6, 4])[0],
                    words=rng.choice(WORDS),
                    answered_at=datetime.combine(
                        month.start + timedelta(days=rng.randrange(20)), time(19), tzinfo=network.tzinfo
                    ),
                )
            )
    PulseAnswer.objects.bulk_create(answers, batch_size=1000)
    return len(answers)
