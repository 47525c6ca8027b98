"""Thin Celery tasks: each calls an action."""

from __future__ import annotations

from celery import shared_task

from crisisplans import actions


@shared_task(name="crisisplans.tasks.deliver_owner_notice")
def deliver_owner_notice(notice_id: int) -> bool:
    return actions.do_deliver_owner_notice(notice_id=notice_id)


@shared_task(name="crisisplans.tasks.prompt_due_reviews")
def prompt_due_reviews() -> int:
    return actions.do_prompt_due_reviews()


@shared_task(name="crisisplans.tasks.wipe_expired_share_codes")
def wipe_expired_share_codes() -> int:
    return actions.do_wipe_expired_share_codes()
