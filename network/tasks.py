"""Thin Celery tasks: each calls an action."""

from __future__ import annotations

from celery import shared_task

from network import actions


@shared_task(name="network.tasks.purge_expired_login_material")
def purge_expired_login_material() -> int:
    return actions.do_purge_expired_login_material()
