"""The network's pulse question, and whether I answered it this month. The
answers are only ever read in aggregate, by messaging/selectors/report.py."""

from __future__ import annotations

from datetime import datetime

from messaging.models import PulseAnswer, PulseQuestion
from messaging.selectors.report import Period, local_today, month_of
from network.models import Network, Person


def active_question(*, network: Network) -> PulseQuestion | None:
    return PulseQuestion.objects.filter(network=network, active=True).first()


def answering_period(*, network: Network, now: datetime | None = None) -> Period:
    """The month an answer given now is for (the network's timezone)."""
    return month_of(local_today(network, now))


def my_answer(*, question: PulseQuestion | None, person: Person, period: Period) -> PulseAnswer | None:
    """The person's own answer this period, without its words."""
    if question is None:
        return None
    return (
        PulseAnswer.objects.filter(question=question, person=person, period=period.start)
        .only("scale", "answered_at")
        .first()
    )
