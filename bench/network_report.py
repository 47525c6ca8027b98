"""Scenario 7 (issue 16): the network report over a year of history.

One network of 40 people with a year of alerts (about 11 a day, so several
thousand), their offers, debriefs, follow-ups, a rota of three shifts a day
and a pulse answer from each member every month, written with bulk_create.
Then ``messaging.selectors.report.network_report`` is timed in process, on
PostgreSQL, for the last full month and the last full quarter, as a member
sees it (no per-person rows, no words) and as a facilitator sees it (per-person
load, and the pulse's words, each opened with its writer's data key), with
the queries each one runs. The figures are p50 and p95 of ``repeats`` runs
after one warm-up, with the tables ANALYZEd as autovacuum would have.

Run alone with ``python -m bench --only report`` (no service is started for
it); the test that the query count does not grow with the alerts is in
tests/messaging/test_report.py (never a timed unit test).
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import report as bench_report
from bench.scenarios import log

PEOPLE = 40


def make_year(*, alerts: int, now: datetime) -> Any:
    """The network and its year; returns the network."""
    from messaging.models import Alert, AlertDebrief, FollowUp, Offer, PulseAnswer, PulseQuestion
    from messaging.models.escalation import EscalationPolicy
    from messaging.selectors.report import month_of
    from network.actions import do_create_shift
    from network.models import Membership, Network, Person

    rng = random.Random(7)
    began = now - timedelta(days=400)
    with transaction.atomic():
        network = Network.objects.create(
            name="Report bench", slug="report-bench", kind=Network.Kind.PEER_SUPPORT_GROUP, created_at=began
        )
        people = Person.objects.bulk_create(
            [
                Person(phone_number=f"+4477008{i:05d}", display_name=f"Report {i}", password="!")
                for i in range(PEOPLE)
            ]
        )
        roles = [Membership.Role.FACILITATOR, Membership.Role.NAVIGATOR] + [Membership.Role.MEMBER] * (
            PEOPLE - 2
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    person=p,
                    network=network,
                    role=role,
                    joined_at=began,
                    ready_for_on_call_at=began if role == Membership.Role.MEMBER else None,
                )
                for p, role in zip(people, roles, strict=True)
            ]
        )
        facilitator, navigator, members = people[0], people[1], people[2:]
        for i, hour in enumerate((0, 8, 16)):
            do_create_shift(
                network=network,
                person=members[i],
                start_date=(began + timedelta(days=1)).date(),
                start_time=clock(hour),
                duration=timedelta(hours=8),
                rrule="FREQ=DAILY",
                actor=facilitator,
            )
        policy = EscalationPolicy.snapshot(network=network).to_json()
        rows, offers, debriefs, follow_ups = [], [], [], []
        span = (now - timedelta(days=2) - (now - timedelta(days=365))).total_seconds()
        for i in range(alerts):
            raised = now - timedelta(days=365) + timedelta(seconds=rng.random() * span)
            member = rng.choice(members)
            asked = rng.sample([p for p in members if p != member], k=3)
            outcome = rng.random()
            taker = None if outcome < 0.1 else navigator if outcome < 0.2 else asked[0]
            taken_at = raised + timedelta(seconds=rng.randint(30, 1200)) if taker else None
            alert = Alert(
                member=member,
                network=network,
                routing_network_ids=[network.pk],
                client_key=f"report-bench-{i}",
                request_fingerprint="bench",
                policy=policy,
                step=1,
                state=Alert.State.RESOLVED if taker else Alert.State.CANCELLED,
                taken_by=taker,
                taken_at=taken_at,
                first_contact_at=taken_at + timedelta(seconds=rng.randint(30, 600)) if taken_at else None,
                raised_at=raised,
                closed_at=raised + timedelta(hours=2),
            )
            rows.append(alert)
            for j, person in enumerate(asked + ([navigator] if taker == navigator else [])):
                at = raised + timedelta(seconds=10 + j)
                offers.append(
                    Offer(
                        alert=alert,
                        person=person,
                        network=network,
                        kind=Offer.Kind.STAFF if person == navigator else Offer.Kind.PEER,
                        step=1,
                        state=Offer.State.ACCEPTED if person == taker else Offer.State.DECLINED,
                        offered_at=at,
                        notified_at=at,
                    )
                )
            if taker and rng.random() < 0.8:
                debriefs.append(
                    AlertDebrief(
                        alert=alert,
                        author=taker,
                        emergency_services=rng.choice(list(AlertDebrief.Outcome)),
                        created_at=alert.closed_at,
                    )
                )
                if rng.random() < 0.5:
                    due = raised + timedelta(days=1)
                    follow_ups.append(
                        FollowUp(alert=alert, member=member, check_in_by=taker, due_at=due, prompted_at=due)
                    )
        Alert.objects.bulk_create(rows, batch_size=1000)
        Offer.objects.bulk_create(offers, batch_size=2000)
        AlertDebrief.objects.bulk_create(debriefs, batch_size=2000)
        FollowUp.objects.bulk_create(follow_ups, batch_size=2000)
        question = PulseQuestion.objects.create(
            network=network, text="How has the network been for you?", low_label="Hard", high_label="Good"
        )
        answers = []
        day = now.astimezone(network.tzinfo).date().replace(day=1)
        for _ in range(12):
            day = (day - timedelta(days=1)).replace(day=1)
            for person in members:
                answers.append(
                    PulseAnswer(
                        question=question,
                        person=person,
                        period=month_of(day).start,
                        scale=rng.randint(1, 5),
                        words=rng.choice(["", "It helped.", "Slow one night.", "Good group."]),
                        answered_at=datetime.combine(
                            day + timedelta(days=3), clock(12), tzinfo=network.tzinfo
                        ),
                    )
                )
        PulseAnswer.objects.bulk_create(answers, batch_size=1000)
    log(
        f"report: {len(rows)} alerts, {len(offers)} offers, {len(debriefs)} debriefs, "
        f"{len(follow_ups)} follow-ups, {len(answers)} pulse answers over a year"
    )
    return network


def run(*, alerts: int, repeats: int) -> dict[str, Any]:
    from messaging.selectors.report import month_of, network_report, quarter_of

    now = timezone.now()
    started = time.monotonic()
    network = make_year(alerts=alerts, now=now)
    with connection.cursor() as cursor:
        # Fresh tables have no statistics yet (in production autovacuum
        # keeps them); without them PostgreSQL plans the per-person offers
        # query as a nested loop that takes seconds.
        cursor.execute("ANALYZE")
    made_seconds = round(time.monotonic() - started, 1)
    today = now.astimezone(network.tzinfo).date()
    last_month = month_of(today.replace(day=1) - timedelta(days=1))
    last_quarter = quarter_of(quarter_of(today).start - timedelta(days=1))
    found: dict[str, Any] = {"alerts": alerts, "repeats": repeats, "made_seconds": made_seconds, "runs": []}
    for period in (last_month, last_quarter):
        for viewer, people in (("member", False), ("facilitator", True)):
            network_report(network=network, period=period, include_people=people, now=now)  # warm-up
            seconds = []
            for _ in range(repeats):
                with CaptureQueriesContext(connection) as queries:
                    t0 = time.perf_counter()
                    figures = network_report(network=network, period=period, include_people=people, now=now)
                    seconds.append(time.perf_counter() - t0)
            run = {
                "period": period.key,
                "viewer": viewer,
                "alerts_in_period": figures.alerts_raised.value,
                "queries": len(queries),
                "words": len(figures.pulse.words or []) if figures.pulse else 0,
                "p50_ms": round(_pct(seconds, 50) * 1000, 1),
                "p95_ms": round(_pct(seconds, 95) * 1000, 1),
                "max_ms": round(max(seconds) * 1000, 1),
            }
            log(f"report {period.key} as {viewer}: {run}")
            found["runs"].append(run)
    return found


def _pct(values: list[float], q: float) -> float:
    return bench_report.percentile(values, q)


def rows(found: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "scenario": "7 report",
            "figure": (
                f"{run['period']} as {run['viewer']} ({run['alerts_in_period']} alerts of {found['alerts']}, "
                f"{run['queries']} queries, {run['words']} words; p95 {run['p95_ms']}, max {run['max_ms']})"
            ),
            "value": run["p50_ms"],
            "unit": "ms p50",
        }
        for run in found["runs"]
    ]
