"""What an operator needs to see that the pager works (issue 17): the
figures behind /metrics (config/metrics.py) and the sweep's heartbeat, the
dead-man's switch that readiness (config/health.py) and an outside check read.

Infrastructure beside the rooms: the collector only reads, in a fixed number
of aggregate queries whatever the number of alerts, and the heartbeat is one
Redis key.

Why read the database at scrape time rather than count in memory: the work
is spread over processes that share nothing but PostgreSQL and Redis (several
daphne processes behind the load balancer, Celery workers, beat). An alert is
raised by one web process, escalated by a worker and taken through another
web process (or, later, an SMS reply handled by a worker); a histogram
observed in memory at take time would live in whichever process did it, and
a scrape, which reaches one web process, would see a random slice that is
lost at every restart. The database has the truth, so every process answers
the same figures, and they survive restarts. Request and database-driver
figures (django-prometheus) are per process, which is what they describe.

Sockets are counted from the Redis sorted sets messaging/ws_limits.py keeps
per device (every socket refreshes its entry each heartbeat, a dead process's
entries lapse), so they are summed over every daphne process already.
"""

from __future__ import annotations

import logging
import time
import urllib.request
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import redis
from django.conf import settings
from django.db.models import Case, Count, F, Min, OuterRef, Q, Subquery, Sum, Value, When
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from messaging.models import Alert, Delivery, EscalationStepRun, EventSequence, Offer, Participant

logger = logging.getLogger(__name__)

# --- the sweep's heartbeat ------------------------------------------------------

SWEEP_HEARTBEAT_KEY = "ops:sweep:last-run"
# Set by the first readiness check that finds no heartbeat: the grace for a
# fresh Redis (first deploy, or Redis restarted) counts from here, shared by
# every web process, so a deploy or a new web process never flaps readiness.
SWEEP_AWAITED_KEY = "ops:sweep:awaited-since"
# Claimed by the sweep that pings the outside check, so the workers together
# ping at most once a minute (healthchecks.io's periods are minutes).
SWEEP_PING_CLAIM_KEY = "ops:sweep:pinged"
SWEEP_PING_EVERY_SECONDS = 60
SWEEP_PING_TIMEOUT_SECONDS = 5.0

_clients: dict[str, redis.Redis] = {}


def _redis() -> redis.Redis:
    """One client per process and URL (the sweep runs every second)."""
    url = settings.REDIS_URL
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    return client


def record_sweep_heartbeat(*, at: float | None = None) -> bool:
    """The sweep ran: write when (seconds since the epoch). Returns whether the
    outside check is due a ping (claimed here, once a minute for everyone)."""
    client = _redis()
    client.set(SWEEP_HEARTBEAT_KEY, repr(time.time() if at is None else at))
    if not settings.SWEEP_HEARTBEAT_URL:
        return False
    return bool(client.set(SWEEP_PING_CLAIM_KEY, "1", nx=True, ex=SWEEP_PING_EVERY_SECONDS))


def last_sweep_run() -> float | None:
    """When the sweep last ran (seconds since the epoch), or None if never
    since Redis started. Raises RedisError when Redis does not answer."""
    value = _redis().get(SWEEP_HEARTBEAT_KEY)
    return float(value) if value is not None else None


def sweep_awaited_since(*, now: float) -> float:
    """Since when readiness has been waiting for a first heartbeat."""
    client = _redis()
    client.set(SWEEP_AWAITED_KEY, repr(now), nx=True)
    value = client.get(SWEEP_AWAITED_KEY)
    return float(value) if value is not None else now


def ping_heartbeat_url() -> bool:
    """GET the operator's heartbeat URL (healthchecks.io's style: a ping that
    stops when the sweep stops). A failure is logged without the URL, which
    is the check's secret, and never raised."""
    url = settings.SWEEP_HEARTBEAT_URL
    if not url:
        return False
    try:
        with urllib.request.urlopen(url, timeout=SWEEP_PING_TIMEOUT_SECONDS) as response:  # noqa: S310 - the operator's URL
            response.read(1024)
            return True
    except Exception as exc:
        logger.warning("sweep heartbeat ping failed: %s", type(exc).__name__)
        return False


# --- the figures --------------------------------------------------------------

TIME_TO_TAKEN_BUCKETS = (15, 30, 60, 120, 300, 600, 1200, 1800, 3600)
STEP_LATENESS_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 300)
# The broker's queues (CELERY_WORKER_QUEUES) and kombu's Redis priority
# lists beside each ("<queue>\x06\x16<priority>").
KOMBU_PRIORITY_SEPARATOR = "\x06\x16"
KOMBU_PRIORITIES = (3, 6, 9)
SOCKET_KEYS = "ws-device-sockets:*"
# A bound on the devices counted per scrape; past it the figure says so.
MAX_SOCKET_KEYS = 20_000


def _cumulative_buckets(
    counts: dict[str, int], bounds: Sequence[float], total: int
) -> list[tuple[str, float]]:
    return [*((_bound(b), counts[f"le_{i}"]) for i, b in enumerate(bounds)), ("+Inf", total)]


def _bound(value: float) -> str:
    return str(float(value))


def _histogram_aggregates(
    durations: Any, *, start: str, end: str, bounds: Sequence[float]
) -> tuple[dict[str, int], int]:
    """Per-bucket counts of rows whose ``end - start`` is within each bound,
    in one aggregate query (portable: timedelta arithmetic on columns)."""
    buckets = {
        f"le_{i}": Count("pk", filter=Q(**{f"{end}__lte": F(start) + timedelta(seconds=b)}))
        for i, b in enumerate(bounds)
    }
    counts = durations.aggregate(total=Count("pk"), **buckets)
    return counts, counts.pop("total")


def _seconds_sum(queryset: Any, *, start: str, end: str) -> float:
    total = queryset.aggregate(total=Sum(F(end) - F(start)))["total"]
    if total is None:
        return 0.0
    if isinstance(total, timedelta):
        return total.total_seconds()
    return float(total) / 1_000_000  # SQLite answers microseconds


def _duration_histogram(
    name: str, documentation: str, rows: Any, *, start: str, end: str, bounds: Sequence[float]
) -> HistogramMetricFamily:
    """A histogram of ``end - start`` over ``rows``, counted in the database
    (two queries: the buckets, and the sum)."""
    counts, total = _histogram_aggregates(rows, start=start, end=end, bounds=bounds)
    family = HistogramMetricFamily(name, documentation)
    family.add_metric(
        [], _cumulative_buckets(counts, bounds, total), _seconds_sum(rows, start=start, end=end)
    )
    return family


def _open_alerts() -> Iterator[Metric]:
    family = GaugeMetricFamily(
        "crisisnet_alerts_open",
        "Alerts not yet closed, by state (open: finding someone; taken) and escalation step reached.",
        labels=["state", "step"],
    )
    rows = (
        Alert.objects.filter(state__in=[Alert.State.OPEN, Alert.State.TAKEN])
        .values("state", "step")
        .annotate(alerts=Count("pk"))
        .order_by("state", "step")
    )
    seen = set()
    for row in rows:
        family.add_metric([row["state"], str(row["step"])], row["alerts"])
        seen.add(row["state"])
    for state in (Alert.State.OPEN, Alert.State.TAKEN):
        if state not in seen:  # a zero, so a dashboard shows 0 rather than nothing
            family.add_metric([state, "0"], 0)
    yield family
    staff = Alert.objects.filter(state=Alert.State.OPEN).aggregate(
        told=Count("pk", filter=Q(staff_notified_at__isnull=False)),
        unreachable=Count(
            "pk", filter=Q(emergency_routes_shown_at__isnull=False, staff_notified_at__isnull=True)
        ),
    )
    family = GaugeMetricFamily(
        "crisisnet_alerts_open_past_staff_step",
        "Open alerts whose staff step has run: staff told, or nobody there could be asked "
        "(the member was shown the emergency routes).",
        labels=["outcome"],
    )
    family.add_metric(["staff_told"], staff["told"])
    family.add_metric(["staff_unreachable"], staff["unreachable"])
    yield family


def _time_to_taken() -> Iterator[Metric]:
    """From raising to the first "I've got this", over every alert ever taken
    (a cumulative histogram, as Prometheus expects: rate() over it gives
    recent alerts). An accept that was later handed over or returned still
    counts: its offer keeps its answer time."""
    first_accept = (
        Offer.objects.filter(alert=OuterRef("pk"), responded_at__isnull=False)
        .filter(Q(state=Offer.State.ACCEPTED) | Q(released_at__isnull=False))
        .exclude(kind=Offer.Kind.HANDOVER)
        .order_by("responded_at")
        .values("responded_at")[:1]
    )
    taken = Alert.objects.annotate(first_taken_at=Subquery(first_accept)).filter(first_taken_at__isnull=False)
    yield _duration_histogram(
        "crisisnet_alert_time_to_taken_seconds",
        "Seconds from an alert being raised to its first accept by a person.",
        taken,
        start="raised_at",
        end="first_taken_at",
        bounds=TIME_TO_TAKEN_BUCKETS,
    )


def _escalation_lateness(now: datetime) -> Iterator[Metric]:
    overdue = GaugeMetricFamily(
        "crisisnet_escalation_overdue_seconds",
        "How late the oldest due escalation work is (0 when nothing is overdue): "
        "kind step = an open alert's next step, contact_check = a taken alert's first-contact check.",
        labels=["kind"],
    )
    waiting = GaugeMetricFamily(
        "crisisnet_escalation_overdue",
        "How many alerts have escalation work past its due time, by kind.",
        labels=["kind"],
    )
    due = Alert.objects.aggregate(
        steps=Count("pk", filter=Q(state=Alert.State.OPEN, next_step_due_at__lte=now)),
        oldest_step=Min("next_step_due_at", filter=Q(state=Alert.State.OPEN, next_step_due_at__lte=now)),
        checks=Count("pk", filter=Q(state=Alert.State.TAKEN, contact_check_due_at__lte=now)),
        oldest_check=Min(
            "contact_check_due_at", filter=Q(state=Alert.State.TAKEN, contact_check_due_at__lte=now)
        ),
    )
    for kind, count, oldest in (
        ("step", due["steps"], due["oldest_step"]),
        ("contact_check", due["checks"], due["oldest_check"]),
    ):
        waiting.add_metric([kind], count)
        overdue.add_metric([kind], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    yield overdue
    yield waiting
    yield _duration_histogram(
        "crisisnet_escalation_step_lateness_seconds",
        "Seconds each escalation step ran after it was due (the fast path or the sweep).",
        EscalationStepRun.objects.all(),
        start="due_at",
        end="ran_at",
        bounds=STEP_LATENESS_BUCKETS,
    )


def _event_backlog() -> Iterator[Metric]:
    """Events are persisted per person and acknowledged by their devices; the
    backlog is what was persisted and no device of theirs has acknowledged
    (offline phones, or a pipeline that stopped waking sockets)."""
    backlog = EventSequence.objects.filter(last_seq__gt=F("acked_seq")).aggregate(
        people=Count("pk"), events=Sum(F("last_seq") - F("acked_seq"))
    )
    events = GaugeMetricFamily(
        "crisisnet_events_unacknowledged",
        "Persisted events that no device of their person has acknowledged yet.",
    )
    events.add_metric([], backlog["events"] or 0)
    yield events
    people = GaugeMetricFamily(
        "crisisnet_people_with_unacknowledged_events",
        "People with at least one event no device of theirs acknowledged.",
    )
    people.add_metric([], backlog["people"])
    yield people
    offers = Offer.objects.filter(state=Offer.State.PENDING).aggregate(
        pending=Count("pk"),
        undelivered=Count("pk", filter=Q(delivered_at__isnull=True, push_sent_at__isnull=False)),
    )
    family = GaugeMetricFamily(
        "crisisnet_offers_pending",
        "Alert offers waiting for an answer; fallback: no device acknowledged it, push or SMS was used.",
        labels=["delivery"],
    )
    family.add_metric(["any"], offers["pending"])
    family.add_metric(["fallback"], offers["undelivered"])
    yield family


def _notifications() -> Iterator[Metric]:
    """Push, SMS and voice as the database records them: each send is claimed
    on its row before it goes (messaging/actions/notifications.py, paging.py).
    Failures are the pages' Delivery rows that failed, whether the transport
    said so at once (push on every subscription, a number Twilio refused) or
    a delivery receipt did later (undelivered, a call not answered)."""
    offers = Offer.objects.aggregate(
        push=Count("pk", filter=Q(push_sent_at__isnull=False)),
        sms=Count("pk", filter=Q(sms_sent_at__isnull=False)),
    )
    messages = Participant.objects.aggregate(
        push=Count("pk", filter=Q(push_sent_at__isnull=False)),
        sms=Count("pk", filter=Q(sms_sent_at__isnull=False)),
    )
    deliveries: dict[tuple[str, str], dict[str, int]] = {}
    for row in (
        Delivery.objects.exclude(status=Delivery.Status.SKIPPED)
        .annotate(
            purpose=Case(When(offer__isnull=False, then=Value("alert_offer")), default=Value("test_page"))
        )
        .values("purpose", "transport")
        .annotate(sent=Count("pk"), failed=Count("pk", filter=Q(status__in=Delivery.FAILED_STATUSES)))
    ):
        deliveries[(row["purpose"], row["transport"])] = row
    offers["voice"] = deliveries.get(("alert_offer", "voice"), {}).get("sent", 0)
    test_pages = {t: deliveries.get(("test_page", t), {}).get("sent", 0) for t in ("push", "sms", "voice")}
    sent = CounterMetricFamily(
        "crisisnet_notifications",
        "Fallback notifications sent (claimed and handed to the transport), by transport and purpose.",
        labels=["transport", "purpose"],
    )
    for purpose, counts in (("alert_offer", offers), ("test_page", test_pages)):
        for transport in ("push", "sms", "voice"):
            sent.add_metric([transport, purpose], counts[transport])
    for transport in ("push", "sms"):
        sent.add_metric([transport, "message"], messages[transport])
    yield sent
    failed = CounterMetricFamily(
        "crisisnet_notifications_failed",
        "Fallback notifications known to have failed (at once or by a delivery receipt), by transport "
        "and purpose.",
        labels=["transport", "purpose"],
    )
    for purpose in ("alert_offer", "test_page"):
        for transport in ("push", "sms", "voice"):
            failed.add_metric([transport, purpose], deliveries.get((purpose, transport), {}).get("failed", 0))
    yield failed


def _redis_figures(client: redis.Redis, *, now: float) -> Iterator[Metric]:
    last = client.get(SWEEP_HEARTBEAT_KEY)
    family = GaugeMetricFamily(
        "crisisnet_sweep_last_run_timestamp_seconds",
        "When the escalation sweep last ran (seconds since the epoch; 0: not since Redis started).",
    )
    family.add_metric([], float(last) if last is not None else 0.0)
    yield family
    family = GaugeMetricFamily(
        "crisisnet_sweep_stale_after_seconds", "Readiness fails when the sweep has not run for this long."
    )
    family.add_metric([], float(settings.SWEEP_STALE_AFTER))
    yield family

    depth = GaugeMetricFamily(
        "crisisnet_celery_queue_length", "Tasks waiting in each broker queue.", labels=["queue"]
    )
    with client.pipeline(transaction=False) as pipe:
        for queue in settings.CELERY_WORKER_QUEUES:
            pipe.llen(queue)
            for priority in KOMBU_PRIORITIES:
                pipe.llen(f"{queue}{KOMBU_PRIORITY_SEPARATOR}{priority}")
        pipe.hlen("unacked")
        lengths = pipe.execute()
    per_queue = 1 + len(KOMBU_PRIORITIES)
    for index, queue in enumerate(settings.CELERY_WORKER_QUEUES):
        depth.add_metric([queue], sum(lengths[index * per_queue : (index + 1) * per_queue]))
    yield depth
    family = GaugeMetricFamily(
        "crisisnet_celery_unacknowledged",
        "Tasks a worker has taken and not finished (ETA tasks it holds included).",
    )
    family.add_metric([], lengths[-1])
    yield family

    devices = sockets = 0
    keys = list(client.scan_iter(match=SOCKET_KEYS, count=1000))[:MAX_SOCKET_KEYS]
    with client.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.zcount(key, now, "+inf")
        for count in pipe.execute():
            sockets += count
            devices += bool(count)
    family = GaugeMetricFamily(
        "crisisnet_websockets_open", "Websockets open across every web process (entries not lapsed)."
    )
    family.add_metric([], sockets)
    yield family
    family = GaugeMetricFamily("crisisnet_devices_connected", "Devices with at least one websocket open.")
    family.add_metric([], devices)
    yield family


class OperationsCollector:
    """A prometheus_client custom collector, evaluated at each scrape. A part
    whose store does not answer is left out and its ``crisisnet_scrape_ok``
    says 0, so /metrics still answers (and says what it could not read)."""

    def describe(self) -> list[Metric]:
        # Nothing up front: registering must not query the database.
        return []

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        ok = GaugeMetricFamily(
            "crisisnet_scrape_ok", "1 when this scrape could read the part's store, else 0.", labels=["part"]
        )
        for part, produce in (
            ("alerts", lambda: [*_open_alerts(), *_time_to_taken(), *_escalation_lateness(now)]),
            ("events", lambda: [*_event_backlog(), *_notifications()]),
            ("redis", lambda: list(_redis_figures(_redis(), now=now.timestamp()))),
        ):
            try:
                families = produce()
            except Exception:
                logger.exception("metrics: the %s figures could not be read", part)
                ok.add_metric([part], 0)
                continue
            ok.add_metric([part], 1)
            yield from families
        yield ok
