"""The one answer to "may person P read section S of plan X now, and why".

``may_read_section`` is that function; ``decide_sections`` answers it for
every section at once with the same rule (the facts are loaded once). Every
view, export and selector reads plan content through them, and the alerts
app asks them too. A pure rule: it reads and never writes (logging a read
is ``crisisplans.actions.reading``'s).

The rule, in order (the first that allows wins, so the logged reason is the
least privileged one that applies):

1. the owner reads everything;
2. a current co-author who still shares a network with the owner reads the
   sections consented to ``co_authors``;
3. a navigator of a network the owner belongs to reads the sections
   consented to ``navigator``;
4. a peer who accepted an alert from the owner reads the sections consented
   to ``alert_peer`` while that alert is open and for the network's grace
   period after it closes;
5. a facilitator of a network the owner belongs to reads everything while a
   break-glass they opened (with a reason; the owner is told) lasts.

The FHIR export is a separate purpose: only the owner or a facilitator over
them may make it, and only the sections consented to ``care_export``.
Consent is read at the moment of asking, so withdrawing it takes effect on
the next read.

Alerts live in messaging, which crisisplans must not import. The alerts app
registers a provider with ``register_alert_access_provider``; it is called as
``provider(reader=..., owner=..., at=...)`` and returns the reader's accepted
alerts from that owner as ``AcceptedAlert`` values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from crisisplans.models import AccessRecord, Audience, BreakGlass, CoAuthor, Plan, PlanPolicy, SectionConsent
from crisisplans.sections import SECTION_NAMES
from network.models import Membership, Person
from network.selectors import current_memberships


class Purpose(models.TextChoices):
    VIEW = "view", "Read the plan"
    FHIR_EXPORT = "fhir_export", "Export for a care coordinator"


@dataclass(frozen=True)
class AcceptedAlert:
    """An alert from the owner that the reader accepted, as the alerts app reports it."""

    alert_id: str
    network_id: int
    accepted_at: datetime
    closed_at: datetime | None


AlertAccessProvider = Callable[..., Iterable[AcceptedAlert]]
_alert_access_providers: list[AlertAccessProvider] = []


def register_alert_access_provider(provider: AlertAccessProvider) -> None:
    """Register ``provider(*, reader: Person, owner: Person, at: datetime)``.
    Registering the same function twice keeps one copy."""
    if provider not in _alert_access_providers:
        _alert_access_providers.append(provider)


def unregister_alert_access_provider(provider: AlertAccessProvider) -> None:
    if provider in _alert_access_providers:
        _alert_access_providers.remove(provider)


@dataclass(frozen=True)
class ReadDecision:
    allowed: bool
    reason: str = ""  # an AccessRecord.Reason value when allowed
    reader_role: str = ""
    reason_ref: str = ""  # the alert id or break-glass id

    @property
    def why(self) -> str:
        if not self.allowed:
            return "no consent or role allows it"
        return f"{self.reason} {self.reason_ref}".strip()


DENIED = ReadDecision(allowed=False)


@dataclass
class Standing:
    """What is true of one reader and one plan at one moment."""

    is_owner: bool = False
    is_co_author: bool = False
    is_navigator: bool = False
    is_facilitator: bool = False
    network_role: str = ""
    open_alert: AcceptedAlert | None = None
    break_glass: BreakGlass | None = None
    consents: dict[str, set[str]] = field(default_factory=dict)


def grace_period_for(*, network_id: int) -> timedelta:
    hours = (
        PlanPolicy.objects.filter(network_id=network_id).values_list("alert_grace_hours", flat=True).first()
    )
    return settings.PLAN_ALERT_GRACE_DEFAULT if hours is None else timedelta(hours=hours)


def _open_alert(*, reader: Person, owner: Person, at: datetime) -> AcceptedAlert | None:
    for provider in _alert_access_providers:
        for alert in provider(reader=reader, owner=owner, at=at):
            if alert.accepted_at > at:
                continue
            if alert.closed_at is None or at < alert.closed_at + grace_period_for(
                network_id=alert.network_id
            ):
                return alert
    return None


def _facts(*, person: Person | None, plan: Plan, at: datetime) -> Standing:
    facts = Standing()
    if person is None or not person.is_authenticated or not person.is_active:
        return facts
    if person.pk == plan.owner_id:
        facts.is_owner = True
        return facts
    owner_network_ids = set(current_memberships(person=plan.owner).values_list("network_id", flat=True))
    roles = set(
        current_memberships(person=person)
        .filter(network_id__in=owner_network_ids)
        .values_list("role", flat=True)
    )
    facts.is_navigator = Membership.Role.NAVIGATOR in roles
    facts.is_facilitator = Membership.Role.FACILITATOR in roles
    for role in (Membership.Role.FACILITATOR, Membership.Role.NAVIGATOR, Membership.Role.MEMBER):
        if role in roles:
            facts.network_role = role
            break
    # Co-writing rests on a shared network: with the last one gone it ends
    # here at once, whether or not the co-authorship row was closed yet.
    facts.is_co_author = (
        bool(roles) and CoAuthor.objects.filter(plan=plan, person=person, removed_at__isnull=True).exists()
    )
    facts.open_alert = _open_alert(reader=person, owner=plan.owner, at=at)
    if facts.is_facilitator:
        facts.break_glass = (
            BreakGlass.objects.filter(plan=plan, reader=person, created_at__lte=at, expires_at__gt=at)
            .order_by("-created_at")
            .first()
        )
    for audience, section in SectionConsent.objects.filter(plan=plan, withdrawn_at__isnull=True).values_list(
        "audience", "section"
    ):
        facts.consents.setdefault(audience, set()).add(section)
    return facts


def _decide(facts: Standing, section: str, purpose: str) -> ReadDecision:
    if section not in SECTION_NAMES:
        return DENIED
    Reason = AccessRecord.Reason
    if purpose == Purpose.FHIR_EXPORT:
        if (facts.is_owner or facts.is_facilitator) and section in facts.consents.get(
            Audience.CARE_EXPORT, ()
        ):
            role = "owner" if facts.is_owner else facts.network_role
            return ReadDecision(True, Reason.CARE_EXPORT, role)
        return DENIED
    if facts.is_owner:
        return ReadDecision(True, Reason.OWNER, "owner")
    if facts.is_co_author and section in facts.consents.get(Audience.CO_AUTHORS, ()):
        return ReadDecision(True, Reason.CO_AUTHOR, "co_author")
    if facts.is_navigator and section in facts.consents.get(Audience.NAVIGATOR, ()):
        return ReadDecision(True, Reason.NAVIGATOR, Membership.Role.NAVIGATOR)
    if facts.open_alert is not None and section in facts.consents.get(Audience.ALERT_PEER, ()):
        return ReadDecision(True, Reason.ALERT, "on_call_peer", facts.open_alert.alert_id)
    if facts.break_glass is not None:
        return ReadDecision(True, Reason.BREAK_GLASS, Membership.Role.FACILITATOR, str(facts.break_glass.pk))
    return DENIED


def may_read_section(
    *,
    person: Person | None,
    plan: Plan,
    section: str,
    at: datetime | None = None,
    purpose: str = Purpose.VIEW,
) -> ReadDecision:
    """May ``person`` read ``section`` of ``plan`` at ``at`` (default now), and why."""
    facts = _facts(person=person, plan=plan, at=at or timezone.now())
    return _decide(facts, section, purpose)


def decide_sections(
    *, person: Person | None, plan: Plan, at: datetime | None = None, purpose: str = Purpose.VIEW
) -> dict[str, ReadDecision]:
    """``may_read_section`` for every section, loading the facts once."""
    facts = _facts(person=person, plan=plan, at=at or timezone.now())
    return {section: _decide(facts, section, purpose) for section in SECTION_NAMES}


def relationship(*, person: Person | None, plan: Plan) -> Standing:
    """The reader's standing towards the plan, for selectors deciding what
    else (metadata, actions) they may see."""
    return _facts(person=person, plan=plan, at=timezone.now())
