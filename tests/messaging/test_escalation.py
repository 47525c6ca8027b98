"""The escalation policy an alert carries: typed, validated, and stored in the
format running alerts already have."""

from __future__ import annotations

from datetime import timedelta

import pytest

from messaging.models.escalation import EmergencyRoute, EscalationPolicy, InvalidPolicy, Step


def test_a_raised_alert_stores_its_networks_policy_in_the_format_running_alerts_have(crisis, settings):
    alert = crisis.raise_alert()
    assert alert.policy == {
        "steps": crisis.network.escalation_steps,
        "renotify_seconds": settings.ALERT_STAFF_RENOTIFY_SECONDS,
        "parallel_offers": settings.ALERT_PARALLEL_OFFERS,
        "emergency_routes": crisis.network.emergency_routes,
        "first_contact_seconds": crisis.network.first_contact_seconds,
    }
    policy = EscalationPolicy.of(alert)
    assert policy.steps[0] == Step(audience="on_call", wait=timedelta(seconds=120))
    assert policy.final_step == len(crisis.network.escalation_steps)
    assert policy.emergency_routes[0] == EmergencyRoute(label="Emergency services", number="999", how="call")
    assert policy.to_json() == alert.policy


@pytest.mark.parametrize(
    "damage",
    [
        {"steps": "corrupted"},
        {"steps": [{"audience": "everyone", "wait_seconds": 60}]},
        {"steps": [{"audience": "on_call", "wait_seconds": "60"}]},
        {"steps": [{"audience": "on_call", "wait_seconds": True}]},
        {"renotify_seconds": -1},
        {"parallel_offers": 0},
        {"emergency_routes": [{"label": "Samaritans"}]},
    ],
)
def test_a_damaged_policy_is_refused_rather_than_run(crisis, damage):
    alert = crisis.raise_alert()
    with pytest.raises(InvalidPolicy):
        EscalationPolicy.from_json({**alert.policy, **damage})


def test_a_policy_snapshot_cannot_be_changed_in_place(crisis):
    policy = EscalationPolicy.of(crisis.raise_alert())
    with pytest.raises(AttributeError):
        policy.parallel_offers = 99  # type: ignore[misc]
    assert isinstance(policy.steps, tuple)
