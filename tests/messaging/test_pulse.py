"""The network's pulse (issue 16): one monthly question set by its
facilitators, answered once a month by its members, read only in aggregate
in the report; who may do what, per role and from another network; and a
deleted account's words are gone."""

from __future__ import annotations

import io
from csv import reader
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from messaging.actions.pulse import do_answer_pulse, do_set_pulse_question
from messaging.models import PulseAnswer, PulseQuestion
from messaging.selectors.report import month_of
from tests.factories import add_member

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = timezone.now().astimezone(LONDON).date()
LAST_MONTH = month_of(TODAY.replace(day=1) - timedelta(days=1))
QUESTION = {"text": "How has the network been for you this month?", "low_label": "Hard", "high_label": "Good"}


@pytest.fixture(autouse=True)
def _network_of_long_standing(network):
    network.created_at = timezone.now() - timedelta(days=800)
    network.save(update_fields=["created_at"])


def pulse_url(network, tail=""):
    return f"/api/v1/networks/{network.pk}/pulse/{tail}"


def ask(api, person, network, body=QUESTION, key="q1"):
    return api(person).put(pulse_url(network, "question/"), body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def answer(api, person, network, body, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api(person).post(pulse_url(network, "answers/"), body, format="json", **extra)


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == f"about:blank#{code}"


def test_a_facilitator_sets_the_question_and_every_member_sees_it(api, network, member, navigator, staff):
    set_it = ask(api, staff, network)
    assert set_it.status_code == 200
    for person in (member, navigator, staff):
        body = api(person).get(pulse_url(network)).json()
        assert body == {
            "question": QUESTION,
            "period": {"key": month_of(TODAY).key, "label": month_of(TODAY).label},
            "my_answer": None,
        }
    # New labels keep the question; a new text is a new question.
    ask(api, staff, network, {**QUESTION, "high_label": "Very good"}, key="q2")
    assert PulseQuestion.objects.filter(network=network).count() == 1
    ask(api, staff, network, {**QUESTION, "text": "How are things?"}, key="q3")
    assert list(
        PulseQuestion.objects.filter(network=network).values_list("text", "active").order_by("pk")
    ) == [
        (QUESTION["text"], False),
        ("How are things?", True),
    ]


def test_only_facilitators_set_or_turn_off_the_question(
    api, network, member, navigator, outsider, outside_navigator
):
    for person in (member, navigator):
        assert_problem(ask(api, person, network), 403, "permission_denied")
        assert_problem(api(person).delete(pulse_url(network, "question/")), 403, "permission_denied")
    for person in (outsider, outside_navigator):
        assert_problem(ask(api, person, network), 404, "not_found")
        assert_problem(api(person).delete(pulse_url(network, "question/")), 404, "not_found")
        assert_problem(api(person).get(pulse_url(network)), 404, "not_found")
        assert_problem(answer(api, person, network, {"scale": 3}), 404, "not_found")
    assert api(None).get(pulse_url(network)).status_code == 401
    assert not PulseQuestion.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {**QUESTION, "text": ""},
        {**QUESTION, "text": "x" * 201},
        {"text": "How?", "low_label": "Hard"},
        {**QUESTION, "low_label": "y" * 41},
    ],
)
def test_a_bad_question_is_a_400_problem_and_changes_nothing(api, network, staff, body):
    assert_problem(ask(api, staff, network, body), 400, "validation_error")
    assert not PulseQuestion.objects.exists()


def test_turning_the_question_off(api, network, member, staff):
    ask(api, staff, network)
    assert api(staff).delete(pulse_url(network, "question/"), HTTP_IDEMPOTENCY_KEY="off").status_code == 204
    assert api(member).get(pulse_url(network)).json()["question"] is None
    assert_problem(answer(api, member, network, {"scale": 4}), 409, "no_pulse_question")
    assert not PulseAnswer.objects.exists()


def test_a_member_answers_once_a_month(api, network, member, navigator, staff):
    ask(api, staff, network)
    first = answer(api, member, network, {"scale": 4, "words": "Ben called back fast."}, key="a1")
    assert first.status_code == 201
    mine = first.json()["my_answer"]
    assert mine["scale"] == 4
    assert "words" not in mine
    # A phone's retry gets the first answer back; a second answer is a 409.
    retry = answer(api, member, network, {"scale": 4, "words": "Ben called back fast."}, key="a1")
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert_problem(answer(api, member, network, {"scale": 2}), 409, "pulse_answered")
    assert PulseAnswer.objects.get().scale == 4
    assert api(member).get(pulse_url(network)).json()["my_answer"]["scale"] == 4
    # Others do not see it as theirs; navigators answer too, facilitators do not.
    assert api(navigator).get(pulse_url(network)).json()["my_answer"] is None
    assert answer(api, navigator, network, {"scale": 5}).status_code == 201
    assert_problem(answer(api, staff, network, {"scale": 5}), 403, "permission_denied")
    # Next month is a new answer.
    do_answer_pulse(network=network, person=member, scale=1, now=timezone.now() + timedelta(days=32))
    assert PulseAnswer.objects.filter(person=member).count() == 2


@pytest.mark.parametrize(
    "body", [{}, {"scale": 0}, {"scale": 6}, {"scale": "x"}, {"scale": 3, "words": "w" * 1001}]
)
def test_a_bad_answer_is_a_400_problem_and_changes_nothing(api, network, member, staff, body):
    ask(api, staff, network)
    assert_problem(answer(api, member, network, body), 400, "validation_error")
    assert not PulseAnswer.objects.exists()


def test_words_are_sealed_at_rest(api, network, member, staff):
    ask(api, staff, network)
    answer(api, member, network, {"scale": 3, "words": "canary-pulse-7f3a"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT words FROM messaging_pulseanswer")
        (stored,) = cursor.fetchone()
    assert b"canary-pulse-7f3a" not in bytes(stored)
    assert PulseAnswer.objects.get().words == "canary-pulse-7f3a"


def _last_month_answers(network, staff, scales_and_words):
    question = do_set_pulse_question(network=network, actor=staff, **QUESTION)
    at = datetime.combine(LAST_MONTH.start + timedelta(days=2), time(18), tzinfo=LONDON)
    people = []
    for i, (scale, words) in enumerate(scales_and_words):
        person = add_member(network, f"Answerer {i}")
        do_answer_pulse(network=network, person=person, scale=scale, words=words, now=at)
        people.append(person)
    return question, people


def report(api, person, network):
    return api(person).get(f"/api/v1/networks/{network.pk}/report/?period={LAST_MONTH.key}")


def test_the_report_shows_the_pulse_in_aggregate_and_the_words_to_navigators_only(
    api, network, member, navigator, staff
):
    said = [f"It helped, {i}" for i in range(7)]
    # Five 4s shown; the hidden 1, 3 and 5 sum to 9, as 3+3+3 or 2+2+5 would:
    # the average pins no hidden point, so it is given.
    _, people = _last_month_answers(
        network, staff, [(4, w) for w in said[:5]] + [(1, said[5]), (3, said[6]), (5, "")]
    )
    for person in (navigator, staff):
        pulse = report(api, person, network).json()["pulse"]
        assert pulse["question_text"] == QUESTION["text"]
        assert pulse["answered"] == {"value": 8, "suppressed": False, "text": "8"}
        assert pulse["written"]["value"] == 7
        assert [(p["value"], p["count"]["value"]) for p in pulse["scale"]] == [
            (1, None),
            (2, None),
            (3, None),
            (4, 5),
            (5, None),
        ]
        assert pulse["average"] == 3.6  # 29 / 8
        assert sorted(pulse["words"]) == sorted(said)
    body = report(api, member, network)
    assert body.json()["pulse"]["words"] is None
    assert body.json()["pulse"]["average"] == 3.6
    text = body.content.decode()
    for person in people:
        assert person.display_name not in text
        assert f'"person_id": {person.pk}' not in text
    staff_text = report(api, staff, network).content.decode()
    assert "Answerer" not in staff_text  # words are never next to a name
    csv = api(navigator).get(f"/api/v1/networks/{network.pk}/report.csv?period={LAST_MONTH.key}")
    rows = list(reader(io.StringIO(csv.content.decode())))
    words_rows = sorted(value for figure, value in rows if figure == "pulse_words")
    assert words_rows == sorted(f"said: {w}" for w in said)
    assert ["pulse_average", "3.6"] in rows
    member_csv = api(member).get(f"/api/v1/networks/{network.pk}/report.csv?period={LAST_MONTH.key}")
    assert "said:" not in member_csv.content.decode()


def test_fewer_than_5_answers_show_no_number_no_average_and_no_words(api, network, navigator, staff):
    _last_month_answers(network, staff, [(5, "great"), (5, "fine"), (1, "awful")])
    pulse = report(api, navigator, network).json()["pulse"]
    assert pulse["answered"]["suppressed"]
    assert pulse["average"] is None
    assert pulse["words"] is None
    assert all(p["count"]["suppressed"] for p in pulse["scale"])


def test_no_question_ever_asked_means_no_pulse(api, network, navigator):
    assert report(api, navigator, network).json()["pulse"] is None


def test_a_deleted_account_takes_its_words_with_it(api, network, navigator, staff):
    _, people = _last_month_answers(network, staff, [(3, f"mine {i}") for i in range(6)])
    deleted = api(people[0]).post(
        "/api/v1/my-account/delete/", {"confirm": "delete my account"}, format="json"
    )
    assert deleted.status_code == 204
    answer_row = PulseAnswer.objects.get(person__isnull=True)
    assert answer_row.words == ""  # its data key is gone
    pulse = report(api, navigator, network).json()["pulse"]
    assert pulse["answered"]["value"] == 6  # the scale stays, tied to nobody
    assert sorted(pulse["words"]) == [f"mine {i}" for i in range(1, 6)]
