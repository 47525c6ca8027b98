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
    from messaging import demo as messaging_demo
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
        facilitator, members = people[0], people[2:]  # people[1]: the navigator
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
        # The demo's own history writer (messaging/demo.py), at this scale:
        # the same alerts, offers, takers, debriefs, follow-ups and pulse.
        history = messaging_demo.write_history(
            network=network,
            members=members,
            facilitator=facilitator,
            rng=rng,
            now=now,
            alerts_a_month=(*(alerts // 12,) * 12, 0),
            answers_a_month=(len(members),) * 12,
            client_key_prefix="report-bench-",
        )
    log(
        f"report: {len(history.alerts)} alerts, {len(history.offers)} offers, "
        f"{len(history.debriefs)} debriefs, {len(history.follow_ups)} follow-ups, "
        f"{history.answers} pulse answers over a year"
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
