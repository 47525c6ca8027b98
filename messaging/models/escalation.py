"""The escalation policy an alert carries: a typed snapshot of its network's
steps, taken when the alert is raised (DESIGN.md invariant 4), so editing a
network's policy never changes a running alert.

``Alert.policy`` stores it as JSON, and this module is the one place that
reads and writes that JSON (``EscalationPolicy.of``, ``to_json``). The stored
format is the one alerts have always had, so running alerts keep theirs::

    {"steps": [{"audience": "on_call", "wait_seconds": 120}, ...],
     "renotify_seconds": 120, "parallel_offers": 3,
     "emergency_routes": [{"label": ..., "number": ..., "how": "call"}, ...],
     "first_contact_seconds": 180}

``first_contact_seconds`` (the network's time for the taker to get in touch,
one of its rules) came later: a snapshot without it uses the service-wide
ALERT_FIRST_CONTACT_SECONDS, the value such alerts always had.

After the policy's own steps comes the staff step (number ``final_step``):
it tells staff and shows the member the emergency routes; every later number
is a re-notification round, ``renotify`` apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings

from network.models import ESCALATION_AUDIENCES

if TYPE_CHECKING:
    from messaging.models.alerts import Alert
    from network.models import Network


class InvalidPolicy(ValueError):
    """A stored policy no step can run from (a damaged row)."""


def _whole_seconds(data: dict[str, Any], key: str) -> timedelta:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidPolicy(f"{key} must be a whole number of seconds, not {value!r}")
    return timedelta(seconds=value)


@dataclass(frozen=True)
class Step:
    """Offer the alert to ``audience`` (recipients' names), then wait ``wait``
    for someone to accept before the next step."""

    audience: str
    wait: timedelta

    def __post_init__(self) -> None:
        if self.audience not in ESCALATION_AUDIENCES:
            raise InvalidPolicy(f"unknown audience {self.audience!r}")

    @classmethod
    def from_json(cls, data: Any) -> Step:
        if not isinstance(data, dict):
            raise InvalidPolicy(f"a step is an object, not {data!r}")
        return cls(audience=data.get("audience"), wait=_whole_seconds(data, "wait_seconds"))

    def to_json(self) -> dict[str, Any]:
        return {"audience": self.audience, "wait_seconds": int(self.wait.total_seconds())}


@dataclass(frozen=True)
class EmergencyRoute:
    label: str
    number: str
    how: str

    @classmethod
    def from_json(cls, data: Any) -> EmergencyRoute:
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) for k in ("label", "number", "how")
        ):
            raise InvalidPolicy(f"an emergency route has a label, number and how, not {data!r}")
        return cls(label=data["label"], number=data["number"], how=data["how"])

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "number": self.number, "how": self.how}


@dataclass(frozen=True)
class EscalationPolicy:
    steps: tuple[Step, ...]
    renotify: timedelta
    parallel_offers: int
    emergency_routes: tuple[EmergencyRoute, ...]
    first_contact: timedelta

    @classmethod
    def snapshot(cls, *, network: Network) -> EscalationPolicy:
        """The policy a new alert in ``network`` carries from now on."""
        return cls.from_json(
            {
                "steps": list(network.escalation_steps),
                "renotify_seconds": settings.ALERT_STAFF_RENOTIFY_SECONDS,
                "parallel_offers": settings.ALERT_PARALLEL_OFFERS,
                "emergency_routes": list(network.emergency_routes),
                "first_contact_seconds": network.first_contact_seconds,
            }
        )

    @classmethod
    def of(cls, alert: Alert) -> EscalationPolicy:
        return cls.from_json(alert.policy)

    @classmethod
    def from_json(cls, data: Any) -> EscalationPolicy:
        if not isinstance(data, dict):
            raise InvalidPolicy(f"a policy is an object, not {data!r}")
        steps, routes = data.get("steps"), data.get("emergency_routes")
        if not isinstance(steps, list) or not isinstance(routes, list):
            raise InvalidPolicy("a policy has a list of steps and a list of emergency routes")
        parallel = data.get("parallel_offers")
        if isinstance(parallel, bool) or not isinstance(parallel, int) or parallel < 1:
            raise InvalidPolicy(f"parallel_offers must be a positive whole number, not {parallel!r}")
        return cls(
            steps=tuple(Step.from_json(step) for step in steps),
            renotify=_whole_seconds(data, "renotify_seconds"),
            parallel_offers=parallel,
            emergency_routes=tuple(EmergencyRoute.from_json(route) for route in routes),
            first_contact=_whole_seconds(data, "first_contact_seconds")
            if "first_contact_seconds" in data
            else timedelta(seconds=settings.ALERT_FIRST_CONTACT_SECONDS),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "steps": [step.to_json() for step in self.steps],
            "renotify_seconds": int(self.renotify.total_seconds()),
            "parallel_offers": self.parallel_offers,
            "emergency_routes": self.routes_json(),
            "first_contact_seconds": int(self.first_contact.total_seconds()),
        }

    def routes_json(self) -> list[dict[str, str]]:
        return [route.to_json() for route in self.emergency_routes]

    @property
    def final_step(self) -> int:
        """The staff step's number: it tells staff and shows the emergency
        routes; later numbers are re-notifications."""
        return len(self.steps)
