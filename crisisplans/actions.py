"""Every write of plan state. Keyword-only, typed, one transaction each.

Permission checks that depend on the person doing the write live here too,
so no caller can skip them: viewing a plan at all is checked by the
selectors (404), doing something to a visible plan here (403).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, PermissionDenied, ValidationError

from crisisplans import crypto, signals
from crisisplans.access import decide_sections, relationship
from crisisplans.models import (
    Audience,
    BreakGlass,
    CoAuthor,
    Comment,
    CopingStrategy,
    DataKey,
    OwnerNotice,
    Plan,
    PlanPolicy,
    Revision,
    SectionConsent,
    SignOff,
)
from crisisplans.reading import BREAK_GLASS_PURPOSE, COMMENT_PURPOSE, REVISION_PURPOSE, decrypt_revision
from crisisplans.sections import SECTION_NAMES, referenced_person_ids
from foundation.problems import Conflict
from network.actions.auth import do_revoke_device
from network.models import Device, Membership, Network, Person
from network.selectors import current_memberships, role_in, shared_networks

logger = logging.getLogger(__name__)

MIN_BREAK_GLASS_REASON = 20


class PlanAlreadyExists(Conflict):
    default_detail = "You already have a plan: write a new revision of it instead."
    default_code = "plan_exists"


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [ErrorDetail(message, code=code)]})


def _check_references(*, owner: Person, sections: dict[str, Any]) -> None:
    """People named in the plan are peers in the owner's networks; library
    strategies come from those networks."""
    for person_id in sorted(referenced_person_ids(sections)):
        other = Person.objects.filter(pk=person_id, is_active=True).first()
        if other is None or other.pk == owner.pk or not shared_networks(person=owner, other=other).exists():
            raise _invalid(
                "sections", f"Person {person_id} is not a peer in your networks.", "unknown_person"
            )
    library_ids = set(sections.get("coping_strategies", {}).get("from_library", []))
    if library_ids:
        network_ids = current_memberships(person=owner).values("network_id")
        found = set(
            CopingStrategy.objects.filter(pk__in=library_ids, network_id__in=network_ids).values_list(
                "pk", flat=True
            )
        )
        missing = sorted(library_ids - found)
        if missing:
            raise _invalid(
                "sections.coping_strategies.from_library",
                f"Not in your networks' libraries: {missing}.",
                "unknown_strategy",
            )


def _write_revision(*, plan: Plan, author: Person, content: dict[str, Any], changed: list[str]) -> Revision:
    last = plan.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    sealed = crypto.encrypt(owner_id=plan.owner_id, purpose=REVISION_PURPOSE, payload=content)
    return Revision.objects.create(
        plan=plan,
        number=last + 1,
        author=author,
        changed_sections=changed,
        data_key_id=sealed.data_key_id,
        ciphertext=sealed.ciphertext,
    )


@transaction.atomic
def do_create_plan(*, owner: Person, sections: dict[str, Any]) -> Plan:
    """The member's plan with its first revision (a draft until signed off)."""
    if not current_memberships(person=owner).exists():
        raise PermissionDenied("Join a network before writing a plan.")
    Person.objects.select_for_update().filter(pk=owner.pk).first()
    if Plan.objects.filter(owner=owner).exists():
        raise PlanAlreadyExists
    _check_references(owner=owner, sections=sections)
    plan = Plan.objects.create(owner=owner)
    _write_revision(plan=plan, author=owner, content=sections, changed=sorted(sections))
    return plan


@transaction.atomic
def do_propose_revision(*, author: Person, plan: Plan, sections: dict[str, Any]) -> Revision:
    """A new immutable revision: the latest one with ``sections`` replaced.
    Co-authors may only change sections the owner shares with co-authors."""
    plan = Plan.objects.select_for_update().select_related("owner").get(pk=plan.pk)
    standing = relationship(person=author, plan=plan)
    if not (standing.is_owner or standing.is_co_author):
        raise PermissionDenied("Only the owner and co-authors write revisions.")
    if not sections:
        raise _invalid("sections", "Change at least one section.", "empty")
    if not standing.is_owner:
        decisions = decide_sections(person=author, plan=plan)
        hidden = sorted(name for name in sections if not decisions[name].allowed)
        if hidden:
            raise PermissionDenied(f"The owner has not shared these sections with co-authors: {hidden}.")
    _check_references(owner=plan.owner, sections=sections)
    latest = plan.revisions.order_by("-number").first()
    base = decrypt_revision(latest) if latest is not None else {}
    changed = sorted(name for name, value in sections.items() if base.get(name) != value)
    if not changed:
        raise _invalid("sections", "This revision changes nothing.", "unchanged")
    return _write_revision(plan=plan, author=author, content={**base, **sections}, changed=changed)


@transaction.atomic
def do_sign_off_revision(
    *, owner: Person, revision: Revision, review_due_at: datetime | None = None
) -> SignOff:
    plan = Plan.objects.select_for_update().get(pk=revision.plan_id)
    if plan.owner_id != owner.pk:
        raise PermissionDenied("Only the owner signs off their plan.")
    now = timezone.now()
    if review_due_at is not None and review_due_at <= now:
        raise _invalid("review_due_at", "Pick a review date in the future.")
    due = review_due_at or now + settings.PLAN_REVIEW_AFTER
    sign_off = SignOff.objects.create(
        plan=plan, revision=revision, signed_by=owner, signed_at=now, review_due_at=due
    )
    plan.active_revision = revision
    plan.review_due_at = due
    plan.review_prompted_at = None
    plan.save(update_fields=["active_revision", "review_due_at", "review_prompted_at"])
    return sign_off


@transaction.atomic
def do_add_comment(*, author: Person, revision: Revision, section: str, text: str) -> Comment:
    plan = revision.plan
    standing = relationship(person=author, plan=plan)
    if not (standing.is_owner or standing.is_co_author):
        raise PermissionDenied("Only the owner and co-authors comment.")
    if section and not decide_sections(person=author, plan=plan)[section].allowed:
        raise PermissionDenied("The owner has not shared this section with co-authors.")
    sealed = crypto.encrypt(owner_id=plan.owner_id, purpose=COMMENT_PURPOSE, payload={"text": text})
    return Comment.objects.create(
        plan=plan,
        revision=revision,
        section=section,
        author=author,
        data_key_id=sealed.data_key_id,
        ciphertext=sealed.ciphertext,
    )


def _require_owner(*, person: Person, plan: Plan, doing: str) -> None:
    if plan.owner_id != person.pk:
        raise PermissionDenied(f"Only the owner {doing}.")


@transaction.atomic
def do_invite_co_author(*, owner: Person, plan: Plan, person: Person) -> CoAuthor:
    _require_owner(person=owner, plan=plan, doing="invites co-authors")
    if person.pk == owner.pk or not shared_networks(person=owner, other=person).exists():
        raise _invalid("person", "Invite someone from your networks.", "unknown_person")
    existing = CoAuthor.objects.filter(plan=plan, person=person, removed_at__isnull=True).first()
    return existing or CoAuthor.objects.create(plan=plan, person=person)


@transaction.atomic
def do_remove_co_author(*, owner: Person, plan: Plan, person_id: int) -> int:
    _require_owner(person=owner, plan=plan, doing="removes co-authors")
    return CoAuthor.objects.filter(plan=plan, person_id=person_id, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )


@transaction.atomic
def do_end_co_authorships_without_shared_network(*, person: Person) -> int:
    """After ``person``'s membership ended: every co-authorship between them
    and a plan's owner (either way round) that no network joins any more
    ends now, and the owner is told. Returns how many ended. Rejoining later
    does not restore one: the owner invites again (docs/consent.md)."""
    now = timezone.now()
    ended = 0
    current = CoAuthor.objects.select_for_update().filter(removed_at__isnull=True)
    for co_author in current.filter(models.Q(person=person) | models.Q(plan__owner=person)).select_related(
        "plan__owner", "person"
    ):
        if shared_networks(person=co_author.plan.owner, other=co_author.person).exists():
            continue
        co_author.removed_at = now
        co_author.save(update_fields=["removed_at"])
        _tell_owner(
            owner_id=co_author.plan.owner_id, kind=OwnerNotice.Kind.CO_AUTHOR_ENDED, co_author=co_author
        )
        ended += 1
    return ended


@transaction.atomic
def do_set_consent(*, owner: Person, plan: Plan, audience: str, sections: list[str]) -> list[str]:
    """Exactly ``sections`` become readable by ``audience``; anything else
    consented before is withdrawn at once."""
    _require_owner(person=owner, plan=plan, doing="decides who reads their plan")
    wanted = set(sections)
    unknown = sorted(wanted - set(SECTION_NAMES))
    if unknown or audience not in Audience.values:
        raise _invalid("sections" if unknown else "audience", "Unknown section or audience.")
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
        raise _invalid("reason", f"Write at least {MIN_BREAK_GLASS_REASON} characters: why now?", "too_short")
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
    _tell_owner(owner_id=plan.owner_id, kind=OwnerNotice.Kind.BREAK_GLASS, break_glass=break_glass)
    return break_glass


def _tell_owner(
    *,
    owner_id: int,
    kind: str,
    break_glass: BreakGlass | None = None,
    alert_id: str = "",
    co_author: CoAuthor | None = None,
) -> OwnerNotice:
    from crisisplans.tasks import deliver_owner_notice

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
        transaction.on_commit(lambda: deliver_owner_notice.delay(notice.pk))
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
    return _tell_owner(owner_id=owner.pk, kind=OwnerNotice.Kind.REVIEW_AFTER_CRISIS, alert_id=str(alert_id))


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
                _tell_owner(owner_id=owner_id, kind=OwnerNotice.Kind.REVIEW_DUE)
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


@transaction.atomic
def do_add_coping_strategy(
    *, author: Person, network: Network, text: str, show_author: bool
) -> CopingStrategy:
    if role_in(person=author, network=network) is None:
        raise PermissionDenied("Only members add to their network's library.")
    return CopingStrategy.objects.create(network=network, author=author, text=text, show_author=show_author)


@transaction.atomic
def do_set_plan_policy(*, person: Person, network: Network, alert_grace_hours: int) -> PlanPolicy:
    if role_in(person=person, network=network) not in (
        Membership.Role.NAVIGATOR,
        Membership.Role.FACILITATOR,
    ):
        raise PermissionDenied("Only navigators and facilitators set the network's plan policy.")
    policy, _ = PlanPolicy.objects.update_or_create(
        network=network, defaults={"alert_grace_hours": alert_grace_hours, "updated_at": timezone.now()}
    )
    return policy


def do_rotate_master_key() -> int:
    """Rewrap every data key under the current master key; returns how many
    changed. One transaction per key, so a crash leaves each key whole."""
    rotated = 0
    for key_id in DataKey.objects.values_list("key_id", flat=True):
        with transaction.atomic():
            data_key = DataKey.objects.select_for_update().get(key_id=key_id)
            rotated += crypto.rewrap_under_current_master_key(data_key)
    return rotated


@transaction.atomic
def do_delete_account(*, person: Person) -> None:
    """Remove the person. Their data key goes first, so every copy of their
    plan, comments on it and break-glass reasons is unreadable for good.
    What others need stays without them: revisions and comments they wrote on
    other plans, library strategies, and access records (which name only ids)."""
    # Signed out the way DELETE /me/devices/<id>/ does it, so each device's
    # open sockets close on commit rather than waiting for their next frame.
    for device in Device.objects.filter(user=person):
        do_revoke_device(device=device)
    DataKey.objects.filter(person=person).delete()
    CopingStrategy.objects.filter(author=person).update(show_author=False)
    person.delete()
