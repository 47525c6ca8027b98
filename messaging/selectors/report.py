"""How a network is doing (co-assessment, issue 16): the figures behind
GET /networks/{id}/report/, for one fixed period, with small numbers
suppressed.

Periods
-------
A report covers one calendar month (``2026-11``) or one quarter
(``2026-Q4``) in the network's timezone, never a range the reader picks:
with free start and end dates anyone could ask for two ranges a day apart
and subtract one report from the other to read off one alert. Choosable are
the current month and the 11 before it, the current quarter and the 3 before
it, none that ended before the network existed (``choosable_periods``). A
period still running counts up to the start of today (its figures move at
most once a day), and carries ``in_progress``.

Suppression (``settings.REPORT_SUPPRESS_BELOW``, default 5)
----------------------------------------------------------
Every count under the threshold, zero included, is ``None`` with
``suppressed`` true; percentiles and shares are only given when the alerts
behind them number at least the threshold. Counts that add up to a shown
total (who took the alerts, and "not taken"; the debrief outcomes and "no
outcome recorded"; the pulse's answers on each point of the scale) get
complementary suppression: when
exactly one cell of such a group is suppressed, the next smallest is too, so
the total minus the shown parts never gives a suppressed cell back.

Months inside quarters
----------------------
Months and quarters overlap: a quarter minus two of its months is the third.
So a quarter shows a count only where every one of its months (those the
network existed in, up to today) showed that count, and the same for the
pulse's average and words; then complementary suppression runs again on the
quarter's groups. A count a quarter shows is then exactly the sum of
numbers its months already show: it can never give back a number a month
hid. What quarters add are the figures that are not sums and need more
alerts behind them: timings, shares, evenness, and counts in months that
were each large enough. The quarter's counts are computed over the same
alerts as its months' (an alert belongs to the month it was raised in,
in the network's timezone), so the sum is exact. (A rule that only
suppressed a quarter where exactly one month was hidden would still leak:
two hidden months of 1 and 0 give a difference of 1, and a month hidden to
complement another cell would give that cell back.)

The pulse's average
-------------------
Given only when at least the threshold answered, and only if it does not
pin down a suppressed point of the scale: the average and the answered
count give the sum of all answers, the shown points give theirs, so the
hidden points' answers have a known count and a known sum; when only one
count of some hidden point fits them (say every hidden answer must be a 1),
the average is withheld (``_average_reveals``).

Time
----
Figures of a period can still change after it ends (a debrief written
late), and a running period grows day by day; suppression holds for every
figure at every moment, but comparing one period's report on two days shows
what changed between them. Reports are for members of the network, who see
its alerts happen anyway; the periods rule removes the reader-chosen ranges,
which could be compared at will.

Evenness of load is the Gini coefficient of takes across the peers in the
report (ready on-call peers and anyone offered an alert): 0 when everyone
took as many, towards 1 when one person took them all. Per-person rows are
for navigators and facilitators only (``include_people``), as are the
pulse's words (unattributed, shuffled, only when at least the threshold
answered and at least the threshold wrote words, since the list's length is
that count; how many answered without words is not treated as sensitive).

``network_report`` reads a fixed number of queries whatever the number of
alerts (the network's periods; alerts with their first offer and taker's
role; debrief outcomes; follow-ups; offers per person; the rota's shifts,
exceptions and people; the names; the pulse question and its answers), plus
one data-key lookup per answer with words when the words are shown.
"""

from __future__ import annotations

import calendar
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import quantiles
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.utils import timezone

from messaging.models import Alert, AlertDebrief, FollowUp, Offer, PulseAnswer, PulseQuestion
from network.models import Membership, Network, Person
from network.recurrence import gaps
from network.selectors import rota

MONTHS_CHOOSABLE = 12
QUARTERS_CHOOSABLE = 4
# English month names (the C locale, which Django never changes): "January", ...
MONTH_NAMES = tuple(calendar.month_name)[1:]


# Periods --------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar month or quarter: days [start, end), in the network's timezone."""

    key: str
    start: date
    end: date

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.key

    @property
    def label(self) -> str:
        if self.is_quarter:
            last = self.end - timedelta(days=1)
            return (
                f"{self.key[-2:]} {self.start.year} "
                f"({MONTH_NAMES[self.start.month - 1]} to {MONTH_NAMES[last.month - 1]})"
            )
        return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"

    @property
    def months(self) -> list[Period]:
        if not self.is_quarter:
            return [self]
        return [month_of(date(self.start.year, self.start.month + i, 1)) for i in range(3)]


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    return Period(key=f"{start:%Y-%m}", start=start, end=_next_month(start))


def quarter_of(day: date) -> Period:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end = _next_month(_next_month(_next_month(start)))
    return Period(key=f"{day.year}-Q{(first_month - 1) // 3 + 1}", start=start, end=end)


_KEY = re.compile(r"^(\d{4})-(?:(\d{2})|Q([1-4]))$")


def parse_period(key: str) -> Period:
    """The period a key names; ValueError if it names none."""
    matched = _KEY.match(key.strip())
    if not matched:
        raise ValueError(key)
    year, month, quarter = matched.groups()
    if quarter:
        return quarter_of(date(int(year), int(quarter) * 3, 1))
    if not 1 <= int(month) <= 12:
        raise ValueError(key)
    return month_of(date(int(year), int(month), 1))


def local_today(network: Network, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(network.tzinfo).date()


def _existed_in(network: Network, period: Period) -> bool:
    return period.end > network.created_at.astimezone(network.tzinfo).date()


def choosable_periods(*, network: Network, now: datetime | None = None) -> list[Period]:
    """The periods a report may cover, newest first: the current month and the
    11 before it, the current quarter and the 3 before it, leaving out those
    that ended before the network existed. A quarter follows the month it
    ends with."""
    today = local_today(network, now)
    found: list[Period] = []
    day = today
    for _ in range(MONTHS_CHOOSABLE):
        found.append(month_of(day))
        day = day.replace(day=1) - timedelta(days=1)
    day = today
    for _ in range(QUARTERS_CHOOSABLE):
        quarter = quarter_of(day)
        found.append(quarter)
        day = quarter.start - timedelta(days=1)
    found = [p for p in found if _existed_in(network, p)]
    return sorted(found, key=lambda p: (-p.end.toordinal(), p.is_quarter))


def default_period(*, network: Network, now: datetime | None = None) -> Period:
    """The last full month, or the current one when the network is newer."""
    today = local_today(network, now)
    last_month = month_of(today.replace(day=1) - timedelta(days=1))
    return last_month if _existed_in(network, last_month) else month_of(today)


# Cells ----------------------------------------------------------------------


@dataclass
class Cell:
    """A count as shown: ``value`` is None when suppressed."""

    value: int | None
    suppressed: bool

    @property
    def text(self) -> str:
        return f"fewer than {threshold()}" if self.suppressed else str(self.value)


HIDDEN = Cell(value=None, suppressed=True)


def threshold() -> int:
    return int(getattr(settings, "REPORT_SUPPRESS_BELOW", 5))


def _cell(n: int) -> Cell:
    return HIDDEN if n < threshold() else Cell(value=n, suppressed=False)


TAKEN_BY = ("peer", "navigator", "staff", "not_taken")
OUTCOMES = ("avoided", "needed", "none_recorded")
SCALE = (1, 2, 3, 4, 5)
# Counts that add up to a total a reader sees.
GROUPS = (
    tuple(f"taken_by.{name}" for name in TAKEN_BY),
    tuple(f"outcomes.{name}" for name in OUTCOMES),
    tuple(f"pulse.scale.{value}" for value in SCALE),
)


def _complement(cells: dict[str, Cell], counts: dict[str, int]) -> None:
    """Within each group: while exactly one cell is suppressed, suppress the
    next smallest shown one too."""
    for group in GROUPS:
        while sum(cells[name].suppressed for name in group) == 1:
            shown = [name for name in group if not cells[name].suppressed]
            if not shown:
                break
            cells[min(shown, key=lambda name: (counts[name], name))] = HIDDEN


def _suppressed(counts: dict[str, int]) -> dict[str, Cell]:
    cells = {name: _cell(n) for name, n in counts.items()}
    _complement(cells, counts)
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


def _average_reveals(cells: dict[str, Cell], counts: dict[str, int]) -> bool:
    """Would the average, with the shown points of the scale, pin down the
    count of a suppressed point? (See the module: the hidden points' count
    and sum are known; is any point's count the same in every fit?)"""
    hidden = [v for v in SCALE if cells[f"pulse.scale.{v}"].suppressed]
    if not hidden:
        return False
    n = sum(counts[f"pulse.scale.{v}"] for v in hidden)
    total = sum(v * counts[f"pulse.scale.{v}"] for v in hidden)

    def fits(points: list[int]) -> set[tuple[int, int]]:
        """(count, sum) pairs the answers on ``points`` can make, count <= n."""
        reach = {(0, 0)}
        for v in points:
            reach = {(c + k, s + k * v) for c, s in reach for k in range(n - c + 1)}
        return reach

    for v in hidden:
        others = fits([w for w in hidden if w != v])
        possible = {k for k in range(n + 1) if (n - k, total - k * v) in others}
        if len(possible) <= 1:
            return True
    return False


# The report -----------------------------------------------------------------


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
class PulseSummary:
    question_text: str
    answered: Cell
    scale: list[tuple[int, Cell]]
    average: float | None
    written: Cell
    words: list[str] | None


@dataclass
class NetworkReport:
    network_id: int
    period: Period
    in_progress: bool
    start: datetime
    end: datetime  # the period's end; figures count to ``counted_to``
    counted_to: datetime
    periods: list[Period]
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
    pulse: PulseSummary | None
    peers: list[PeerLoad] | None = field(default=None)


_ROLE_GROUP = {
    Membership.Role.MEMBER: "peer",
    Membership.Role.NAVIGATOR: "navigator",
    Membership.Role.FACILITATOR: "staff",
}


@dataclass
class _AlertRow:
    month: str
    raised_at: datetime
    first_offer_at: datetime | None
    taken_at: datetime | None
    first_contact_at: datetime | None
    cancelled: bool
    taken_by: str  # a TAKEN_BY name
    outcome: str = "none_recorded"
    followed_up: bool = False


def _alert_counts(rows: Iterable[_AlertRow]) -> dict[str, int]:
    counts = {"alerts_raised": 0, "cancelled": 0, "follow_ups_done": 0}
    counts |= {f"taken_by.{name}": 0 for name in TAKEN_BY} | {f"outcomes.{name}": 0 for name in OUTCOMES}
    for row in rows:
        counts["alerts_raised"] += 1
        counts["cancelled"] += row.cancelled
        counts["follow_ups_done"] += row.followed_up
        counts[f"taken_by.{row.taken_by}"] += 1
        counts[f"outcomes.{row.outcome}"] += 1
    return counts


def _pulse_counts(scales: Iterable[tuple[int, bool]]) -> dict[str, int]:
    counts = {f"pulse.scale.{v}": 0 for v in SCALE} | {"pulse.written": 0, "pulse.unwritten": 0}
    for scale, has_words in scales:
        counts[f"pulse.scale.{scale}"] += 1
        counts["pulse.written" if has_words else "pulse.unwritten"] += 1
    counts["pulse.answered"] = counts["pulse.written"] + counts["pulse.unwritten"]
    counts["pulse.sum"] = sum(v * counts[f"pulse.scale.{v}"] for v in SCALE)
    return counts


def _average(cells: dict[str, Cell], counts: dict[str, int]) -> float | None:
    if cells["pulse.answered"].suppressed or _average_reveals(cells, counts):
        return None
    return round(counts["pulse.sum"] / counts["pulse.answered"], 1)


def network_report(
    *, network: Network, period: Period, include_people: bool = False, now: datetime | None = None
) -> NetworkReport:
    """The network's figures for alerts raised in ``period`` (see the module)."""
    now = now or timezone.now()
    tz = network.tzinfo
    today = local_today(network, now)
    start = datetime.combine(period.start, time.min, tzinfo=tz)
    end = datetime.combine(period.end, time.min, tzinfo=tz)
    in_progress = period.end > today
    counted_to = min(end, datetime.combine(today, time.min, tzinfo=tz))
    # The months the quarter rule looks at: those the network existed in, up to today.
    months = [m for m in period.months if _existed_in(network, m) and m.start <= today]

    alerts = Alert.objects.filter(network=network, raised_at__gte=start, raised_at__lt=counted_to)
    taker_role = (
        Membership.objects.filter(network=network, person_id=OuterRef("taken_by_id"))
        .order_by("-joined_at")
        .values("role")[:1]
    )
    rows: dict[Any, _AlertRow] = {}
    for (
        pk,
        raised_at,
        first_offer_at,
        taken_at,
        first_contact_at,
        state,
        role,
        service_staff,
    ) in alerts.annotate(
        first_offer_at=Min("offers__offered_at"), taker_role=Subquery(taker_role)
    ).values_list(
        "pk",
        "raised_at",
        "first_offer_at",
        "taken_at",
        "first_contact_at",
        "state",
        "taker_role",
        "taken_by__is_staff",
    ):
        # A taker outside the network: the service's staff, or a peer of
        # another of the member's networks (an alert routed to all).
        taken_by = (
            (_ROLE_GROUP.get(role) or ("staff" if service_staff else "peer")) if taken_at else "not_taken"
        )
        rows[pk] = _AlertRow(
            month=f"{raised_at.astimezone(tz):%Y-%m}",
            raised_at=raised_at,
            first_offer_at=first_offer_at,
            taken_at=taken_at,
            first_contact_at=first_contact_at,
            cancelled=state == Alert.State.CANCELLED,
            taken_by=taken_by,
        )

    # An alert counts once: "needed" if any of its debriefs says so, else
    # "avoided" if one says that.
    for alert_id, answer in AlertDebrief.objects.filter(
        alert__in=alerts, emergency_services__in=(AlertDebrief.Outcome.AVOIDED, AlertDebrief.Outcome.NEEDED)
    ).values_list("alert_id", "emergency_services"):
        row = rows.get(alert_id)
        if row is not None and row.outcome != "needed":
            row.outcome = answer
    for alert_id in FollowUp.objects.filter(alert__in=alerts, prompted_at__isnull=False).values_list(
        "alert_id", flat=True
    ):
        if alert_id in rows:
            rows[alert_id].followed_up = True

    counts = _alert_counts(rows.values())
    question, answers = _pulse_answers(network=network, months=months, before=counted_to)
    counts |= _pulse_counts((scale, has_words) for _month, scale, has_words, _pk in answers)
    cells = _suppressed(counts)
    average_hidden_in_a_month = False
    if period.is_quarter:
        for month in months:
            month_counts = _alert_counts(r for r in rows.values() if r.month == month.key)
            month_counts |= _pulse_counts((s, w) for m, s, w, _pk in answers if m == month.start)
            month_cells = _suppressed(month_counts)
            for name, cell in month_cells.items():
                if cell.suppressed:
                    cells[name] = HIDDEN
            average_hidden_in_a_month |= _average(month_cells, month_counts) is None
        _complement(cells, counts)

    raised = counts["alerts_raised"]
    shares: dict[str, float | None] = {
        name: (
            round(counts[f"taken_by.{name}"] / raised, 3)
            if raised >= threshold() and not cells[f"taken_by.{name}"].suppressed
            else None
        )
        for name in ("peer", "navigator", "staff")
    }

    per_person, entries = _load(network=network, alerts=alerts, start=start, end=counted_to)
    total_takes = sum(p.takes for p in per_person.values())
    evenness = gini([p.takes for p in per_person.values()]) if total_takes >= threshold() else None
    peers = None
    if include_people:
        names = dict(Person.objects.filter(pk__in=per_person).values_list("pk", "display_name"))
        for p in per_person.values():
            p.display_name = names.get(p.person_id, "")
            p.on_call_hours = round(p.on_call_hours, 1)
        peers = sorted(per_person.values(), key=lambda p: (-p.takes, -p.offers, p.display_name, p.person_id))
    gap_spans = gaps([e.occurrence for e in entries], start, counted_to) if counted_to > start else []

    pulse = None
    if question is not None:
        average = None if average_hidden_in_a_month else _average(cells, counts)
        words = None
        # As many words as answers with words: shown only with that count.
        if (
            include_people
            and not cells["pulse.answered"].suppressed
            and not cells["pulse.written"].suppressed
        ):
            pks = [pk for _month, _scale, has_words, pk in answers if has_words]
            opened = [
                a.words for a in PulseAnswer.objects.filter(pk__in=pks).only("pk", "person_id", "words")
            ]
            words = [w for w in opened if w]  # a deleted account's words are shredded
            random.SystemRandom().shuffle(words)
        pulse = PulseSummary(
            question_text=question.text,
            answered=cells["pulse.answered"],
            scale=[(v, cells[f"pulse.scale.{v}"]) for v in SCALE],
            average=average,
            written=cells["pulse.written"],
            words=words,
        )

    return NetworkReport(
        network_id=network.pk,
        period=period,
        in_progress=in_progress,
        start=start,
        end=end,
        counted_to=counted_to,
        periods=choosable_periods(network=network, now=now),
        suppress_below=threshold(),
        alerts_raised=cells["alerts_raised"],
        cancelled=cells["cancelled"],
        taken_by={name: cells[f"taken_by.{name}"] for name in TAKEN_BY},
        shares=shares,
        to_first_offer=_timing(
            [(r.first_offer_at - r.raised_at).total_seconds() for r in rows.values() if r.first_offer_at]
        ),
        to_taken=_timing([(r.taken_at - r.raised_at).total_seconds() for r in rows.values() if r.taken_at]),
        to_first_contact=_timing(
            [(r.first_contact_at - r.raised_at).total_seconds() for r in rows.values() if r.first_contact_at]
        ),
        outcomes={name: cells[f"outcomes.{name}"] for name in OUTCOMES},
        follow_ups_done=cells["follow_ups_done"],
        load_evenness_gini=evenness,
        gap_hours=round(sum((b - a).total_seconds() for a, b in gap_spans) / 3600, 1),
        pulse=pulse,
        peers=peers,
    )


def _pulse_answers(
    *, network: Network, months: list[Period], before: datetime
) -> tuple[PulseQuestion | None, list[tuple[date, int, bool, int]]]:
    """The question the period's pulse is about (the latest one answered in
    it, else the one asked now) and its answers there given ``before`` (as
    the alerts, to the start of today): (month, scale, has words, id). Words
    stay sealed here."""
    firsts = [m.start for m in months]
    questions = PulseQuestion.objects.filter(network=network)
    question = (
        questions.filter(answers__period__in=firsts).order_by("-created_at", "-pk").first()
        or questions.filter(active=True).first()
    )
    if question is None:
        return None, []
    # Empty words are stored as empty bytes: no data key needed to tell.
    answers = [
        (period, scale, bool(words), pk)
        for period, scale, words, pk in PulseAnswer.objects.filter(
            question=question, period__in=firsts, answered_at__lt=before
        ).values_list("period", "scale", "words", "pk")
    ]
    return question, answers


def _load(
    *, network: Network, alerts: Any, start: datetime, end: datetime
) -> tuple[dict[int, PeerLoad], list[Any]]:
    """Offers, takes and on-call hours per person (the ready peers included)."""
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
    entries = rota(network=network, start=start, end=end) if end > start else []
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
    return per_person, entries


def report_rows(report: NetworkReport) -> list[tuple[str, Any]]:
    """The report as (figure, value) rows for the CSV; suppressed cells read
    "fewer than N"."""

    def num(x: float | None) -> str:
        return "" if x is None else str(x)

    rows: list[tuple[str, Any]] = [
        ("period", report.period.key),
        ("period_label", report.period.label),
        ("start", report.period.start.isoformat()),
        ("end", (report.period.end - timedelta(days=1)).isoformat()),
        ("in_progress", "yes" if report.in_progress else "no"),
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
    pulse = report.pulse
    if pulse is not None:
        # Each cell starts with a word of ours, never with someone's text (so
        # no spreadsheet reads a question or an answer as a formula).
        rows += [
            ("pulse_question", f"asked: {pulse.question_text}"),
            ("pulse_answered", pulse.answered.text),
        ]
        rows += [(f"pulse_scale_{value}", cell.text) for value, cell in pulse.scale]
        rows += [("pulse_average", num(pulse.average)), ("pulse_written", pulse.written.text)]
        rows += [("pulse_words", f"said: {words}") for words in pulse.words or []]
    for p in report.peers or []:
        rows.append(
            (
                f"peer {p.display_name} (id {p.person_id})",
                f"offers {p.offers}; takes {p.takes}; on call {p.on_call_hours} h",
            )
        )
    return rows
