"""Reading plan content: decide, decrypt and log, in one transaction.

This is the only place plan content is decrypted for someone to see. Each
read writes access records (one per distinct reason) in the same transaction
as the read; if decryption fails, it raises and nothing is recorded because
nothing was read. Logging a read is a write, so these live in actions; the
rule that decides a read is ``crisisplans.selectors.access``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction

from crisisplans import crypto
from crisisplans.models import AccessRecord, BreakGlass, Comment, Plan, Revision
from crisisplans.selectors.access import Purpose, ReadDecision, decide_sections
from network.models import Person

REVISION_PURPOSE = "plan-revision"
COMMENT_PURPOSE = "plan-comment"
BREAK_GLASS_PURPOSE = "break-glass-reason"


@dataclass(frozen=True)
class PlanReading:
    plan: Plan
    revision: Revision | None
    sections: dict[str, Any]
    decisions: dict[str, ReadDecision]
    records: list[AccessRecord] = field(default_factory=list)

    @property
    def withheld(self) -> list[str]:
        """Sections this reader may not read (whether written or not)."""
        return [name for name, decision in self.decisions.items() if not decision.allowed]


def decrypt_revision(revision: Revision) -> dict[str, Any]:
    """Internal: the whole revision. Callers must not disclose it without a
    decision and an access record (``read_plan_content`` does both)."""
    content: dict[str, Any] = crypto.decrypt(
        owner_id=revision.plan.owner_id,
        purpose=REVISION_PURPOSE,
        data_key_id=revision.data_key_id,
        ciphertext=revision.ciphertext,
    )
    return content


def read_plan_content(
    *,
    reader: Person,
    plan: Plan,
    revision: Revision | None,
    channel: str,
    purpose: str = Purpose.VIEW,
) -> PlanReading:
    """The sections of ``revision`` that ``reader`` may read, logged."""
    decisions = decide_sections(person=reader, plan=plan, purpose=purpose)
    allowed = {name: decision for name, decision in decisions.items() if decision.allowed}
    if revision is None or not allowed:
        return PlanReading(plan=plan, revision=revision, sections={}, decisions=decisions)
    with transaction.atomic():
        content = decrypt_revision(revision)
        sections = {name: value for name, value in content.items() if name in allowed}
        by_reason: dict[tuple[str, str, str], list[str]] = {}
        for name, decision in allowed.items():
            by_reason.setdefault((decision.reason, decision.reason_ref, decision.reader_role), []).append(
                name
            )
        records = [
            AccessRecord.objects.create(
                plan=plan,
                owner_id=plan.owner_id,
                reader=reader,
                reader_role=role,
                reason=reason,
                reason_ref=ref,
                channel=channel,
                revision_number=revision.number,
                sections=names,
            )
            for (reason, ref, role), names in by_reason.items()
        ]
    return PlanReading(plan=plan, revision=revision, sections=sections, decisions=decisions, records=records)


def read_for_the_service(*, plan: Plan, sections: list[str], why: str) -> dict[str, Any]:
    """The service itself reads the active plan (e.g. routing an alert), logged
    with reason "system" and the caller's ``why`` (such as "alert 17")."""
    revision = plan.active_revision
    if revision is None:
        return {}
    with transaction.atomic():
        content = decrypt_revision(revision)
        AccessRecord.objects.create(
            plan=plan,
            owner_id=plan.owner_id,
            reader=None,
            reader_role="service",
            reason=AccessRecord.Reason.SYSTEM,
            reason_ref=why[:64],
            channel=AccessRecord.Channel.SYSTEM,
            revision_number=revision.number,
            sections=sections,
        )
    return {name: content[name] for name in sections if name in content}


def _record_circle_read(*, reader: Person, plan: Plan, channel: str, what: str) -> None:
    """Comments and break-glass reasons are read only by the owner and (for
    comments) co-authors; log them like sections, under their own name."""
    is_owner = reader.pk == plan.owner_id
    AccessRecord.objects.create(
        plan=plan,
        owner_id=plan.owner_id,
        reader=reader,
        reader_role="owner" if is_owner else "co_author",
        reason=AccessRecord.Reason.OWNER if is_owner else AccessRecord.Reason.CO_AUTHOR,
        channel=channel,
        sections=[what],
    )


@dataclass(frozen=True)
class CommentView:
    comment: Comment
    text: str


def read_comments(*, reader: Person, plan: Plan, channel: str) -> list[CommentView]:
    """The plan's comments, for a reader the caller checked is the owner or
    a current co-author."""
    with transaction.atomic():
        views = [
            CommentView(
                comment=comment,
                text=crypto.decrypt(
                    owner_id=plan.owner_id,
                    purpose=COMMENT_PURPOSE,
                    data_key_id=comment.data_key_id,
                    ciphertext=comment.ciphertext,
                )["text"],
            )
            for comment in plan.comments.select_related("revision", "author")
        ]
        if views:
            _record_circle_read(reader=reader, plan=plan, channel=channel, what="comments")
    return views


def read_break_glass_reason(*, owner: Person, break_glass: BreakGlass, channel: str) -> str:
    """The reason a facilitator gave, for the owner only."""
    with transaction.atomic():
        payload = crypto.decrypt(
            owner_id=owner.pk,
            purpose=BREAK_GLASS_PURPOSE,
            data_key_id=break_glass.data_key_id,
            ciphertext=break_glass.reason_ciphertext,
        )
        _record_circle_read(reader=owner, plan=break_glass.plan, channel=channel, what="break_glass_reason")
    return str(payload["reason"])


def record_alert_details_read(
    *, reader: Person, owner_id: int, alert_id: str, what: list[str], channel: str
) -> AccessRecord | None:
    """The words and location a member gave with an alert are read like plan
    content: logged in the owner's access log, under ``what`` (such as
    "alert_location"). A member without a plan has no log to write to."""
    plan = Plan.objects.filter(owner_id=owner_id).first()
    if plan is None or not what:
        return None
    is_owner = reader.pk == owner_id
    return AccessRecord.objects.create(
        plan=plan,
        owner_id=owner_id,
        reader=reader,
        reader_role="owner" if is_owner else "alert_holder",
        reason=AccessRecord.Reason.OWNER if is_owner else AccessRecord.Reason.ALERT,
        reason_ref="" if is_owner else alert_id,
        channel=channel,
        sections=what,
    )


# For the alerts app: routing and aftercare from the active plan. Each call
# is a read of plan content by the service, logged with the caller's reason.


@dataclass(frozen=True)
class ContactRouting:
    contact_in_order: tuple[int, ...]
    do_not_contact: frozenset[int]


@dataclass(frozen=True)
class Aftercare:
    check_in_after: timedelta
    check_in_from: tuple[int, ...]  # person ids, in the owner's order


def _active_sections(*, owner: Person, names: list[str], why: str) -> dict[str, Any] | None:
    plan = Plan.objects.select_related("active_revision").filter(owner=owner).first()
    if plan is None or plan.active_revision is None:
        return None
    return read_for_the_service(plan=plan, sections=names, why=why)


def contact_routing_for(*, owner: Person, why: str) -> ContactRouting:
    """Who to contact (person ids, first first) and who must never be,
    from the signed-off plan. Empty when there is none."""
    sections = _active_sections(owner=owner, names=["contacts"], why=why) or {}
    contacts = sections.get("contacts", {})
    return ContactRouting(
        contact_in_order=tuple(contacts.get("contact_in_order", [])),
        do_not_contact=frozenset(contacts.get("do_not_contact", [])),
    )


def aftercare_for(*, owner: Person, why: str) -> Aftercare | None:
    """The check-in the owner asked for after a crisis, or None."""
    sections = _active_sections(owner=owner, names=["afterwards"], why=why) or {}
    afterwards = sections.get("afterwards")
    if not afterwards:
        return None
    return Aftercare(
        check_in_after=timedelta(hours=afterwards["check_in_after_hours"]),
        check_in_from=tuple(afterwards.get("check_in_from", [])),
    )
