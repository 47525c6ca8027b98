"""The message setting a network's rules hold (network/rule_settings.py): how
long the network keeps messages. Registered from MessagingConfig.ready;
nothing else here."""

from __future__ import annotations

from typing import Any

from messaging.actions.moderation import MESSAGE_RETENTION_DAYS, do_set_message_retention
from messaging.selectors.moderation import retention_days_of
from network import rule_settings
from network.models import Network, Person


def _read(network: Network) -> int:
    return retention_days_of(network=network)


def _apply(network: Network, value: Any, actor: Person) -> None:
    do_set_message_retention(network=network, days=value)


def register() -> None:
    rule_settings.register(
        rule_settings.RuleSetting(
            name=MESSAGE_RETENTION_DAYS,
            label="Message retention",
            kind=rule_settings.INTEGER,
            help="How long the network's conversations keep their messages; older ones are deleted.",
            read=_read,
            apply=_apply,
            limits=lambda: (
                rule_settings.floor()["min_message_retention_days"],
                rule_settings.floor()["max_message_retention_days"],
            ),
            unit="days",
        )
    )
