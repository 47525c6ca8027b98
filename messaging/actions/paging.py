"""Paging (issue 17, docs/paging.md): each person's ladder of push, SMS and
voice, delivery receipts, test pages and reachability flags.

The ladder of a page (an offer of an alert, or a test page) is the person's
rules in order: each step fires at the page's send time + its after_seconds,
or at once when the step before failed for good. Each send is claimed by
inserting its ``Delivery`` row (unique per page, transport and round), so two
workers cannot both send it, and the page is re-checked right before sending.
Provider calls run outside any transaction. No text here carries crisis
content (DESIGN.md invariant 6).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, Throttled, ValidationError

from foundation.transports.voice import voice_configured
from messaging.actions.events import send_event_on_commit
from messaging.actions.notifications import (
    do_send_offer_fallbacks,
    next_due,
    notify_paging_failure,
    paging_health_changed,
    push_to_person,
    run_ladder,
    send_step,
    sms_to_person,
)
from messaging.event_types import PAGING_CHANGED
from messaging.models import Delivery, NotificationRule, ReachabilityFlag, TestPage, Transport
from messaging.selectors import paging as selectors
from messaging.selectors.paging import MAX_AFTER_SECONDS, MAX_STEPS, Step
from network.models import Person

logger = logging.getLogger(__name__)

TEST_PUSH_TITLE = "Test page"
TEST_PUSH_TEXT = "Test page. Tap to say it reached you."
TEST_SMS_TEXT = "This is a test page from CrisisNet. Reply 1 to say it reached you."
REACHABILITY_TEXT = (
    "Your pages may not reach you before your shift. Open the app to send yourself a test page."
)

# Twilio's statuses that end a send, and which of them are failures.
FINAL_STATUSES = frozenset({"delivered", "failed", "undelivered", "completed", "busy", "no-answer"})
# Twilio's other statuses, as a Delivery records them (a message's "sending",
# a call's "in-progress"...); a call "canceled" never rang.
TWILIO_STATUSES = {
    "accepted": Delivery.Status.QUEUED,
    "scheduled": Delivery.Status.QUEUED,
    "queued": Delivery.Status.QUEUED,
    "sending": Delivery.Status.QUEUED,
    "initiated": Delivery.Status.QUEUED,
    "sent": Delivery.Status.SENT,
    "ringing": Delivery.Status.RINGING,
    "in-progress": Delivery.Status.ANSWERED,
    "answered": Delivery.Status.ANSWERED,
    "delivered": Delivery.Status.DELIVERED,
    "read": Delivery.Status.DELIVERED,
    "completed": Delivery.Status.COMPLETED,
    "failed": Delivery.Status.FAILED,
    "undelivered": Delivery.Status.UNDELIVERED,
    "busy": Delivery.Status.BUSY,
    "no-answer": Delivery.Status.NO_ANSWER,
    "canceled": Delivery.Status.FAILED,
}


# --- rules ---------------------------------------------------------------------------


def _invalid(code: str, text: str) -> ValidationError:
    return ValidationError({"rules": [ErrorDetail(text, code=code)]})


def check_rules(*, rules: Any) -> list[Step]:
    """A person's proposed ladder, or a 400 in the house shape: 1 to 3 steps,
    no transport twice, whole after_seconds within 0..1800 and not decreasing,
    voice only where a voice backend is configured."""
    if not isinstance(rules, list) or not 1 <= len(rules) <= MAX_STEPS:
        raise _invalid("invalid_rules", f"Give 1 to {MAX_STEPS} steps.")
    steps: list[Step] = []
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict) or set(rule) != {"transport", "after_seconds"}:
            raise _invalid("invalid_rules", f"Step {index + 1} needs a transport and after_seconds only.")
        transport, after = rule["transport"], rule["after_seconds"]
        if transport not in Transport.values:
            raise _invalid("invalid_transport", f"Step {index + 1}: transport is push, sms or voice.")
        if transport == Transport.VOICE and not voice_configured():
            raise _invalid("voice_not_configured", "Voice calls are not set up on this service.")
        if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= MAX_AFTER_SECONDS:
            raise _invalid(
                "invalid_after_seconds",
                f"Step {index + 1}: after_seconds is a whole number from 0 to {MAX_AFTER_SECONDS}.",
            )
        if any(s.transport == transport for s in steps):
            raise _invalid("duplicate_transport", f"Step {index + 1}: {transport} is already a step.")
        if steps and after < steps[-1].after_seconds:
            raise _invalid("rules_out_of_order", f"Step {index + 1} comes before the step above it.")
        steps.append(Step(transport, after))
    return steps


@transaction.atomic
def do_set_notification_rules(*, person: Person, rules: Any) -> list[Step]:
    steps = check_rules(rules=rules)
    NotificationRule.objects.filter(person=person).delete()
    NotificationRule.objects.bulk_create(
        [
            NotificationRule(person=person, position=i, transport=s.transport, after_seconds=s.after_seconds)
            for i, s in enumerate(steps)
        ]
    )
    return steps


@transaction.atomic
def do_reset_notification_rules(*, person: Person) -> None:
    NotificationRule.objects.filter(person=person).delete()


# --- sending one step ------------------------------------------------------------------


def _claim(*, person_id: int, transport: str, now: datetime, **page: Any) -> Delivery | None:
    """The Delivery row for one step of one page, or None when another worker
    (or an earlier run) has it already."""
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                person_id=person_id, transport=transport, created_at=now, status_at=now, **page
            )
    except IntegrityError:
        return None


# --- test pages ----------------------------------------------------------------------------


def _test_steps(person_id: int) -> list[Step]:
    """A test page's ladder starts at once: every wait moves up by the first one."""
    steps = selectors.rules_for(person_id=person_id)
    first = steps[0].after_seconds if steps else 0
    return [Step(s.transport, s.after_seconds - first) for s in steps]


def check_test_page_allowed(*, person: Person, now: datetime) -> None:
    if selectors.recent_test_page_count(person_id=person.pk, now=now) >= settings.PAGING_TEST_PAGES_PER_HOUR:
        raise Throttled(
            wait=3600,
            detail=f"At most {settings.PAGING_TEST_PAGES_PER_HOUR} test pages an hour. Try again later.",
        )


def do_send_test_page(*, person: Person, now: datetime | None = None) -> TestPage:
    """A page to oneself down the whole ladder: the first step now, the rest at
    their waits unless it is acknowledged first."""
    now = now or timezone.now()
    with transaction.atomic():
        check_test_page_allowed(person=person, now=now)
        test_page = TestPage.objects.create(person=person, created_at=now)
        _paging_changed(person_id=person.pk, test_page_id=test_page.pk)
    do_send_test_page_steps(test_page_id=test_page.pk, now=now)
    return test_page


def do_send_test_page_steps(*, test_page_id: int, now: datetime | None = None) -> list[str]:
    """Whatever of a test page's ladder is due; schedules the next step."""
    from messaging import scheduling

    now = now or timezone.now()
    test_page = TestPage.objects.select_related("person").filter(pk=test_page_id).first()
    if test_page is None or test_page.acknowledged_at is not None:
        return []
    steps = _test_steps(test_page.person_id)

    def still_wanted() -> bool:
        return TestPage.objects.filter(pk=test_page.pk, acknowledged_at__isnull=True).exists()

    def sent_now() -> dict[str, Delivery]:
        return {d.transport: d for d in test_page.deliveries.all()}  # type: ignore[attr-defined]

    done = run_ladder(
        steps=steps,
        base=test_page.created_at,
        now=now,
        sent=sent_now(),
        claim=lambda t: _claim(person_id=test_page.person_id, transport=t, now=now, test_page=test_page),
        still_wanted=still_wanted,
        send=lambda d: send_step(
            d,
            person=test_page.person,
            push={
                "title": TEST_PUSH_TITLE,
                "body": TEST_PUSH_TEXT,
                "url": f"/#/account/paging?test={test_page.pk}",
            },
            sms_text=TEST_SMS_TEXT,
        ),
    )
    due = next_due(steps=steps, base=test_page.created_at, sent=sent_now())
    if due is not None:
        scheduling._enqueue("send_test_page_steps", (test_page.pk,), max(due, now))
    if done:
        with transaction.atomic():
            _paging_changed(person_id=test_page.person_id, test_page_id=test_page.pk)
    return done


def due_test_pages(*, now: datetime) -> list[int]:
    """Test pages still inside their acknowledgement window with a step due:
    the sweep's net under lost ETA tasks."""
    since = now - timedelta(seconds=settings.PAGING_TEST_ACK_SECONDS)
    pages = list(
        TestPage.objects.filter(acknowledged_at__isnull=True, created_at__gte=since, created_at__lte=now)
        .prefetch_related("deliveries")
        .order_by("created_at")[:200]
    )
    due = []
    for page in pages:
        sent = {d.transport: d for d in page.deliveries.all()}  # type: ignore[attr-defined]
        at = next_due(steps=_test_steps(page.person_id), base=page.created_at, sent=sent)
        if at is not None and at <= now:
            due.append(page.pk)
    return due


def do_acknowledge_test_page(*, test_page: TestPage, via: str, now: datetime | None = None) -> TestPage:
    """The test page reached its person (in the app, by an SMS "1" or a voice
    "1"). Idempotent: the first acknowledgement stands. Clears their test
    page flags at once."""
    now = now or timezone.now()
    with transaction.atomic():
        if TestPage.objects.filter(pk=test_page.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_via=via
        ):
            _clear_flags(
                person_id=test_page.person_id,
                codes=[
                    ReachabilityFlag.Code.TEST_PAGE_OVERDUE,
                    ReachabilityFlag.Code.TEST_PAGE_UNACKNOWLEDGED,
                ],
                now=now,
            )
            _paging_changed(person_id=test_page.person_id, test_page_id=test_page.pk)
    test_page.refresh_from_db()
    return test_page


# --- receipts --------------------------------------------------------------------------


def do_record_receipt(*, sid: str, status: str, error_code: str = "", now: datetime | None = None) -> bool:
    """A provider's status callback for one send. A later, less final status
    never overwrites a final one (callbacks can arrive out of order). A
    permanent failure of an offer's or test page's send runs its next step at
    once, after commit. Returns whether the SID was one of ours."""
    now = now or timezone.now()
    status = status.lower()
    failed = False
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(provider_sid=sid).first()
        if delivery is None:
            return False
        recorded = TWILIO_STATUSES.get(status)
        if recorded is None or delivery.status in FINAL_STATUSES or delivery.status == recorded:
            return True
        failed = recorded in Delivery.FAILED_STATUSES
        delivery.status = recorded
        delivery.permanent = failed
        delivery.detail = (error_code or "")[:64]
        delivery.status_at = now
        delivery.save(update_fields=["status", "permanent", "detail", "status_at"])
        if failed:
            notify_paging_failure(person_id=delivery.person_id)
        elif recorded in (Delivery.Status.DELIVERED, Delivery.Status.COMPLETED, Delivery.Status.ANSWERED):
            _clear_flags(person_id=delivery.person_id, codes=[ReachabilityFlag.Code.PAGES_FAILING], now=now)
        if delivery.test_page_id is not None:
            _paging_changed(person_id=delivery.person_id, test_page_id=delivery.test_page_id)
    if failed:
        # Committed (the hook runs outside any transaction): the next step now,
        # in this request, rather than a queued task's round trip later.
        _run_next_step(delivery)
    return True


def _run_next_step(delivery: Delivery) -> None:
    try:
        if delivery.offer_id is not None:
            do_send_offer_fallbacks(offer_id=delivery.offer_id)
        elif delivery.test_page_id is not None:
            do_send_test_page_steps(test_page_id=delivery.test_page_id)
    except Exception:
        # The sweep runs it within a second or so: a receipt must still be answered.
        logger.exception("next step after a failed delivery %s", delivery.pk)


# --- reachability ------------------------------------------------------------------------


def _paging_changed(*, person_id: int, test_page_id: int | None = None) -> None:
    data = {} if test_page_id is None else {"test_page_id": test_page_id}
    send_event_on_commit(event_type=PAGING_CHANGED, data=data, person_ids=[person_id])


def _clear_flags(*, person_id: int, codes: list[str], now: datetime) -> int:
    cleared = ReachabilityFlag.objects.filter(
        person_id=person_id, code__in=codes, cleared_at__isnull=True
    ).update(cleared_at=now)
    if cleared:
        _paging_changed(person_id=person_id)
        paging_health_changed(person_id=person_id)
    return cleared


def reachability_problems(*, person: Person, now: datetime) -> set[str]:
    """The flag codes whose condition holds for the person now."""
    codes: set[str] = set()
    last = selectors.last_test_page(person_id=person.pk)
    every = timedelta(days=settings.PAGING_TEST_EVERY_DAYS)
    acknowledged_lately = TestPage.objects.filter(person=person, acknowledged_at__gt=now - every).exists()
    if not acknowledged_lately:
        codes.add(ReachabilityFlag.Code.TEST_PAGE_OVERDUE)
    if (
        last is not None
        and last.acknowledged_at is None
        and now - last.created_at > timedelta(seconds=settings.PAGING_TEST_ACK_SECONDS)
    ):
        codes.add(ReachabilityFlag.Code.TEST_PAGE_UNACKNOWLEDGED)
    transports = selectors.transports_for(person=person, now=now)
    phone_works = any(
        transports[t]["available"] and not selectors._phone_failing(person.pk, t)
        for t in (Transport.SMS, Transport.VOICE)
    )
    if not transports[Transport.PUSH]["available"] and not phone_works:
        codes.add(ReachabilityFlag.Code.NO_WORKING_CHANNEL)
    if selectors.last_deliveries_failed(person_id=person.pk, now=now):
        codes.add(ReachabilityFlag.Code.PAGES_FAILING)
    return codes


def do_check_reachability_of(*, person: Person, now: datetime | None = None) -> list[str]:
    """Raise the flags whose condition holds and clear the ones whose
    condition ended; tell the person (push and SMS, once per flag) and their
    networks' navigators. Returns the codes newly raised."""
    now = now or timezone.now()
    holds = reachability_problems(person=person, now=now)
    with transaction.atomic():
        open_codes = set(
            ReachabilityFlag.objects.filter(person=person, cleared_at__isnull=True).values_list(
                "code", flat=True
            )
        )
        raised = sorted(holds - open_codes)
        for code in raised:
            ReachabilityFlag.objects.create(person=person, code=code, raised_at=now)
        cleared = _clear_flags(person_id=person.pk, codes=sorted(open_codes - holds), now=now)
        if raised and not cleared:
            _paging_changed(person_id=person.pk)
            paging_health_changed(person_id=person.pk)
        to_tell = list(
            ReachabilityFlag.objects.filter(person=person, cleared_at__isnull=True, told_at__isnull=True)
        )
        ReachabilityFlag.objects.filter(pk__in=[f.pk for f in to_tell]).update(told_at=now)
    if to_tell:
        _tell(person)
    return raised


def _tell(person: Person) -> None:
    push_to_person(person_id=person.pk, title="Paging", body=REACHABILITY_TEXT, url="/#/account/paging")
    sms_to_person(person=person, body=REACHABILITY_TEXT)


def do_check_reachability(*, now: datetime | None = None) -> int:
    """The beat's check: everyone with a shift starting within
    PAGING_CHECK_BEFORE_SHIFT_HOURS. Returns how many flags it raised."""
    now = now or timezone.now()
    within = timedelta(hours=settings.PAGING_CHECK_BEFORE_SHIFT_HOURS)
    raised = 0
    for person in Person.objects.filter(
        pk__in=list(selectors.next_shifts(now=now, within=within)), is_active=True
    ):
        try:
            raised += len(do_check_reachability_of(person=person, now=now))
        except Exception:
            logger.exception("reachability check failed for person %s", person.pk)
    return raised
