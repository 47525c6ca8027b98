"""The network's pulse: facilitators set (or turn off) one short monthly
question; members answer it once a month, on a 1 to 5 scale with optional
words (sealed with their own data key)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from foundation.problems import Conflict
from messaging.models import PulseAnswer, PulseQuestion
from messaging.selectors.pulse import active_question, answering_period
from network.models import Network, Person


class PulseAnswered(Conflict):
    default_detail = "You have answered this month's question already."
    default_code = "pulse_answered"


class NoPulseQuestion(Conflict):
    default_detail = "The network asks no question at the moment."
    default_code = "no_pulse_question"


@transaction.atomic
def do_set_pulse_question(
    *, network: Network, actor: Person, text: str, low_label: str, high_label: str
) -> PulseQuestion:
    """Ask this from now on. The same text keeps the question (new labels
    only); a new text is a new question, whose answers are counted apart."""
    current = PulseQuestion.objects.select_for_update().filter(network=network, active=True).first()
    if current is not None and current.text == text:
        current.low_label, current.high_label = low_label, high_label
        current.save(update_fields=["low_label", "high_label"])
        return current
    if current is not None:
        current.active = False
        current.save(update_fields=["active"])
    return PulseQuestion.objects.create(
        network=network, text=text, low_label=low_label, high_label=high_label, set_by=actor
    )


@transaction.atomic
def do_turn_off_pulse_question(*, network: Network, actor: Person) -> None:
    """Stop asking. The answers given stay in the reports of their months."""
    PulseQuestion.objects.filter(network=network, active=True).update(active=False)


def do_answer_pulse(
    *, network: Network, person: Person, scale: int, words: str = "", now: datetime | None = None
) -> PulseAnswer:
    """One answer per person, question and month (409 after)."""
    now = now or timezone.now()
    question = active_question(network=network)
    if question is None:
        raise NoPulseQuestion
    try:
        with transaction.atomic():
            return PulseAnswer.objects.create(
                question=question,
                person=person,
                period=answering_period(network=network, now=now).start,
                scale=scale,
                words=words.strip(),
                answered_at=now,
            )
    except IntegrityError:
        raise PulseAnswered from None
