"""How a network is doing (co-assessment, issue 16): the figures behind
GET /networks/{id}/report/, with small numbers suppressed.

``network_report`` reads a fixed number of queries whatever the number of
alerts (alerts with their first offer and taker's role; debrief outcomes;
follow-ups; offers per person; the rota's shifts, exceptions and people; the
names), and computes percentiles in Python over the one alerts query.

Suppression (``settings.REPORT_SUPPRESS_BELOW``, default 5): every count
under the threshold, zero included, is ``None`` with ``suppressed`` true;
percentiles and shares are only given when the alerts behind them number at
least the threshold. Counts that add up to a shown total (who took the
alerts, and "not taken"; the debrief outcomes and "no outcome recorded") get
complementary suppression: when exactly one cell of such a group is
suppressed, the next smallest is too, so the total minus the shown parts
never gives a suppressed cell back.

Evenness of load is the Gini coefficient of takes across the peers in the
report (ready on-call peers and anyone offered an alert): 0 when everyone
took as many, towards 1 when one person took them all. Per-person rows are
for navigators and facilitators only (``include_people``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import quantiles
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, OuterRef, Q, Subquery

from messaging.models import Alert, AlertDebrief, FollowUp, Offer
from network.models import Membership, Network, Person
from network.recurrence import gaps
from network.selectors import rota


@dataclass
class Cell:
    """A count as shown: ``value`` is None when suppressed."""

    value: int | None
    suppressed: bool

    @property
    def text(self) -> str:
        return f"fewer than {threshold()}" if self.suppressed else str(self.value)


@dataclass
class Timing:
    p50_seconds: float | None
    p90_seconds: float | None


@dataclass
class PeerLoad:
    person_id: int
    display_name: str
    offers: int = 0
    takes: int = 0
    on_call_hours: float = 0.0


@dataclass
class NetworkReport:
    network_id: int
    start: datetime
    end: datetime
    suppress_below: int
    alerts_raised: Cell
    cancelled: Cell
    taken_by: dict[str, Cell]  # peer, navigator, staff, not_taken
    shares: dict[str, float | None]  # peer, navigator, staff: of the alerts raised
    to_first_offer: Timing
    to_taken: Timing
    to_first_contact: Timing
    outcomes: dict[str, Cell]  # avoided, needed, none_recorded
    follow_ups_done: Cell
    load_evenness_gini: float | None
    gap_hours: float
    peers: list[PeerLoad] | None = field(default=None)


def threshold() -> int:
    return int(getattr(settings, "REPORT_SUPPRESS_BELOW", 5))


def _cell(n: int) -> Cell:
    return Cell(value=None, suppressed=True) if n < threshold() else Cell(value=n, suppressed=False)


def _group(counts: dict[str, int]) -> dict[str, Cell]:
    """Cells that add up to a shown total: if exactly one is suppressed,
    suppress the next smallest too (repeat until none stands alone)."""
    cells = {name: _cell(n) for name, n in counts.items()}
    while sum(c.suppressed for c in cells.values()) == 1:
        shown = [name for name, c in cells.items() if not c.suppressed]
        if not shown:
            break
        smallest = min(shown, key=lambda name: (counts[name], name))
        cells[smallest] = Cell(value=None, suppressed=True)
    return cells


def _timing(seconds: list[float]) -> Timing:
    if len(seconds) < threshold() or len(seconds) < 2:
        return Timing(p50_seconds=None, p90_seconds=None)
    cuts = quantiles(seconds, n=10, method="inclusive")
    return Timing(p50_seconds=round(cuts[4], 1), p90_seconds=round(cuts[8], 1))


def gini(values: list[int]) -> float | None:
    """The Gini coefficient of ``values`` (0 even, towards 1 uneven); None
    with no values or all zero."""
    total = sum(values)
    if not values or total == 0:
        return None
    ordered = sorted(values)
    n = len(ordered)
    weighted = sum((i + 1) * v for i, v in enumerate(ordered))
    return round((2 * weighted) / (n * total) - (n + 1) / n, 3)


_ROLE_GROUP = {
    Membership.Role.MEMBER: "peer",
    Membership.Role.NAVIGATOR: "navigator",
    Membership.Role.FACILITATOR: "staff",
}


def network_report(
    *, network: Network, start: datetime, end: datetime, include_people: bool = False
) -> NetworkReport:
    """The network's figures for alerts raised in [start, end) (see the module)."""
    alerts = Alert.objects.filter(network=network, raised_at__gte=start, raised_at__lt=end)
    taker_role = (
        Membership.objects.filter(network=network, person_id=OuterRef("taken_by_id"))
        .order_by("-joined_at")
        .values("role")[:1]
    )
    rows = list(
        alerts.annotate(
            first_offer_at=Min("offers__offered_at"), taker_role=Subquery(taker_role)
        ).values_list(
            "raised_at",
            "first_offer_at",
            "taken_at",
            "first_contact_at",
            "state",
            "taker_role",
            "taken_by__is_staff",
        )
    )
    raised = len(rows)
    to_offer, to_taken, to_contact = [], [], []
    took = {"peer": 0, "navigator": 0, "staff": 0, "not_taken": 0}
    cancelled = 0
    for raised_at, first_offer_at, taken_at, first_contact_at, state, role, service_staff in rows:
        if first_offer_at:
            to_offer.append((first_offer_at - raised_at).total_seconds())
        if taken_at:
            to_taken.append((taken_at - raised_at).total_seconds())
            # A taker outside the network: the service's staff, or a peer
            # of another of the member's networks (an alert routed to all).
            took[_ROLE_GROUP.get(role) or ("staff" if service_staff else "peer")] += 1
        else:
            took["not_taken"] += 1
        if first_contact_at:
            to_contact.append((first_contact_at - raised_at).total_seconds())
        if state == Alert.State.CANCELLED:
            cancelled += 1

    # An alert counts once: "needed" if any of its debriefs says so, else
    # "avoided" if one says that.
    said: dict[Any, set[str]] = {}
    for alert_id, answer in AlertDebrief.objects.filter(alert__in=alerts).values_list(
        "alert_id", "emergency_services"
    ):
        said.setdefault(alert_id, set()).add(answer)
    needed = sum(AlertDebrief.Outcome.NEEDED in answers for answers in said.values())
    avoided = sum(
        AlertDebrief.Outcome.AVOIDED in answers and AlertDebrief.Outcome.NEEDED not in answers
        for answers in said.values()
    )
    outcomes = {"avoided": avoided, "needed": needed, "none_recorded": raised - avoided - needed}
    follow_ups_done = FollowUp.objects.filter(alert__in=alerts, prompted_at__isnull=False).count()

    per_person: dict[int, PeerLoad] = {}
    offer_rows = (
        Offer.objects.filter(alert__in=alerts, network=network)
        .values("person_id")
        .annotate(
            offers=Count("pk"),
            takes=Count("pk", filter=Q(state=Offer.State.ACCEPTED) | Q(released_at__isnull=False)),
        )
    )
    for r in offer_rows:
        per_person[r["person_id"]] = PeerLoad(r["person_id"], "", offers=r["offers"], takes=r["takes"])
    entries = rota(network=network, start=start, end=end)
    for e in entries:
        load = per_person.setdefault(e.person.pk, PeerLoad(e.person.pk, ""))
        load.on_call_hours += (
            min(e.occurrence.end, end) - max(e.occurrence.start, start)
        ).total_seconds() / 3600
    ready = Membership.objects.filter(
        network=network, left_at__isnull=True, ready_for_on_call_at__isnull=False, role=Membership.Role.MEMBER
    ).values_list("person_id", flat=True)
    for person_id in ready:
        per_person.setdefault(person_id, PeerLoad(person_id, ""))
    total_takes = sum(p.takes for p in per_person.values())
    evenness = gini([p.takes for p in per_person.values()]) if total_takes >= threshold() else None

    peers = None
    if include_people:
        names = dict(Person.objects.filter(pk__in=per_person).values_list("pk", "display_name"))
        for p in per_person.values():
            p.display_name = names.get(p.person_id, "")
            p.on_call_hours = round(p.on_call_hours, 1)
        peers = sorted(per_person.values(), key=lambda p: (-p.takes, -p.offers, p.display_name, p.person_id))

    gap_spans = gaps([e.occurrence for e in entries], start, end)
    taken_by = _group(took)
    shares: dict[str, float | None] = {
        name: (
            round(took[name] / raised, 3) if raised >= threshold() and not taken_by[name].suppressed else None
        )
        for name in ("peer", "navigator", "staff")
    }
    return NetworkReport(
        network_id=network.pk,
        start=start,
        end=end,
        suppress_below=threshold(),
        alerts_raised=_cell(raised),
        cancelled=_cell(cancelled),
        taken_by=taken_by,
        shares=shares,
        to_first_offer=_timing(to_offer),
        to_taken=_timing(to_taken),
        to_first_contact=_timing(to_contact),
        outcomes=_group(outcomes),
        follow_ups_done=_cell(follow_ups_done),
        load_evenness_gini=evenness,
        gap_hours=round(sum((b - a).total_seconds() for a, b in gap_spans) / 3600, 1),
        peers=peers,
    )


def report_rows(report: NetworkReport) -> list[tuple[str, Any]]:
    """The report as (figure, value) rows for the CSV; suppressed cells read
    "fewer than N"."""

    def num(x: float | None) -> str:
        return "" if x is None else str(x)

    rows: list[tuple[str, Any]] = [
        ("start", report.start.date().isoformat()),
        ("end", (report.end - timedelta(days=1)).date().isoformat()),
        ("alerts_raised", report.alerts_raised.text),
        ("cancelled", report.cancelled.text),
    ]
    rows += [(f"taken_by_{name}", cell.text) for name, cell in report.taken_by.items()]
    rows += [(f"share_taken_by_{name}", num(share)) for name, share in report.shares.items()]
    for name in ("to_first_offer", "to_taken", "to_first_contact"):
        t: Timing = getattr(report, name)
        rows += [(f"{name}_p50_seconds", num(t.p50_seconds)), (f"{name}_p90_seconds", num(t.p90_seconds))]
    rows += [(f"outcome_{name}", cell.text) for name, cell in report.outcomes.items()]
    rows += [
        ("follow_ups_done", report.follow_ups_done.text),
        ("load_evenness_gini", num(report.load_evenness_gini)),
        ("hours_with_nobody_on_call", num(report.gap_hours)),
    ]
    # Each cell starts with a word of ours, never with a name (so no
    # spreadsheet reads a display name as a formula).
    for p in report.peers or []:
        rows.append(
            (
                f"peer {p.display_name} (id {p.person_id})",
                f"offers {p.offers}; takes {p.takes}; on call {p.on_call_hours} h",
            )
        )
    return rows
