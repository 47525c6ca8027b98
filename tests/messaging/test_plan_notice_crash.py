"""Persist first, then notify, for plan notices: the owner's event is written
with the notice, and a break-glass text that could not be sent (a provider
hiccup, a worker killed mid-send, a lost task) goes on a later sweep until
it is sent; a permanent refusal is recorded and not retried."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crisisplans import actions as plan_actions
from crisisplans.models import OwnerNotice
from foundation.transports import TransportError, sms
from messaging import tasks
from messaging.models import Event
from tests.crisisplans.factories import signed_off_plan

pytestmark = pytest.mark.django_db

REASON = "She said she would hurt herself and nobody can reach her."
FLAKY = "tests.messaging.test_plan_notice_crash.FlakySms"


class FlakySms(sms.LocmemSmsBackend):
    """The SMS provider: ``failures`` holds what each next send raises."""

    failures: list[BaseException] = []

    def notify(self, *, to: str, body: str) -> None:
        if FlakySms.failures:
            raise FlakySms.failures.pop(0)
        super().notify(to=to, body=body)


@pytest.fixture
def provider(settings):
    settings.SMS_BACKEND = FLAKY
    FlakySms.failures = []
    yield FlakySms
    FlakySms.failures = []


def later(**delta) -> timezone.datetime:
    return timezone.now() + timedelta(**delta)


def notice_events(person) -> list[str]:
    return list(Event.objects.filter(person=person, type="plan.notice").values_list("data__kind", flat=True))


def test_the_owner_event_is_written_with_the_break_glass_before_any_task_runs(member, staff):
    plan = signed_off_plan(owner=member)
    plan_actions.do_open_break_glass(reader=staff, plan=plan, reason=REASON)
    # The delivery task never ran (the test transaction is never committed):
    # the event is there all the same, in the break-glass's own transaction.
    assert notice_events(member) == ["break_glass"]


def test_a_temporary_sms_error_is_retried_by_the_sweep_until_the_text_is_sent(member, staff, provider):
    plan = signed_off_plan(owner=member)
    plan_actions.do_open_break_glass(reader=staff, plan=plan, reason=REASON)
    notice = OwnerNotice.objects.get()
    provider.failures = [TransportError("503 from the provider", permanent=False)]

    assert plan_actions.do_deliver_owner_notice(notice_id=notice.pk) is False  # the on-commit task
    assert sms.outbox == []
    assert notice_events(member) == ["break_glass"]

    assert tasks.sweep(now=later(minutes=30))["notices"] == 1
    assert [m.to for m in sms.outbox] == [member.phone_number.as_e164]
    assert tasks.sweep(now=later(hours=2))["notices"] == 0  # sent once, never again
    assert len(sms.outbox) == 1
    notice.refresh_from_db()
    assert notice.texted_at is not None
    assert notice.text_attempts == 2


def test_a_worker_killed_mid_send_leaves_the_text_for_a_later_sweep(member, staff, provider):
    plan = signed_off_plan(owner=member)
    plan_actions.do_open_break_glass(reader=staff, plan=plan, reason=REASON)
    notice = OwnerNotice.objects.get()
    provider.failures = [SystemExit("worker killed")]  # the process dies between claim and send

    with pytest.raises(SystemExit):
        plan_actions.do_deliver_owner_notice(notice_id=notice.pk)
    assert sms.outbox == []

    assert tasks.sweep(now=later(seconds=1))["notices"] == 0  # the claim still stands
    assert tasks.sweep(now=later(minutes=30))["notices"] == 1
    assert len(sms.outbox) == 1
    assert notice_events(member) == ["break_glass"]


def test_a_lost_task_is_covered_by_the_sweep_after_its_grace(member, staff):
    plan = signed_off_plan(owner=member)
    plan_actions.do_open_break_glass(reader=staff, plan=plan, reason=REASON)
    assert tasks.sweep(now=later(seconds=5))["notices"] == 0  # the task may still come
    assert tasks.sweep(now=later(minutes=1))["notices"] == 1
    assert tasks.sweep(now=later(minutes=2))["notices"] == 0
    assert len(sms.outbox) == 1
    assert notice_events(member) == ["break_glass"]


def test_a_permanent_sms_error_is_recorded_and_not_retried(member, staff, provider):
    plan = signed_off_plan(owner=member)
    plan_actions.do_open_break_glass(reader=staff, plan=plan, reason=REASON)
    notice = OwnerNotice.objects.get()
    provider.failures = [TransportError("21211 invalid number", permanent=True)]

    assert plan_actions.do_deliver_owner_notice(notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert notice.text_failed_at is not None
    assert notice.texted_at is None
    assert tasks.sweep(now=later(hours=1))["notices"] == 0
    assert sms.outbox == []
    assert notice_events(member) == ["break_glass"]  # the app still shows it


def test_a_review_prompt_is_an_event_and_never_texted(member):
    signed_off_plan(owner=member)
    plan_actions.do_prompt_review_after_crisis(owner=member, alert_id="7")
    assert notice_events(member) == ["review_after_crisis"]
    assert tasks.sweep(now=later(hours=1))["notices"] == 0
    assert sms.outbox == []
