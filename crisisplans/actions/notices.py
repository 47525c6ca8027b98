"""Writes of the notices an owner is owed (a break-glass read, a review
due, a co-author gone), and the content-free text some of them send."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from crisisplans import signals
from crisisplans.models import BreakGlass, CoAuthor, OwnerNotice, Plan
from network.models import Person

logger = logging.getLogger(__name__)


def do_tell_owner(
    *,
    owner_id: int,
    kind: str,
    break_glass: BreakGlass | None = None,
    alert_id: str = "",
    co_author: CoAuthor | None = None,
) -> OwnerNotice:
    texted = kind in OwnerNotice.TEXTED_KINDS
    notice = OwnerNotice.objects.create(
        owner_id=owner_id,
        kind=kind,
        break_glass=break_glass,
        alert_id=alert_id,
        co_author=co_author,
        text_due_at=timezone.now() + settings.PLAN_NOTICE_TEXT_GRACE if texted else None,
    )
    signals.owner_notice_created.send(
        sender=OwnerNotice, notice_id=notice.pk, owner_id=owner_id, kind=str(kind)
    )
    if texted:
        # By name, so the actions never import crisisplans.tasks (which imports them).
        transaction.on_commit(
            lambda: current_app.send_task("crisisplans.tasks.deliver_owner_notice", args=(notice.pk,))
        )
    return notice


@transaction.atomic
def do_prompt_review_after_crisis(*, owner: Person, alert_id: str | int) -> OwnerNotice | None:
    """For the alerts app, when a crisis ends: ask the owner to review their
    plan. Returns None when the person has no plan."""
    plan = Plan.objects.select_for_update().filter(owner=owner).first()
    if plan is None:
        return None
    plan.review_prompted_at = timezone.now()
    plan.save(update_fields=["review_prompted_at"])
    return do_tell_owner(owner_id=owner.pk, kind=OwnerNotice.Kind.REVIEW_AFTER_CRISIS, alert_id=str(alert_id))


def do_prompt_due_reviews(*, now: datetime | None = None) -> int:
    """Ask each owner whose plan's review date has come to review it, once per
    review date (the next sign-off sets a new date and clears the prompt)."""
    now = now or timezone.now()
    prompted = 0
    due = Plan.objects.filter(review_due_at__lte=now).filter(
        models.Q(review_prompted_at__isnull=True) | models.Q(review_prompted_at__lt=models.F("review_due_at"))
    )
    for plan_id in list(due.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            claimed = (
                Plan.objects.filter(pk=plan_id, review_due_at__lte=now)
                .filter(
                    models.Q(review_prompted_at__isnull=True)
                    | models.Q(review_prompted_at__lt=models.F("review_due_at"))
                )
                .update(review_prompted_at=now)
            )
            if claimed:
                owner_id = Plan.objects.values_list("owner_id", flat=True).get(pk=plan_id)
                do_tell_owner(owner_id=owner_id, kind=OwnerNotice.Kind.REVIEW_DUE)
                prompted += 1
    return prompted


def do_deliver_owner_notice(*, notice_id: int, now: datetime | None = None, due_only: bool = False) -> bool:
    """Text a notice that owes one; True when it was sent now. The on-commit
    task calls it at once, the sweep (``due_only``) once ``text_due_at`` has
    passed. A try is claimed first by compare-and-set on ``text_due_at``,
    pushed a lease ahead, so two workers never both send, and a worker that
    dies mid-send leaves the text to the sweep once the lease runs out."""
    now = now or timezone.now()
    notice = OwnerNotice.objects.filter(
        pk=notice_id, texted_at__isnull=True, text_failed_at__isnull=True
    ).first()
    if notice is None or notice.text_due_at is None or (due_only and notice.text_due_at > now):
        return False
    claimed = OwnerNotice.objects.filter(
        pk=notice.pk, texted_at__isnull=True, text_failed_at__isnull=True, text_due_at=notice.text_due_at
    ).update(text_due_at=now + settings.PLAN_NOTICE_TEXT_LEASE, text_attempts=models.F("text_attempts") + 1)
    if not claimed:
        return False
    responses = signals.owner_notice_ready.send_robust(
        sender=OwnerNotice, notice_id=notice.pk, owner_id=notice.owner_id, kind=notice.kind
    )
    errors = [error for _, error in responses if isinstance(error, Exception)]
    for error in errors:
        logger.warning("text for plan notice %s failed: %r", notice.pk, error)
    if not errors:
        OwnerNotice.objects.filter(pk=notice.pk).update(texted_at=now, text_due_at=None)
        return True
    if any(getattr(error, "permanent", False) for error in errors):
        OwnerNotice.objects.filter(pk=notice.pk).update(text_failed_at=now, text_due_at=None)
    else:
        OwnerNotice.objects.filter(pk=notice.pk).update(text_due_at=now + settings.PLAN_NOTICE_TEXT_RETRY)
    return False
