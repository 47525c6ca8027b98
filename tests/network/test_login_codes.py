from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from foundation.transports import sms
from network.models import LoginCode, Person
from network.throttles import LoginCodeAddressThrottle, LoginCodeNumberThrottle

pytestmark = pytest.mark.django_db

NUMBER = "+447700800101"
CODE_URL = "/api/v1/auth/code/"
SIGN_IN_URL = "/api/v1/auth/sign-in/"


def request_code(api, number: str = NUMBER, **extra):
    return api(None).post(CODE_URL, {"phone_number": number}, format="json", **extra)


def last_code() -> str:
    match = re.search(r"\b(\d{6})\b", sms.outbox[-1].body)
    assert match, sms.outbox[-1].body
    return match.group(1)


def sign_in(api, code: str, number: str = NUMBER, **fields):
    return api(None).post(SIGN_IN_URL, {"phone_number": number, "code": code, **fields}, format="json")


def assert_invalid_code(response) -> None:
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "code", "code": "invalid_code", "detail": "That code is not valid. Ask for a new one."}
    ]


def test_it_texts_a_six_digit_code(api):
    response = request_code(api)
    assert response.status_code == 202
    assert response.json()["expires_in"] == 600
    assert len(sms.outbox) == 1
    assert sms.outbox[0].to == NUMBER
    assert re.fullmatch(r"\d{6}", last_code())


def test_only_a_hash_of_the_code_is_stored(api):
    request_code(api)
    stored = LoginCode.objects.get()
    assert last_code() not in stored.code_hash


def test_the_code_signs_up_a_new_person_and_returns_a_working_token(api):
    request_code(api)
    response = sign_in(api, last_code(), display_name="Amara", device_name="Pixel")
    assert response.status_code == 201
    body = response.json()
    assert body["created"] is True
    assert body["person"]["display_name"] == "Amara"
    me = api(None)
    me.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.get("/api/v1/me/").json()["phone_number"] == NUMBER


def test_an_existing_person_signs_in_without_a_new_account(api):
    Person.objects.create_user(NUMBER, "Amara")
    request_code(api)
    response = sign_in(api, last_code(), display_name="Someone else")
    assert response.status_code == 201
    assert response.json()["created"] is False
    assert Person.objects.get().display_name == "Amara"


def test_a_code_works_once(api):
    request_code(api)
    code = last_code()
    assert sign_in(api, code).status_code == 201
    second = sign_in(api, code)
    assert_invalid_code(second)


def test_an_expired_code_is_refused(api):
    request_code(api)
    LoginCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_invalid_code(sign_in(api, last_code()))


def test_a_code_lives_ten_minutes_at_most(api):
    request_code(api)
    stored = LoginCode.objects.get()
    assert stored.expires_at - stored.created_at <= timedelta(minutes=10)


def test_four_wrong_guesses_still_leave_the_code_usable(api):
    request_code(api)
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        sign_in(api, wrong)
    assert sign_in(api, code).status_code == 201


def test_a_new_code_replaces_the_old_one(api):
    request_code(api)
    old = last_code()
    request_code(api)
    new = last_code()
    if old != new:
        assert_invalid_code(sign_in(api, old))
    assert sign_in(api, new).status_code == 201


def test_unknown_and_known_numbers_get_the_same_answer_and_the_same_work(api):
    known, unknown = "+447700800102", "+447700800103"
    Person.objects.create_user(known, "Known")
    client = api(None)
    with CaptureQueriesContext(connection) as known_queries:
        known_response = client.post(CODE_URL, {"phone_number": known}, format="json")
    with CaptureQueriesContext(connection) as unknown_queries:
        unknown_response = client.post(CODE_URL, {"phone_number": unknown}, format="json")
    assert known_response.status_code == unknown_response.status_code == 202
    assert known_response.json() == unknown_response.json()
    assert [q["sql"].split()[0] for q in known_queries.captured_queries] == [
        q["sql"].split()[0] for q in unknown_queries.captured_queries
    ]
    assert len(sms.outbox) == 2


def test_a_malformed_number_is_a_validation_problem(api):
    response = request_code(api, "not a number")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "phone_number"
    assert not sms.outbox


def test_sending_is_rate_limited_per_number(api, monkeypatch):
    monkeypatch.setattr(LoginCodeNumberThrottle, "THROTTLE_RATES", {"login_code_number": "3/hour"})
    for _ in range(3):
        assert request_code(api).status_code == 202
    # The same number in another format shares the budget.
    refused = request_code(api, "07700 800101")
    assert refused.status_code == 429
    assert refused.json()["status"] == 429
    assert int(refused["Retry-After"]) > 0
    assert len(sms.outbox) == 3
    assert request_code(api, "+447700800104").status_code == 202


def test_sending_is_rate_limited_per_client_address(api, monkeypatch):
    monkeypatch.setattr(LoginCodeAddressThrottle, "THROTTLE_RATES", {"login_code_address": "4/hour"})
    for n in range(4):
        assert request_code(api, f"+44770080020{n}").status_code == 202
    assert request_code(api, "+447700800299").status_code == 429
    # Another address still gets through.
    assert request_code(api, "+447700800298", REMOTE_ADDR="10.0.0.9").status_code == 202
    assert len(sms.outbox) == 5


# Issue 12, item 6: the per-number limit keyed on the raw JSON value, so a
# number sent as a JSON integer (or any spelling the throttle did not parse)
# got codes without limit: 12 of 12 sent against 5 an hour.
SPELLINGS = {
    "json integer": 447700800101,
    "spaces": "+44 7700 800101",
    "dashes": "+44-7700-800-101",
    "national form": "07700 800101",
    "00 prefix": "00447700800101",
}


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_spelling_of_a_number_shares_the_per_number_limit(api, spelling):
    answers = [request_code(api, spelling).status_code for _ in range(12)]
    assert answers == [202] * 5 + [429] * 7
    # The canonical spelling is in the same budget.
    assert request_code(api, NUMBER).status_code == 429
    assert len(sms.outbox) == 5
    assert {message.to for message in sms.outbox} == {NUMBER}


def test_spellings_mixed_together_share_one_budget(api):
    for spelling in SPELLINGS.values():
        assert request_code(api, spelling).status_code == 202
    assert request_code(api, NUMBER).status_code == 429
    assert len(sms.outbox) == 5


def wrong_guess(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def assert_locked(response) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank#sign_in_locked"
    assert "locked" in body["detail"]
    wait = int(response["Retry-After"])
    assert 0 < wait <= 600
    assert body["retry_after"] == wait


def test_a_number_locked_by_wrong_guesses_is_told_so_and_when_to_try_again(api):
    request_code(api)
    code = last_code()
    for _ in range(4):
        assert_invalid_code(sign_in(api, wrong_guess(code)))
    # The last allowed guess locks the number, and says so.
    assert_locked(sign_in(api, wrong_guess(code)))
    # Even the right code is refused while locked, with the same clear answer.
    assert_locked(sign_in(api, code))
    assert not Person.objects.exists()


def test_a_locked_number_gets_no_new_code_until_the_lock_ends(api):
    request_code(api)
    code = last_code()
    for _ in range(5):
        sign_in(api, wrong_guess(code))
    assert_locked(request_code(api))
    assert len(sms.outbox) == 1
    LoginCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert request_code(api).status_code == 202
    assert sign_in(api, last_code()).status_code == 201


def test_the_lock_covers_every_spelling_of_the_number(api):
    request_code(api)
    code = last_code()
    for _ in range(5):
        sign_in(api, wrong_guess(code))
    assert_locked(sign_in(api, code, number="07700 800101"))
    assert_locked(request_code(api, 447700800101))
