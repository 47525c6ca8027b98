"""Reads of who the owner lets read which section."""

from __future__ import annotations

from crisisplans.models import Audience, Plan, SectionConsent


def consents_of(*, plan: Plan) -> dict[str, list[str]]:
    """The sections each audience may read now, by audience (every audience
    listed, even with none)."""
    body: dict[str, list[str]] = {audience: [] for audience in Audience.values}
    current = SectionConsent.objects.filter(plan=plan, withdrawn_at__isnull=True).order_by("section")
    for audience, section in current.values_list("audience", "section"):
        body[audience].append(section)
    return body
