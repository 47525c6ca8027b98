"""Reads of a member's plan shares. Only the owner may know of them: for
anyone else (co-authors, facilitators, other networks) they answer 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from crisisplans.models import AccessRecord, Plan, PlanShare
from network.models import Person


def access_plan_to_share_by_id(*, person: Person, plan_id: int) -> Plan:
    plan = Plan.objects.select_related("owner", "active_revision").filter(pk=plan_id, owner=person).first()
    if plan is None:
        raise NotFound
    return plan


def access_own_share_by_id(*, person: Person, share_id: int) -> PlanShare:
    share = PlanShare.objects.select_related("plan").filter(pk=share_id, owner=person).first()
    if share is None:
        raise NotFound
    return share


def shares_of(*, plan: Plan) -> QuerySet[PlanShare]:
    """Every share of the plan, newest first (live and ended)."""
    return PlanShare.objects.filter(plan=plan).order_by("-created_at", "-pk")


def opens_of(*, shares: list[PlanShare]) -> dict[int, dict[str, Any]]:
    """Per share: how many times it was opened (its access records) and when last."""
    out: dict[int, dict[str, Any]] = {share.pk: {"count": 0, "last": None} for share in shares}
    if not shares:
        return out
    records = AccessRecord.objects.filter(
        plan_id__in={share.plan_id for share in shares},
        reason=AccessRecord.Reason.SHARE,
        reason_ref__in=[str(share.pk) for share in shares],
    ).values_list("reason_ref", "created_at")
    for ref, created_at in records:
        entry = out[int(ref)]
        entry["count"] += 1
        if entry["last"] is None or created_at > entry["last"]:
            entry["last"] = created_at
    return out


def share_labels_of(*, plan: Plan, refs: set[str]) -> dict[str, str]:
    """The owner's labels of the shares an access log page names, by share id as text."""
    ids = [int(ref) for ref in refs if ref.isdigit()]
    return {str(share.pk): share.label or "" for share in PlanShare.objects.filter(plan=plan, pk__in=ids)}
