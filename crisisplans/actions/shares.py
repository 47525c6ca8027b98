"""Shares of a plan for someone without an account (issue 18): make one,
change its sections, revoke it, open it (logged, the owner told), and wipe
the sealed codes of ended shares.

The entropy of a code and the guessing arithmetic are on
``crisisplans.models.PlanShare``. An open is the one read of plan content
here that has no reader account: it does not go through
``selectors.access`` (whose rule is about people) but through
``open_share``, which reads only the live share's chosen sections of the
active revision and writes the access record in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from crisisplans.actions.exports import care_plan_resource
from crisisplans.actions.plans import invalid_field, require_owner
from crisisplans.actions.reading import PlanReading, decrypt_revision
from crisisplans.models import AccessRecord, Plan, PlanShare
from crisisplans.sections import SECTION_NAMES
from crisisplans.signals import plan_share_opened
from foundation.problems import Conflict
from network.models import Person

# Crockford's base32: no I, L, O or U, so nothing is misread; typed I and L
# mean 1 and O means 0.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
CODE_BITS = 50  # 32**10 == 2**50
_TYPED_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
MAX_LABEL = 80
MAX_CODE_INPUT = 64  # longer input is cut before it is looked at


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str | None:
    """The code as stored, from what someone typed or the link held (any
    case, dashes and spaces anywhere), or None if it cannot be one."""
    code = _SEPARATORS.sub("", str(typed)[:MAX_CODE_INPUT]).upper().translate(_TYPED_ALIASES)
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def grouped(code: str) -> str:
    """For people to read and type: ABCD-EFGH-JK."""
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))


def code_hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"plan-share:{code}".encode(), hashlib.sha256).hexdigest()


def _checked_sections(sections: list[str]) -> list[str]:
    wanted = set(sections)
    unknown = sorted(wanted - set(SECTION_NAMES))
    if unknown:
        raise invalid_field("sections", f"Unknown sections: {', '.join(unknown)}.", "unknown_section")
    if not wanted:
        raise invalid_field("sections", "Choose at least one part of your plan to show.", "required")
    return [name for name in SECTION_NAMES if name in wanted]


def _checked_hours(hours: int) -> int:
    if hours not in PlanShare.Length.values:
        raise invalid_field("hours", "A share lasts 1 hour, 24 hours or 7 days.", "invalid_choice")
    return hours


class ShareEnded(Conflict):
    default_detail = "This share has ended: make a new one to show your plan again."
    default_code = "share_ended"


@dataclass(frozen=True)
class NewShare:
    share: PlanShare
    code: str


@transaction.atomic
def do_create_share(
    *,
    owner: Person,
    plan: Plan,
    hours: int,
    sections: list[str],
    label: str = "",
    show_name: bool = False,
    now: datetime | None = None,
) -> NewShare:
    """A share of exactly ``sections`` of the signed-off plan, for ``hours``
    (1, 24 or 168; never unlimited)."""
    require_owner(person=owner, plan=plan, doing="shows their plan to someone")
    if plan.active_revision_id is None:
        raise invalid_field(
            "plan", "Sign off your plan first: a share shows the signed-off plan.", "not_signed_off"
        )
    chosen = _checked_sections(sections)
    lasts = _checked_hours(hours)
    now = now or timezone.now()
    code = new_code()
    share = PlanShare.objects.create(
        plan=plan,
        owner=owner,
        sections=chosen,
        show_name=show_name,
        label=label.strip()[:MAX_LABEL],
        code_hash=code_hash(code),
        code=code,
        created_at=now,
        expires_at=now + timedelta(hours=lasts),
    )
    return NewShare(share=share, code=code)


@transaction.atomic
def do_update_share(*, owner: Person, share: PlanShare, sections: list[str]) -> PlanShare:
    """The share shows exactly ``sections`` from its next open on."""
    require_owner(person=owner, plan=share.plan, doing="changes what a share shows")
    share = PlanShare.objects.select_for_update().get(pk=share.pk)
    if not share.is_live():
        raise ShareEnded
    share.sections = _checked_sections(sections)
    share.save(update_fields=["sections"])
    return share


@transaction.atomic
def do_revoke_share(*, owner: Person, share: PlanShare, now: datetime | None = None) -> PlanShare:
    """Ends the share at once and wipes its sealed code. Revoking an ended
    share changes nothing."""
    require_owner(person=owner, plan=share.plan, doing="stops a share")
    share = PlanShare.objects.select_for_update().get(pk=share.pk)
    now = now or timezone.now()
    fields = []
    if share.revoked_at is None and share.expires_at > now:
        share.revoked_at = now
        fields.append("revoked_at")
    if share.code_wiped_at is None:
        share.code, share.code_wiped_at = "", now
        fields += ["code", "code_wiped_at"]
    if fields:
        share.save(update_fields=fields)
    return share


def do_wipe_expired_share_codes(*, now: datetime | None = None) -> int:
    """The sealed copies of the codes of expired shares (the periodic task).
    The keyed hash stays, so an old code still finds its ended share and
    answers like any wrong one."""
    now = now or timezone.now()
    return PlanShare.objects.filter(expires_at__lte=now, code_wiped_at__isnull=True).update(
        code=b"", code_wiped_at=now
    )


# Opening ------------------------------------------------------------------------

_BROWSERS = (
    ("Edg/", "Edge"),
    ("EdgiOS", "Edge"),
    ("SamsungBrowser", "Samsung Internet"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)


def agent_family(user_agent: str) -> str:
    """A browser and system, coarsely ("Chrome on Android"): enough for the
    owner to recognise a read, too little to tell one device from another."""
    text = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in text), "")
    system = next((name for marker, name in _SYSTEMS if marker in text), "")
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or f"a browser on {system}"
    return "another program" if text else "an unknown browser"


@dataclass(frozen=True)
class ShareOpening:
    share: PlanShare
    reading: PlanReading
    first_name: str  # empty unless the owner chose to show it


def first_name_of(person: Person) -> str:
    parts = (person.display_name or "").split()
    return parts[0] if parts else ""


def find_live_share(*, typed: str, at: datetime | None = None) -> PlanShare | None:
    """The live share a code opens, or None (wrong, unknown, expired,
    revoked: the same None)."""
    code = normalise_code(typed)
    if code is None:
        return None
    share = (
        PlanShare.objects.select_related("plan__owner", "plan__active_revision")
        .filter(code_hash=code_hash(code))
        .first()
    )
    if share is None or not share.is_live(at):
        return None
    return share


def open_share(
    *, typed: str, user_agent: str, channel: str = AccessRecord.Channel.SHARE, now: datetime | None = None
) -> ShareOpening | None:
    """What the share shows now, logged in the owner's access log, and the
    owner told (``plan_share_opened``). Repeated opens of the same revision
    and sections from the same kind of browser within PLAN_SHARE_OPEN_MERGE
    are one record and one event. None when the code opens nothing."""
    now = now or timezone.now()
    found = find_live_share(typed=typed, at=now)
    if found is None:
        return None
    agent = agent_family(user_agent)[:64]
    with transaction.atomic():
        share = PlanShare.objects.select_for_update().filter(pk=found.pk).first()
        if share is None or not share.is_live(now):
            return None
        plan = found.plan
        revision = plan.active_revision
        content = decrypt_revision(revision) if revision is not None else {}
        shown = [name for name in share.sections if name in content]
        sections = {name: content[name] for name in shown}
        reading = PlanReading(plan=plan, revision=revision, sections=sections, decisions={})
        if shown and revision is not None:
            _record_open(
                share=share,
                plan=plan,
                revision_number=revision.number,
                sections=shown,
                agent=agent,
                channel=channel,
                now=now,
            )
    return ShareOpening(
        share=share, reading=reading, first_name=first_name_of(plan.owner) if share.show_name else ""
    )


def _record_open(
    *,
    share: PlanShare,
    plan: Plan,
    revision_number: int,
    sections: list[str],
    agent: str,
    channel: str,
    now: datetime,
) -> None:
    last = (
        AccessRecord.objects.filter(plan=plan, reason=AccessRecord.Reason.SHARE, reason_ref=str(share.pk))
        .order_by("-pk")
        .first()
    )
    if (
        last is not None
        and last.created_at > now - settings.PLAN_SHARE_OPEN_MERGE
        and (last.channel, last.reader_agent, last.revision_number, last.sections)
        == (channel, agent, revision_number, sections)
    ):
        return
    record = AccessRecord.objects.create(
        plan=plan,
        owner_id=plan.owner_id,
        reader=None,
        reader_role="share_viewer",
        reason=AccessRecord.Reason.SHARE,
        reason_ref=str(share.pk),
        channel=channel,
        revision_number=revision_number,
        sections=sections,
        reader_agent=agent,
        created_at=now,
    )
    plan_share_opened.send(
        sender=PlanShare, share_id=share.pk, owner_id=plan.owner_id, opened_at=record.created_at
    )


def share_care_plan(opening: ShareOpening) -> dict[str, Any] | None:
    """The FHIR CarePlan (the export's own shape) of what the share shows
    now; None when it shows nothing."""
    if not opening.reading.sections or opening.reading.revision is None:
        return None
    subject = {"display": opening.first_name or "The person who shared this plan"}
    return care_plan_resource(
        reading=opening.reading,
        subject=subject,
        description="Written and owned by the member, who shared these parts for a limited time.",
    )
