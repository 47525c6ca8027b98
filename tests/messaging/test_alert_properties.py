"""Property-based (hypothesis stateful) test of an alert's life: whatever
members, peers, staff and the clock do, no alert is both closed and
escalating, steps run once each and in order, every alert ends taken,
cancelled, resolved, or with staff told (or honestly not) and still being
paged, and nobody the member excluded (their plan's do-not-contact list, or a
block) is ever offered, handed or shown it."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from rest_framework.exceptions import APIException, NotFound

from crisisplans import actions as plan_actions
from crisisplans.models import AccessRecord, Plan
from crisisplans.selectors import decide_sections
from messaging import tasks
from messaging.actions import alerts
from messaging.actions.moderation import do_block_person
from messaging.models import Alert, EscalationStepRun, Event, Offer
from messaging.selectors import alerts as selectors
from tests.crisisplans.factories import full_sections
from tests.messaging.conftest import make_crisis

pytestmark = pytest.mark.django_db


class AlertLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.crisis = make_crisis()
        self.now = self.crisis.now
        self.alert_id = None
        self.everyone = [*self.crisis.peers, self.crisis.navigator, self.crisis.staff]
        _, cleo, dan, eve = self.crisis.peers
        # Dan must not be contacted (the plan), Eve is blocked: neither may
        # ever be offered, handed or shown the alert.
        member = self.crisis.member
        plan = Plan.objects.get(owner=member)
        revision = plan_actions.do_propose_revision(
            author=member, plan=plan, sections=full_sections(contacts=[cleo, dan])
        )
        plan_actions.do_sign_off_revision(owner=member, revision=revision)
        do_block_person(person=member, blocked=eve)
        self.excluded = [dan, eve]

    def alert(self) -> Alert:
        return Alert.objects.get(pk=self.alert_id)

    @precondition(lambda self: self.alert_id is None)
    @rule()
    def raise_alert(self) -> None:
        self.alert_id = self.crisis.raise_alert("prop", now=self.now).pk

    @precondition(lambda self: self.alert_id is not None)
    @rule(seconds=st.integers(min_value=1, max_value=400))
    def time_passes(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)
        tasks.sweep(now=self.now)

    @precondition(lambda self: self.alert_id is not None)
    @rule(who=st.integers(min_value=0, max_value=5))
    def accept(self, who: int) -> None:
        # Refusals (not offered it, already taken) are part of the life.
        with contextlib.suppress(APIException):
            alerts.do_accept_alert(alert_id=self.alert_id, person=self.everyone[who], now=self.now)

    @precondition(lambda self: self.alert_id is not None)
    @rule(who=st.integers(min_value=0, max_value=5))
    def decline(self, who: int) -> None:
        with contextlib.suppress(APIException):
            alerts.do_decline_alert(alert_id=self.alert_id, person=self.everyone[who], now=self.now)

    @precondition(lambda self: self.alert_id is not None)
    @rule(who=st.integers(min_value=0, max_value=5))
    def hand_over(self, who: int) -> None:
        alert = self.alert()
        if alert.state == Alert.State.TAKEN:
            with contextlib.suppress(APIException):
                alerts.do_hand_over_alert(
                    alert_id=self.alert_id, person=alert.taken_by, to=self.everyone[who], now=self.now
                )

    @precondition(lambda self: self.alert_id is not None)
    @rule()
    def make_contact(self) -> None:
        alert = self.alert()
        if alert.state == Alert.State.TAKEN:
            alerts.do_confirm_contact(alert_id=self.alert_id, person=alert.taken_by, now=self.now)

    @precondition(lambda self: self.alert_id is not None)
    @rule()
    def member_cancels(self) -> None:
        alerts.do_cancel_alert(alert_id=self.alert_id, person=self.crisis.member, now=self.now)

    @precondition(lambda self: self.alert_id is not None)
    @rule()
    def holder_resolves(self) -> None:
        alert = self.alert()
        if alert.state == Alert.State.TAKEN:
            alerts.do_resolve_alert(alert_id=self.alert_id, person=alert.taken_by, now=self.now)

    @invariant()
    def closed_alerts_never_escalate(self) -> None:
        if self.alert_id is None:
            return
        alert = self.alert()
        if alert.state == Alert.State.OPEN:
            assert alert.next_step_due_at is not None, "an open alert must always have a next step"
        else:
            assert alert.next_step_due_at is None
        if alert.is_closed:
            assert not alert.offers.filter(state="pending").exists()
            assert alert.closed_at is not None

    @invariant()
    def nobody_excluded_is_offered_handed_or_shown_it(self) -> None:
        if self.alert_id is None:
            return
        alert = self.alert()
        plan = Plan.objects.get(owner=self.crisis.member)
        for person in self.excluded:
            assert not Offer.objects.filter(alert=alert, person=person).exists()
            assert not Event.objects.filter(person=person, data__alert_id=str(alert.pk)).exists()
            with pytest.raises(NotFound):
                selectors.access_alert_by_id(person=person, alert_id=alert.pk)
            reasons = {d.reason for d in decide_sections(person=person, plan=plan, at=self.now).values()}
            assert AccessRecord.Reason.ALERT not in reasons

    @invariant()
    def steps_run_once_each_in_order(self) -> None:
        if self.alert_id is None:
            return
        alert = self.alert()
        steps = list(
            EscalationStepRun.objects.filter(alert=alert).order_by("step").values_list("step", flat=True)
        )
        assert steps == list(range(alert.step + 1))

    @invariant()
    def past_the_last_step_staff_have_been_told(self) -> None:
        if self.alert_id is None:
            return
        alert = self.alert()
        if alert.step >= len(alert.policy["steps"]):
            # Fiona and Nadia may be asked: "staff told" is true, never a guess.
            assert alert.staff_notified_at is not None
            assert alert.offers.filter(kind="staff").exists()
            assert alert.emergency_routes_shown_at is not None

    def teardown(self) -> None:
        if self.alert_id is None:
            return
        # Leave it alone for an hour: it must end taken, cancelled, resolved,
        # or with staff told and still being paged, never silent.
        for _ in range(30):
            self.now += timedelta(seconds=120)
            tasks.sweep(now=self.now)
        alert = self.alert()
        if alert.state == Alert.State.OPEN:
            assert alert.staff_notified_at is not None
            assert alert.next_step_due_at is not None
            assert alert.next_step_due_at > self.now - timedelta(seconds=1)
        else:
            assert alert.state in (Alert.State.TAKEN, Alert.State.CANCELLED, Alert.State.RESOLVED)


def test_an_alerts_life_keeps_its_invariants():
    run_state_machine_as_test(
        AlertLife,
        settings=settings(
            max_examples=15,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


def _replay(steps: list[tuple[str, dict]]) -> None:
    """Run one case of AlertLife as hypothesis would: each rule, then every
    invariant, then the teardown (an hour left alone)."""
    life = AlertLife()
    invariants = [
        life.closed_alerts_never_escalate,
        life.nobody_excluded_is_offered_handed_or_shown_it,
        life.steps_run_once_each_in_order,
        life.past_the_last_step_staff_have_been_told,
    ]
    for check in invariants:
        check()
    for name, kwargs in steps:
        getattr(life, name)(**kwargs)
        for check in invariants:
            check()
    life.teardown()
    for check in invariants:
        check()


def test_a_hand_over_declined_while_taken_then_asked_again_still_ends_with_staff_told():
    """A case hypothesis found (0 Bea, 1 Cleo, 4 Nadia, 5 Fiona): Fiona the
    facilitator, handed the alert and declining while Bea held it, is handed
    it again; when it comes back to escalation past the staff step, staff
    must be told, never silent."""
    _replay(
        [
            ("raise_alert", {}),
            ("accept", {"who": 0}),
            ("accept", {"who": 0}),
            ("time_passes", {"seconds": 208}),
            ("hand_over", {"who": 4}),
            ("accept", {"who": 4}),
            ("accept", {"who": 0}),
            ("hand_over", {"who": 5}),
            ("decline", {"who": 1}),
            ("decline", {"who": 5}),
            ("hand_over", {"who": 5}),
            ("time_passes", {"seconds": 7}),
        ]
    )
