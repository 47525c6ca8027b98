"""Plan notices reach the owner: an event for every notice, a content-free
text for a break-glass read and due reviews prompted once (a lost or failed
text: test_plan_notice_crash.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crisisplans import actions as plan_actions
from crisisplans.models import OwnerNotice, Plan
from foundation.transports import sms
from messaging.models import Event
from tests.crisisplans.factories import signed_off_plan

pytestmark = pytest.mark.django_db


def notices_seen_by(person) -> list[str]:
    return list(
        Event.objects.filter(person=person, type="plan.notice")
        .order_by("seq")
        .values_list("data__kind", flat=True)
    )


def test_a_break_glass_read_is_texted_and_sent_to_the_owner(member, staff):
    plan = signed_off_plan(owner=member)
    plan_actions.do_open_break_glass(
        reader=staff, plan=plan, reason="She said she would hurt herself and nobody can reach her."
    )
    assert tasks_deliver(OwnerNotice.objects.get().pk) is True  # what the Celery task does
    assert notices_seen_by(member) == ["break_glass"]
    assert [m.to for m in sms.outbox] == [member.phone_number.as_e164]
    assert "hurt" not in sms.outbox[0].body
    assert OwnerNotice.objects.get().texted_at is not None


def tasks_deliver(notice_id: int) -> bool:
    from crisisplans.tasks import deliver_owner_notice

    return deliver_owner_notice(notice_id)


def test_a_due_review_is_prompted_once_per_review_date(member):
    plan = signed_off_plan(owner=member)
    Plan.objects.filter(pk=plan.pk).update(review_due_at=timezone.now() - timedelta(days=1))
    assert plan_actions.do_prompt_due_reviews() == 1
    assert plan_actions.do_prompt_due_reviews() == 0
    assert OwnerNotice.objects.get().kind == "review_due"
    assert not sms.outbox  # a review prompt is not texted


def test_a_plan_not_yet_due_is_left_alone(member):
    signed_off_plan(owner=member)  # due in 90 days
    assert plan_actions.do_prompt_due_reviews() == 0
    assert not OwnerNotice.objects.exists()
