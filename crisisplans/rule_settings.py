"""The plan setting a network's rules hold (network/rule_settings.py): how long
an on-call peer keeps reading the crisis part of a plan after the alert they
took closes. Registered from CrisisplansConfig.ready; nothing else here."""

from __future__ import annotations

from typing import Any

from network import rule_settings
from network.models import Network, Person

PLAN_GRACE_HOURS = "plan_grace_hours"


def _read(network: Network) -> int:
    from crisisplans.selectors import grace_period_for

    return int(grace_period_for(network_id=network.pk).total_seconds() // 3600)


def _apply(network: Network, value: Any, actor: Person) -> None:
    from crisisplans.actions import do_set_plan_policy

    do_set_plan_policy(person=actor, network=network, alert_grace_hours=value)


def register() -> None:
    rule_settings.register(
        rule_settings.RuleSetting(
            name=PLAN_GRACE_HOURS,
            label="Plan grace period",
            kind=rule_settings.INTEGER,
            help=(
                "How long a peer who took an alert may still read the crisis part of the member's "
                "plan after the alert closes (only the parts the member shares)."
            ),
            read=_read,
            apply=_apply,
            limits=lambda: (
                rule_settings.floor()["min_plan_grace_hours"],
                rule_settings.floor()["max_plan_grace_hours"],
            ),
            unit="hours",
        )
    )
