"""Reads of paging (issue 17): a person's ladder, what each transport can do
for them, their test pages and flags, and the desk's list of people whose
pages are failing. Writes are in messaging/actions/paging.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Min, Q
from django.utils import timezone
from rest_framework.exceptions import NotFound

from foundation.transports.push import vapid_public_key
from foundation.transports.voice import voice_configured
from messaging.models import (
    Delivery,
    NotificationRule,
    PushSubscription,
    ReachabilityFlag,
    TestPage,
    Transport,
)
from network.models import Membership, Network, Person, Shift, ShiftException
from network.recurrence import MAX_SHIFT, expand

MAX_STEPS = 3
MAX_AFTER_SECONDS = 1800
FAILURE_WINDOW = timedelta(days=7)

FLAG_MESSAGES = {
    ReachabilityFlag.Code.TEST_PAGE_OVERDUE: "No test page has been acknowledged in the last {days} days.",
    ReachabilityFlag.Code.TEST_PAGE_UNACKNOWLEDGED: "The last test page was not acknowledged.",
    ReachabilityFlag.Code.NO_WORKING_CHANNEL: "No way of paging works: no app notifications and no "
    "working phone number.",
    ReachabilityFlag.Code.PAGES_FAILING: "The last pages failed to arrive.",
}


@dataclass(frozen=True)
class Step:
    transport: str
    after_seconds: int

    def as_json(self) -> dict[str, Any]:
        return {"transport": self.transport, "after_seconds": self.after_seconds}


def default_rules() -> list[Step]:
    """The ladder of everyone who has not set their own. Read when used (not
    at settings load), so an override of the alert fallback times moves it."""
    if settings.PAGING_DEFAULT_RULES:
        steps = [Step(r["transport"], int(r["after_seconds"])) for r in settings.PAGING_DEFAULT_RULES]
    else:
        push = settings.ALERT_PUSH_AFTER_SECONDS
        steps = [
            Step(Transport.PUSH, push),
            Step(Transport.SMS, push + settings.ALERT_SMS_AFTER_PUSH_SECONDS),
            Step(Transport.VOICE, settings.PAGING_VOICE_AFTER_SECONDS),
        ]
    return [s for s in steps if s.transport != Transport.VOICE or voice_configured()]


def own_rules(*, person_id: int) -> list[Step]:
    return [
        Step(r.transport, r.after_seconds)
        for r in NotificationRule.objects.filter(person_id=person_id).order_by("position")
    ]


def rules_for(*, person_id: int) -> list[Step]:
    """The person's ladder: their own steps, else the defaults. A voice step
    saved while voice was configured is left out once it is not."""
    steps = own_rules(person_id=person_id) or default_rules()
    return [s for s in steps if s.transport != Transport.VOICE or voice_configured()]


def rules_by_person(*, person_ids: list[int]) -> dict[int, list[Step]]:
    """``rules_for`` of many people in one query."""
    own: dict[int, list[Step]] = {}
    for r in NotificationRule.objects.filter(person_id__in=person_ids).order_by("person_id", "position"):
        own.setdefault(r.person_id, []).append(Step(r.transport, r.after_seconds))
    defaults = default_rules()
    voice = voice_configured()
    return {
        pid: [s for s in own.get(pid, defaults) if s.transport != Transport.VOICE or voice]
        for pid in person_ids
    }


def earliest_first_step() -> int:
    """The shortest wait of anyone's first step, in seconds: the defaults' or
    any person's own."""
    waits = [s.after_seconds for s in default_rules()]
    own = NotificationRule.objects.filter(position=0).aggregate(least=Min("after_seconds"))["least"]
    if own is not None:
        waits.append(own)
    return min(waits, default=0)


def working_subscriptions(*, person_id: int, now: datetime | None = None) -> int:
    """Push subscriptions on devices whose sign-in has not expired."""
    now = now or timezone.now()
    return PushSubscription.objects.filter(person_id=person_id).exclude(device__expiry__lte=now).count()


def _phone_failing(person_id: int, transport: str) -> bool:
    """The last send by this transport failed for good (a refused number)."""
    last = (
        Delivery.objects.filter(person_id=person_id, transport=transport)
        .exclude(status=Delivery.Status.SKIPPED)
        .order_by("-created_at", "-pk")
        .first()
    )
    return last is not None and last.permanent


def transports_for(*, person: Person, now: datetime | None = None) -> dict[str, dict[str, Any]]:
    """What each transport can do for the person, in words for their screen."""
    devices = working_subscriptions(person_id=person.pk, now=now)
    ending = person.phone_number.as_e164[-3:] if person.phone_number else ""
    sms_available = bool(settings.SMS_BACKEND) and bool(ending)
    voice_available = voice_configured() and bool(ending)

    def phone(transport: str, available: bool) -> dict[str, Any]:
        if not available:
            return {"available": False, "detail": "Not set up on this service"}
        if _phone_failing(person.pk, transport):
            return {"available": True, "detail": f"Failing to the number ending {ending}"}
        return {"available": True, "detail": f"To the number ending {ending}"}

    if devices:
        push = {"available": True, "detail": f"On {devices} device{'s' if devices != 1 else ''}"}
    elif vapid_public_key() is None:
        push = {"available": False, "detail": "Not set up on this service"}
    else:
        push = {"available": False, "detail": "Not switched on on any device"}
    return {
        Transport.PUSH: push,
        Transport.SMS: phone(Transport.SMS, sms_available),
        Transport.VOICE: phone(Transport.VOICE, voice_available),
    }


def flag_message(code: str) -> str:
    return FLAG_MESSAGES[code].format(days=settings.PAGING_TEST_EVERY_DAYS)  # type: ignore[index]


def open_flags(*, person_id: int) -> list[ReachabilityFlag]:
    return list(
        ReachabilityFlag.objects.filter(person_id=person_id, cleared_at__isnull=True).order_by(
            "raised_at", "pk"
        )
    )


def state_of_test_page(test_page: TestPage, *, now: datetime | None = None) -> str:
    if test_page.acknowledged_at is not None:
        return "acknowledged"
    now = now or timezone.now()
    if now - test_page.created_at > timedelta(seconds=settings.PAGING_TEST_ACK_SECONDS):
        return "unacknowledged"
    return "waiting"


def pending_test_page_for(person: Person) -> TestPage | None:
    """The person's latest unacknowledged test page sent within
    PAGING_TEST_ACK_SECONDS: what an SMS or voice "1" from them acknowledges."""
    since = timezone.now() - timedelta(seconds=settings.PAGING_TEST_ACK_SECONDS)
    return (
        TestPage.objects.filter(person=person, acknowledged_at__isnull=True, created_at__gte=since)
        .order_by("-created_at", "-pk")
        .first()
    )


def last_test_page(*, person_id: int) -> TestPage | None:
    return TestPage.objects.filter(person_id=person_id).order_by("-created_at", "-pk").first()


def access_test_page_by_id(*, person: Person, test_page_id: int) -> TestPage:
    """Only the person's own: anyone else's is 404."""
    test_page = TestPage.objects.filter(pk=test_page_id, person=person).first()
    if test_page is None:
        raise NotFound
    return test_page


def recent_test_page_count(*, person_id: int, now: datetime) -> int:
    return TestPage.objects.filter(person_id=person_id, created_at__gt=now - timedelta(hours=1)).count()


def delivery_by_sid(*, sid: str) -> Delivery | None:
    return Delivery.objects.select_related("offer", "test_page").filter(provider_sid=sid).first()


def delivery_by_token(*, token: str) -> Delivery | None:
    """The delivery a voice call's TwiML URL names (messaging/hooks/voice.py)."""
    return (
        Delivery.objects.select_related("offer__network", "test_page", "person").filter(token=token).first()
    )


def failed_q() -> Q:
    return Q(status__in=Delivery.FAILED_STATUSES)


def last_deliveries_failed(*, person_id: int, now: datetime, count: int = 2) -> bool:
    """The person's last ``count`` sends within FAILURE_WINDOW all failed."""
    statuses = list(
        Delivery.objects.filter(person_id=person_id, created_at__gt=now - FAILURE_WINDOW)
        .exclude(status=Delivery.Status.SKIPPED)
        .order_by("-created_at", "-pk")
        .values_list("status", flat=True)[:count]
    )
    return len(statuses) == count and all(s in Delivery.FAILED_STATUSES for s in statuses)


def managers_of_person(*, person_id: int) -> dict[int, list[int]]:
    """network id -> its current navigators' and facilitators' ids, for every
    network the person is a current member of."""
    network_ids = list(
        Membership.objects.filter(person_id=person_id, left_at__isnull=True).values_list(
            "network_id", flat=True
        )
    )
    out: dict[int, list[int]] = {nid: [] for nid in network_ids}
    for nid, pid in Membership.objects.filter(
        network_id__in=network_ids,
        left_at__isnull=True,
        person__is_active=True,
        role__in=[Membership.Role.NAVIGATOR, Membership.Role.FACILITATOR],
    ).values_list("network_id", "person_id"):
        out[nid].append(pid)
    return out


def next_shifts(*, now: datetime, within: timedelta, network: Network | None = None) -> dict[int, datetime]:
    """person id -> the start of their next shift starting in [now, now + within),
    swaps applied and cancelled occurrences dropped."""
    shifts = Shift.objects.filter(is_active=True).select_related("network")
    if network is not None:
        shifts = shifts.filter(network=network)
    by_network: dict[int, list[Shift]] = {}
    for shift in shifts:
        by_network.setdefault(shift.network_id, []).append(shift)
    out: dict[int, datetime] = {}
    end = now + within
    for group in by_network.values():
        exceptions = ShiftException.objects.filter(
            shift__in=group, occurrence_start__gt=now - MAX_SHIFT, occurrence_start__lt=end
        )
        for o in expand(shifts=group, exceptions=exceptions, tz=group[0].network.tzinfo, start=now, end=end):
            if o.start >= now and (o.person_id not in out or o.start < out[o.person_id]):
                out[o.person_id] = o.start
    return out


def network_paging_health(*, network: Network, now: datetime | None = None) -> list[dict[str, Any]]:
    """The desk's list: the network's current members with an open flag or a
    failed page in the last 7 days, flagged first, then most failures."""
    now = now or timezone.now()
    memberships = {
        m.person_id: m
        for m in Membership.objects.filter(network=network, left_at__isnull=True).select_related("person")
    }
    ids = list(memberships)
    flags: dict[int, list[ReachabilityFlag]] = {}
    for flag in ReachabilityFlag.objects.filter(person_id__in=ids, cleared_at__isnull=True).order_by(
        "raised_at"
    ):
        flags.setdefault(flag.person_id, []).append(flag)
    failures: dict[int, list[Delivery]] = {}
    for d in (
        Delivery.objects.filter(person_id__in=ids, created_at__gt=now - FAILURE_WINDOW)
        .filter(failed_q())
        .order_by("-status_at", "-pk")
    ):
        failures.setdefault(d.person_id, []).append(d)
    wanted = [pid for pid in ids if pid in flags or pid in failures]
    if not wanted:
        return []
    acknowledged = dict(
        TestPage.objects.filter(person_id__in=wanted, acknowledged_at__isnull=False)
        .values("person_id")
        .annotate(last=Max("acknowledged_at"))
        .values_list("person_id", "last")
    )
    shifts = next_shifts(now=now, within=timedelta(days=14), network=network)
    people = []
    for pid in wanted:
        m = memberships[pid]
        failed = failures.get(pid, [])
        people.append(
            {
                "person_id": pid,
                "membership_id": m.pk,
                "display_name": m.person.display_name,
                "role": m.role,
                "flags": [flag_json(f) for f in flags.get(pid, [])],
                "failures_7d": len(failed),
                "last_failure": (
                    {"transport": failed[0].transport, "status": failed[0].status, "at": failed[0].status_at}
                    if failed
                    else None
                ),
                "last_test_acknowledged_at": acknowledged.get(pid),
                "next_shift_at": shifts.get(pid),
            }
        )
    people.sort(key=lambda p: (not p["flags"], -p["failures_7d"], p["display_name"], p["person_id"]))
    return people


def flag_json(flag: ReachabilityFlag) -> dict[str, Any]:
    return {"code": flag.code, "message": flag_message(flag.code), "raised_at": flag.raised_at}
