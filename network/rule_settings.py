"""The network's rules: every setting the software enforces that its members
may change by a proposal, in one registry.

Each app registers the settings it owns (the network's below; crisisplans'
plan grace period and messaging's message retention from their
AppConfig.ready, since this app may not import them). A setting says what it
is (``describe``: what the app's proposal form is drawn from), how to read
its value now, how to parse a proposed value (``ValueError`` with words: a
validation problem), where the service's safety floor stops it (``check``:
the floor's words, or None; the limits are settings.RULES_SAFETY_FLOOR) and
how a ratified value is applied, through the owning app's own action.

The floor binds every path, not only proposals: ``do_update_network`` (PATCH
networks/<id>/), the plan-policy endpoint and ``do_set_message_retention``
ask ``floor_breach`` for the settings they change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException

from network.models import time_range_of, validate_escalation_steps, validate_time_range

if TYPE_CHECKING:
    from network.models import Network, Person

INTEGER, BOOLEAN, ESCALATION_STEPS, TIME_RANGE = "integer", "boolean", "escalation_steps", "time_range"
KINDS = (INTEGER, BOOLEAN, ESCALATION_STEPS, TIME_RANGE)


class BelowSafetyFloor(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "This change crosses the service's safety floor."
    default_code = "below_safety_floor"


def floor() -> dict[str, Any]:
    return settings.RULES_SAFETY_FLOOR


Limits = Callable[[], tuple[int | None, int | None]]


def _no_limits() -> tuple[int | None, int | None]:
    return None, None


@dataclass(frozen=True)
class RuleSetting:
    name: str
    label: str
    kind: str
    help: str
    read: Callable[[Network], Any]
    # (network, value, actor): the owning app's action; the actor is the facilitator who ratified.
    # None for a field of the Network itself: network.actions.rules applies those together
    # through do_update_network (the action PATCH networks/<id>/ uses), so this module never
    # imports the actions that import it.
    apply: Callable[[Network, Any, Person], None] | None = None
    limits: Limits = _no_limits  # the floor's (min, max), read when asked: tests and deploys change it
    unit: str | None = None
    # Beyond the min/max of an integer: the floor's own rule, in words, or None.
    extra_check: Callable[[Any], str | None] | None = None

    def describe(self) -> dict[str, Any]:
        low, high = self.limits()
        return {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "help": self.help,
            "min": low,
            "max": high,
            "unit": self.unit,
        }

    def parse(self, value: Any) -> Any:
        """The value in its stored form; ValueError (words) if it has the wrong shape."""
        if self.kind == INTEGER:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("Give a whole number.")
            return value
        if self.kind == BOOLEAN:
            if not isinstance(value, bool):
                raise ValueError("Give true or false.")
            return value
        validator = validate_escalation_steps if self.kind == ESCALATION_STEPS else validate_time_range
        try:
            validator(value)
        except DjangoValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None
        if self.kind == ESCALATION_STEPS:
            return [{"audience": step["audience"], "wait_seconds": step["wait_seconds"]} for step in value]
        return value

    def check(self, value: Any) -> str | None:
        """The floor rule this value would cross, in words, or None."""
        if self.kind == INTEGER:
            low, high = self.limits()
            if (low is not None and value < low) or (high is not None and value > high):
                unit = "" if self.unit in (None, "%") else f" {self.unit}"
                percent = "%" if self.unit == "%" else ""
                return f"{self.label} must be between {low}{percent} and {high}{percent}{unit}."
        return self.extra_check(value) if self.extra_check else None


_registry: dict[str, RuleSetting] = {}


def register(setting: RuleSetting) -> None:
    """Called at import by this module and from the upper apps' AppConfig.ready."""
    if setting.kind not in KINDS:
        raise ValueError(f"unknown kind {setting.kind!r}")
    _registry[setting.name] = setting


def registered() -> list[RuleSetting]:
    return list(_registry.values())


def get(name: str) -> RuleSetting | None:
    return _registry.get(name)


def current_settings(network: Network) -> dict[str, Any]:
    return {setting.name: setting.read(network) for setting in registered()}


def parse_changes(changes: Any) -> dict[str, Any]:
    """A proposal's ``changes`` in stored form; ValueError names the setting."""
    if not isinstance(changes, dict):
        raise ValueError("Give the changes as {name: value}.")
    parsed = {}
    for name, value in changes.items():
        setting = get(name)
        if setting is None:
            if name == "emergency_routes":
                parsed[name] = value  # refused by the floor with its own reason
                continue
            known = ", ".join(s.name for s in registered())
            raise ValueError(f"{name}: not a setting a proposal may change (these are: {known}).")
        try:
            parsed[name] = setting.parse(value)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    return parsed


def floor_breach(changes: dict[str, Any], *, proposal: bool = True) -> str | None:
    """The first floor rule the changes would cross, in words, or None. Emergency
    routes are never a proposal's to change; navigators still set them directly."""
    if proposal and floor().get("emergency_routes_locked") and "emergency_routes" in changes:
        return "Emergency routes are always shown: no proposal may change or remove them."
    for name, value in changes.items():
        setting = get(name)
        breach = setting.check(value) if setting is not None else None
        if breach:
            return breach
    return None


def require_within_floor(changes: dict[str, Any], *, proposal: bool = True) -> None:
    breach = floor_breach(changes, proposal=proposal)
    if breach:
        raise BelowSafetyFloor(breach)


# --- the network's own settings -------------------------------------------------------


def _steps_breach(steps: list[dict[str, Any]]) -> str | None:
    rules = floor()
    if len(steps) > rules["max_steps"]:
        return f"An alert may pass through at most {rules['max_steps']} escalation steps."
    if not steps or steps[-1]["audience"] != rules["last_step_audience"]:
        return "There is always a staff step: the last escalation step must reach navigators and staff."
    for index, step in enumerate(steps, start=1):
        if not rules["min_wait_seconds"] <= step["wait_seconds"] <= rules["max_wait_seconds"]:
            return (
                f"Step {index}: every wait must be between {rules['min_wait_seconds']} and "
                f"{rules['max_wait_seconds']} seconds."
            )
    return None


def _quiet_hours_breach(value: Any) -> str | None:
    hours = time_range_of(value)
    if hours is None:
        return None
    start, end = ((t.hour * 60 + t.minute) * 60 for t in hours)
    length = (end - start) % 86400 / 3600
    if length > floor()["max_quiet_hours"]:
        return f"Quiet hours may cover at most {floor()['max_quiet_hours']} hours of the day."
    return None


def _limits(low: str, high: str) -> Limits:
    return lambda: (floor()[low], floor()[high])


def _read(name: str) -> Callable[[Network], Any]:
    return lambda network: getattr(network, name)


def _percent_limits(low: str, high: int) -> Limits:
    return lambda: (floor()[low], high)


for _setting in (
    RuleSetting(
        name="escalation_steps",
        label="Escalation steps",
        kind=ESCALATION_STEPS,
        help=(
            "Who is asked in turn when someone raises an alert, and how long each step waits for "
            "someone to say 'I've got this'. The last step always reaches navigators and staff; "
            "min and max are each wait's limits."
        ),
        read=_read("escalation_steps"),
        limits=_limits("min_wait_seconds", "max_wait_seconds"),
        unit="seconds",
        extra_check=_steps_breach,
    ),
    RuleSetting(
        name="size_cap",
        label="Soft size cap",
        kind=INTEGER,
        help="Going over it warns the navigator; it never refuses a member.",
        read=_read("size_cap"),
        limits=_limits("min_size_cap", "max_size_cap"),
        unit="members",
    ),
    RuleSetting(
        name="first_contact_seconds",
        label="Time to first contact",
        kind=INTEGER,
        help=(
            "After a peer takes an alert they have this long to get in touch; then they are "
            "reminded, and soon after the alert goes back to be offered again."
        ),
        read=_read("first_contact_seconds"),
        limits=_limits("min_first_contact_seconds", "max_first_contact_seconds"),
        unit="seconds",
    ),
    RuleSetting(
        name="direct_messages",
        label="Direct messages between members",
        kind=BOOLEAN,
        help=(
            "Off: members cannot start or send direct messages to each other through this network. "
            "Group, alert and proposal conversations, and the navigators' and facilitators' messages "
            "to members, carry on."
        ),
        read=_read("direct_messages"),
    ),
    RuleSetting(
        name="max_alerts_per_shift",
        label="Most alerts a peer is offered in one shift",
        kind=INTEGER,
        help="A ceiling: each peer may set a lower cap of their own, never a higher one.",
        read=_read("max_alerts_per_shift"),
        limits=_limits("min_alerts_per_shift", "max_alerts_per_shift"),
        unit="alerts",
    ),
    RuleSetting(
        name="default_quiet_hours",
        label="Quiet hours for members who set none",
        kind=TIME_RANGE,
        help=(
            "In these hours (network time) no alert is offered to a member who has not set quiet "
            "hours of their own, even on a rota shift; a member's own quiet hours replace them. "
            "Empty: none."
        ),
        read=_read("default_quiet_hours"),
        extra_check=_quiet_hours_breach,
    ),
    RuleSetting(
        name="vote_quorum_percent",
        label="Quorum",
        kind=INTEGER,
        help="The share of the network's current members who must vote for a proposal to count.",
        read=_read("vote_quorum_percent"),
        limits=_percent_limits("min_quorum_percent", 100),
        unit="%",
    ),
    RuleSetting(
        name="vote_majority_percent",
        label="Majority",
        kind=INTEGER,
        help="A proposal passes with more than this share of yes among the yes and no votes.",
        read=_read("vote_majority_percent"),
        limits=_percent_limits("min_majority_percent", 99),
        unit="%",
    ),
):
    register(_setting)


def quiet_hours_in_effect(
    *, own: tuple[time | None, time | None], network: Network
) -> tuple[time, time] | None:
    """A member's own quiet hours, else the network's default ones (see
    ``default_quiet_hours``), else None."""
    if own[0] is not None and own[1] is not None:
        return own[0], own[1]
    return time_range_of(network.default_quiet_hours)
