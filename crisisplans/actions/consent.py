"""Writes of who may read the plan: the owner's consent per section and
audience, and a facilitator's break-glass (the owner is told)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from crisisplans import crypto
from crisisplans.actions.notices import do_tell_owner
from crisisplans.actions.plans import invalid_field, require_owner
from crisisplans.actions.reading import BREAK_GLASS_PURPOSE
from crisisplans.models import Audience, BreakGlass, OwnerNotice, Plan, SectionConsent
from crisisplans.sections import SECTION_NAMES
from crisisplans.selectors.access import relationship
from network.models import Person

MIN_BREAK_GLASS_REASON = 20


@transaction.atomic
def do_set_consent(*, owner: Person, plan: Plan, audience: str, sections: list[str]) -> list[str]:
    """Exactly ``sections`` become readable by ``audience``; anything else
    consented before is withdrawn at once."""
    require_owner(person=owner, plan=plan, doing="decides who reads their plan")
    wanted = set(sections)
    unknown = sorted(wanted - set(SECTION_NAMES))
    if unknown or audience not in Audience.values:
        raise invalid_field("sections" if unknown else "audience", "Unknown section or audience.")
    now = timezone.now()
    current = SectionConsent.objects.select_for_update().filter(
        plan=plan, audience=audience, withdrawn_at__isnull=True
    )
    current.exclude(section__in=wanted).update(withdrawn_at=now)
    already = set(current.filter(section__in=wanted).values_list("section", flat=True))
    SectionConsent.objects.bulk_create(
        SectionConsent(plan=plan, audience=audience, section=name, granted_at=now)
        for name in sorted(wanted - already)
    )
    return sorted(wanted)


@transaction.atomic
def do_open_break_glass(*, reader: Person, plan: Plan, reason: str) -> BreakGlass:
    """A facilitator over the owner opens the whole plan for a short window.
    The reason is kept (sealed) and the owner is told."""
    if not relationship(person=reader, plan=plan).is_facilitator:
        raise PermissionDenied("Only facilitators of the member's networks can break glass.")
    if len(reason.strip()) < MIN_BREAK_GLASS_REASON:
        raise invalid_field(
            "reason", f"Write at least {MIN_BREAK_GLASS_REASON} characters: why now?", "too_short"
        )
    now = timezone.now()
    sealed = crypto.encrypt(owner_id=plan.owner_id, purpose=BREAK_GLASS_PURPOSE, payload={"reason": reason})
    break_glass = BreakGlass.objects.create(
        plan=plan,
        reader=reader,
        created_at=now,
        expires_at=now + settings.PLAN_BREAK_GLASS_WINDOW,
        data_key_id=sealed.data_key_id,
        reason_ciphertext=sealed.ciphertext,
    )
    do_tell_owner(owner_id=plan.owner_id, kind=OwnerNotice.Kind.BREAK_GLASS, break_glass=break_glass)
    return break_glass
