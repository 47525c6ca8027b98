"""Plans made through the real actions, and a stand-in alert provider (the
real alert models do not exist yet; this is the one place a stand-in is right)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from crisisplans import actions
from crisisplans.models import Audience, Plan
from crisisplans.selectors import (
    AcceptedAlert,
    register_alert_access_provider,
    unregister_alert_access_provider,
)
from network.models import Person

CANARY = "canary-7f3a9c-plan-content"


def full_sections(*, contacts: list[Person] = (), text: str = "walks by the river") -> dict[str, Any]:
    ids = [p.pk for p in contacts]
    return {
        "when_well": f"I cook for friends and {text}.",
        "triggers": ["anniversaries", "letters from the council"],
        "warning_signs": ["not sleeping", "stopping texting back"],
        "what_helps": {"helps": ["a cup of tea together"], "does_not_help": ["being told to calm down"]},
        "coping_strategies": {"own": ["cold water on my face"], "from_library": []},
        "reasons_for_living": ["my daughter", "my cat Miso"],
        "contacts": {"contact_in_order": ids[:1], "do_not_contact": ids[1:2], "do_not_contact_notes": ""},
        "professional_contacts": [{"kind": "gp", "name": "Dr Okafor", "phone_number": "+442086540000"}],
        "on_call_steps": ["ring me", "come round if I do not answer", "stay until I am calmer"],
        "practical_needs": {"pets": "feed Miso", "medication": "sertraline in the kitchen drawer"},
        "safe_places": ["the library on Katharine Street"],
        "out_of_crisis_signs": ["I text back"],
        "afterwards": {"check_in_after_hours": 24, "check_in_from": ids[:1], "notes": "a text is enough"},
    }


def signed_off_plan(*, owner: Person, sections: dict[str, Any] | None = None) -> Plan:
    plan = actions.do_create_plan(owner=owner, sections=sections or full_sections())
    actions.do_sign_off_revision(owner=owner, revision=plan.revisions.get(number=1))
    plan.refresh_from_db()
    return plan


def share(plan: Plan, audience: str, *sections: str) -> None:
    actions.do_set_consent(owner=plan.owner, plan=plan, audience=audience, sections=list(sections))


CRISIS_PART = ("contacts", "on_call_steps", "practical_needs", "safe_places")
assert set(Audience.values) >= {"alert_peer", "co_authors", "navigator", "care_export"}


class FakeAlerts:
    """Accepted alerts as the alerts app would report them."""

    def __init__(self) -> None:
        self.alerts: list[tuple[int, int, AcceptedAlert]] = []  # (reader id, owner id, alert)

    def accept(
        self, *, reader: Person, owner: Person, network_id: int, alert_id: str, accepted_at: datetime
    ) -> None:
        self.alerts.append((reader.pk, owner.pk, AcceptedAlert(alert_id, network_id, accepted_at, None)))

    def close(self, alert_id: str, closed_at: datetime) -> None:
        self.alerts = [
            (
                r,
                o,
                AcceptedAlert(a.alert_id, a.network_id, a.accepted_at, closed_at)
                if a.alert_id == alert_id
                else a,
            )
            for r, o, a in self.alerts
        ]

    def __call__(self, *, reader: Person, owner: Person, at: datetime) -> list[AcceptedAlert]:
        return [a for r, o, a in self.alerts if r == reader.pk and o == owner.pk]


@contextmanager
def alert_provider() -> Iterator[FakeAlerts]:
    fake = FakeAlerts()
    register_alert_access_provider(fake)
    try:
        yield fake
    finally:
        unregister_alert_access_provider(fake)


# Browsers a clinician opens a plan share with (tests/crisisplans/test_plan_shares.py,
# tests/app/test_plan_share.py), and what an ended share says.
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
SHARE_ENDED = "This link has ended or is not valid"
