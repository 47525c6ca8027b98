"""First accept wins under real concurrency (PostgreSQL row locks): several
peers press "I've got this" at the same instant, from separate threads and
connections."""

from __future__ import annotations

import threading

import pytest

from messaging.models import Alert, Event, Offer
from tests.conftest import client_for, run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.postgresql
def test_peers_accepting_at_the_same_instant_one_wins_and_the_rest_are_told(crisis, settings):
    settings.ALERT_PARALLEL_OFFERS = 4
    alert = crisis.raise_alert()
    peers = crisis.peers
    assert alert.offers.filter(state="pending").count() == len(peers)
    clients = [client_for(peer) for peer in peers]
    at_once = threading.Barrier(len(peers))
    answers: dict[int, int] = {}
    problems: dict[int, str] = {}

    def accept(n: int) -> None:
        at_once.wait(10)
        response = clients[n].post(f"/api/v1/alerts/{alert.pk}/accept/")
        answers[n] = response.status_code
        if response.status_code != 200:
            problems[n] = response.json()["type"]

    assert run_concurrently(accept, len(peers)) == []
    winners = [n for n, code in answers.items() if code == 200]
    assert len(winners) == 1, answers
    assert sorted(answers.values()) == [200, 409, 409, 409]
    assert set(problems.values()) == {"about:blank#alert_not_open"}
    winner = peers[winners[0]]
    alert.refresh_from_db()
    assert (alert.state, alert.taken_by) == ("taken", winner)
    assert Offer.objects.filter(alert=alert, state="accepted").count() == 1
    for n, peer in enumerate(peers):
        if n in winners:
            continue
        told = Event.objects.filter(person=peer, type="alert.withdrawn", data__alert_id=str(alert.pk))
        assert list(told.values_list("data__reason", flat=True)) == ["taken"]
    assert Alert.objects.count() == 1
