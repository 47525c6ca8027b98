"""A member shows chosen parts of their plan to someone without an account,
with a code or a QR code, for a limited time (issue 18): made, opened
(logged, the owner told), expired, revoked, changed while shared; wrong and
guessed codes, the limit on them, the headers, and the FHIR export."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from fhir.resources.careplan import CarePlan

from crisisplans import actions
from crisisplans.actions.shares import ALPHABET, CODE_LENGTH, agent_family, normalise_code
from crisisplans.models import AccessRecord, PlanShare
from foundation.models import IdempotencyRecord
from messaging.models import Event
from network.models import Membership
from tests.crisisplans.factories import (
    ANDROID_CHROME,
    CANARY,
    IPHONE_SAFARI,
    full_sections,
    share,
    signed_off_plan,
)
from tests.crisisplans.factories import SHARE_ENDED as ENDED
from tests.factories import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

SHARE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
STRICT_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def clinician(address: str = "203.0.113.7", agent: str = ANDROID_CHROME) -> Client:
    """A browser with no account, from one address."""
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


@pytest.fixture
def plan(member, peer):
    plan = signed_off_plan(owner=member, sections=full_sections(contacts=[peer], text=CANARY))
    share(plan, "alert_peer", "on_call_steps", "safe_places")
    return plan


def make_share(api, member, plan, **body):
    answer = api(member).post(f"/api/v1/plans/{plan.pk}/shares/", {"hours": 24, **body}, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def events_of(person, kind="plan.share_opened"):
    return list(Event.objects.filter(person=person, type=kind).order_by("seq"))


def share_records(plan):
    return list(AccessRecord.objects.filter(plan=plan, reason=AccessRecord.Reason.SHARE).order_by("pk"))


def assert_share_headers(response, *, referrer="no-referrer"):
    for name, value in {**SHARE_HEADERS, "Referrer-Policy": referrer}.items():
        assert response[name] == value, name
    assert response["Content-Security-Policy"] == STRICT_CSP


# Making a share ---------------------------------------------------------------------


def test_a_new_share_shows_the_parts_peers_read_by_default_with_a_code_link_and_qr(api, member, plan):
    body = make_share(api, member, plan, label="Croydon A&E")

    assert body["sections"] == ["on_call_steps", "safe_places"]
    assert body["state"] == "live"
    assert body["label"] == "Croydon A&E"
    assert body["show_name"] is False
    code = body["code"]
    assert len(code) == 12
    assert code[4] == code[9] == "-"
    assert body["link"] == f"http://testserver/s/{code.replace('-', '')}"
    assert body["qr_svg"].startswith("<svg")
    assert "<script" not in body["qr_svg"]
    assert "style=" not in body["qr_svg"]
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - timezone.now() - timedelta(hours=24)) < timedelta(minutes=1)
    assert body["opens"] == {"count": 0, "last_at": None}
    # The owner sees the code again while it lives.
    again = api(member).get(f"/api/v1/plan-shares/{body['id']}/").json()
    assert again["code"] == code
    assert again["qr_svg"] == body["qr_svg"]


def test_the_code_is_stored_only_hashed_and_sealed_never_in_clear(api, member, plan):
    body = make_share(api, member, plan, label=f"ward {CANARY}")
    code = body["code"].replace("-", "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM crisisplans_planshare")
        row = repr(cursor.fetchall())
    assert code not in row
    assert CANARY not in row
    assert PlanShare.objects.get().code_hash not in (code, code.lower())


def test_a_retried_create_returns_the_same_share_and_the_idempotency_record_holds_no_code(api, member, plan):
    client = api(member)
    url = f"/api/v1/plans/{plan.pk}/shares/"
    first = client.post(url, {"hours": 1}, format="json", HTTP_IDEMPOTENCY_KEY="share-1")
    again = client.post(url, {"hours": 1}, format="json", HTTP_IDEMPOTENCY_KEY="share-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["code"] == first.json()["code"]
    assert PlanShare.objects.count() == 1
    stored = repr(list(IdempotencyRecord.objects.values_list("response_body", flat=True)))
    assert first.json()["code"].replace("-", "") not in stored
    assert first.json()["code"] not in stored


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hours": 2}, "hours"),
        ({"hours": 0}, "hours"),
        ({"hours": 10000}, "hours"),
        ({}, "hours"),
        ({"hours": 24, "sections": []}, "sections"),
        ({"hours": 24, "sections": ["diary"]}, "sections.0"),
        ({"hours": 24, "label": "x" * 81}, "label"),
    ],
)
def test_a_share_of_any_other_length_or_no_parts_is_refused_and_nothing_is_made(
    api, member, plan, body, field
):
    answer = api(member).post(f"/api/v1/plans/{plan.pk}/shares/", body, format="json")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert field in {error["field"] for error in answer.json()["errors"]}
    assert not PlanShare.objects.exists()


def test_with_nothing_shared_with_peers_the_member_must_choose_the_parts(api, member, plan):
    share(plan, "alert_peer")
    answer = api(member).post(f"/api/v1/plans/{plan.pk}/shares/", {"hours": 1}, format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "sections"
    chosen = make_share(api, member, plan, hours=1, sections=["professional_contacts"])
    assert chosen["sections"] == ["professional_contacts"]


def test_a_plan_never_signed_off_cannot_be_shared(api, member):
    plan = actions.do_create_plan(owner=member, sections=full_sections())
    answer = api(member).post(
        f"/api/v1/plans/{plan.pk}/shares/", {"hours": 1, "sections": ["when_well"]}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "not_signed_off"


# Opening it --------------------------------------------------------------------------


def test_the_link_shows_exactly_the_chosen_parts_logs_the_open_and_tells_the_owner(
    api, member, plan, django_capture_on_commit_callbacks
):
    body = make_share(api, member, plan, label="Croydon A&E")
    with django_capture_on_commit_callbacks(execute=True):
        page = clinician().get(f"/s/{body['code'].replace('-', '')}")

    assert page.status_code == 200
    html = page.content.decode()
    assert "ring me" in html
    assert "the library on Katharine Street" in html
    assert CANARY not in html
    assert "Dr Okafor" not in html
    assert "sertraline" not in html
    assert "Version 1 of the plan" in html
    assert "The person who shared it controls this page; it stops working at" in html
    assert "Amara" not in html  # no name unless they chose it
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "<script" not in html
    assert "style=" not in html
    assert_share_headers(page)

    (record,) = share_records(plan)
    assert record.reader_id is None
    assert record.channel == AccessRecord.Channel.SHARE
    assert record.reason_ref == str(body["id"])
    assert record.sections == ["on_call_steps", "safe_places"]
    assert record.revision_number == 1
    assert record.reader_agent == "Chrome on Android"
    assert "203.0.113.7" not in repr(AccessRecord.objects.filter(pk=record.pk).values().get())

    (event,) = events_of(member)
    assert event.data == {"share_id": body["id"], "opened_at": record.created_at.isoformat()}

    log = api(member).get(f"/api/v1/plans/{plan.pk}/access-log/").json()["results"][0]
    assert log["reason"] == "share"
    assert log["share_label"] == "Croydon A&E"
    assert log["reader_agent"] == "Chrome on Android"
    assert log["reader"] == "someone you shared it with"
    opens = api(member).get(f"/api/v1/plan-shares/{body['id']}/").json()["opens"]
    assert opens["count"] == 1
    assert opens["last_at"] is not None


def test_the_code_opens_in_any_case_with_or_without_dashes_and_with_the_name_if_chosen(api, member, plan):
    body = make_share(api, member, plan, show_name=True)
    page = clinician().get(f"/s/{body['code'].lower()}")
    assert page.status_code == 200
    assert "Amara controls this page" in page.content.decode()
    assert "<h1>Amara's crisis and support plan</h1>" in page.content.decode()


def test_opens_within_a_few_minutes_from_the_same_kind_of_browser_are_one_line_and_one_event(
    api, member, plan, django_capture_on_commit_callbacks
):
    body = make_share(api, member, plan)
    code = body["code"]
    with django_capture_on_commit_callbacks(execute=True):
        clinician().get(f"/s/{code}")
        clinician().get(f"/s/{code}")  # a reload
        clinician(agent=IPHONE_SAFARI).get(f"/s/{code}")  # someone else looks
    assert [record.reader_agent for record in share_records(plan)] == [
        "Chrome on Android",
        "Safari on iPhone",
    ]
    assert len(events_of(member)) == 2
    assert api(member).get(f"/api/v1/plans/{plan.pk}/shares/").json()[0]["opens"]["count"] == 2


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        (ANDROID_CHROME, "Chrome on Android"),
        (IPHONE_SAFARI, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        ("curl/8.5.0", "another program"),
        ("", "an unknown browser"),
    ],
)
def test_the_log_names_the_browser_coarsely(agent, family):
    assert agent_family(agent) == family


# Ending it -----------------------------------------------------------------------------


def test_an_expired_share_shows_only_that_it_ended_and_its_code_is_wiped(api, member, plan):
    made = actions.do_create_share(
        owner=member, plan=plan, hours=1, sections=["safe_places"], now=timezone.now() - timedelta(hours=2)
    )
    page = clinician().get(f"/s/{made.code}")
    assert page.status_code == 404
    assert ENDED in page.content.decode()
    assert "Katharine" not in page.content.decode()
    assert_share_headers(page)
    assert not share_records(plan)

    assert actions.do_wipe_expired_share_codes() == 1
    wiped = PlanShare.objects.get()
    assert wiped.code == ""
    assert wiped.code_wiped_at is not None
    shown = api(member).get(f"/api/v1/plan-shares/{wiped.pk}/").json()
    assert shown["state"] == "expired"
    assert shown["code"] is shown["link"] is shown["qr_svg"] is None
    assert actions.do_wipe_expired_share_codes() == 0


def test_the_periodic_task_that_wipes_ended_codes_is_scheduled():
    from django.conf import settings

    from config.celery import app as celery_app

    entry = settings.CELERY_BEAT_SCHEDULE["wipe-expired-plan-share-codes"]
    celery_app.loader.import_default_modules()
    assert entry["task"] in celery_app.tasks


def test_a_revoked_share_stops_at_once_and_answers_like_an_unknown_code(api, member, plan):
    body = make_share(api, member, plan)
    code = body["code"]
    assert clinician().get(f"/s/{code}").status_code == 200

    revoked = api(member).post(f"/api/v1/plan-shares/{body['id']}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["state"] == "revoked"
    assert revoked.json()["code"] is None
    assert PlanShare.objects.get().code == ""

    after = clinician().get(f"/s/{code}")
    unknown = clinician().get("/s/" + "Z" * CODE_LENGTH)
    assert after.status_code == unknown.status_code == 404
    assert after.content == unknown.content
    assert clinician().get(f"/s/{code}/fhir").status_code == 404
    assert len(share_records(plan)) == 1
    # Revoking again changes nothing.
    assert (
        api(member).post(f"/api/v1/plan-shares/{body['id']}/revoke/").json()["revoked_at"]
        == revoked.json()["revoked_at"]
    )


def test_a_part_withdrawn_from_a_live_share_is_gone_from_its_next_open(api, member, plan):
    body = make_share(api, member, plan)
    code = body["code"]
    assert "Katharine Street" in clinician().get(f"/s/{code}").content.decode()

    changed = api(member).patch(
        f"/api/v1/plan-shares/{body['id']}/", {"sections": ["on_call_steps"]}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["sections"] == ["on_call_steps"]
    html = clinician().get(f"/s/{code}").content.decode()
    assert "Katharine Street" not in html
    assert "ring me" in html
    assert share_records(plan)[-1].sections == ["on_call_steps"]

    empty = api(member).patch(f"/api/v1/plan-shares/{body['id']}/", {"sections": []}, format="json")
    assert empty.status_code == 400
    assert PlanShare.objects.get().sections == ["on_call_steps"]


def test_an_ended_share_cannot_be_changed(api, member, plan):
    body = make_share(api, member, plan)
    api(member).post(f"/api/v1/plan-shares/{body['id']}/revoke/")
    answer = api(member).patch(
        f"/api/v1/plan-shares/{body['id']}/", {"sections": ["when_well"]}, format="json"
    )
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("share_ended")
    assert PlanShare.objects.get().sections == ["on_call_steps", "safe_places"]


def test_a_newer_sign_off_shows_at_once_and_a_deleted_account_ends_every_share(api, member, plan, peer):
    body = make_share(api, member, plan)
    code = body["code"]
    sections = {**full_sections(contacts=[peer]), "safe_places": ["my sister's flat"]}
    revision = actions.do_propose_revision(author=member, plan=plan, sections=sections)
    actions.do_sign_off_revision(owner=member, revision=revision)
    html = clinician().get(f"/s/{code}").content.decode()
    assert "my sister&#x27;s flat" in html
    assert "Version 2 of the plan" in html

    assert (
        api(member)
        .post("/api/v1/my-account/delete/", {"confirm": "delete my account"}, format="json")
        .status_code
        == 204
    )
    assert not PlanShare.objects.exists()
    assert clinician().get(f"/s/{code}").status_code == 404


# Wrong codes, guesses and the limit ------------------------------------------------------


@pytest.mark.parametrize("typed", ["", "nope", "ABCD-EFGH-J", "ABCD-EFGH-JKM", "ABCD-EFGH-JU", "%00" * 4])
def test_a_malformed_code_answers_the_ended_page(api, member, plan, typed):
    make_share(api, member, plan)
    page = clinician().post("/s/", {"code": typed})
    assert page.status_code == 404
    assert ENDED in page.content.decode()


def test_guessed_codes_open_nothing_and_change_nothing_but_the_count(api, member, plan):
    body = make_share(api, member, plan)
    real = normalise_code(body["code"])
    guesses = ["".join(ALPHABET[(ALPHABET.index(c) + n) % 32] for c in real) for n in range(1, 6)]
    before = (AccessRecord.objects.count(), Event.objects.count(), list(PlanShare.objects.values()))
    for guess in guesses:
        answer = clinician().get(f"/s/{guess}")
        assert answer.status_code == 404
        assert ENDED in answer.content.decode()
        assert clinician().get(f"/s/{guess}/fhir").status_code == 404
    assert (AccessRecord.objects.count(), Event.objects.count(), list(PlanShare.objects.values())) == before


def test_too_many_wrong_codes_from_one_address_refuse_every_code_from_there_for_the_hour(
    api, member, plan, settings
):
    settings.PLAN_SHARE_WRONG_CODES_PER_HOUR = 3
    body = make_share(api, member, plan)
    code = body["code"]
    guesser = clinician(address="198.51.100.9")
    # Right codes never count.
    for _ in range(4):
        assert guesser.get(f"/s/{code}").status_code == 200
    assert guesser.get("/s/" + "2" * 10).status_code == 404
    assert guesser.post("/s/", {"code": "3" * 10}).status_code == 404  # the typed form counts too
    assert guesser.get(f"/s/{'4' * 10}/fhir").status_code == 404

    limited = guesser.get(f"/s/{code}")
    assert limited.status_code == 429
    assert "Katharine" not in limited.content.decode()
    assert limited["Retry-After"] == "3600"
    assert_share_headers(limited)
    assert guesser.post("/s/", {"code": code}).status_code == 429
    assert guesser.get(f"/s/{code}/fhir").status_code == 429
    # Another address is not held back.
    assert clinician(address="198.51.100.10").get(f"/s/{code}").status_code == 200


def test_the_limit_counts_the_client_behind_the_trusted_proxy(api, member, plan, settings):
    settings.PLAN_SHARE_WRONG_CODES_PER_HOUR = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    body = make_share(api, member, plan)
    proxy = "10.0.0.1"
    first = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.1")
    second = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.2")
    assert first.get("/s/" + "5" * 10).status_code == 404
    assert first.get(f"/s/{body['code']}").status_code == 429
    assert second.get(f"/s/{body['code']}").status_code == 200


# The typed form ----------------------------------------------------------------------------


def test_the_form_takes_a_typed_code_with_its_csrf_token_and_shows_the_plan(api, member, plan):
    body = make_share(api, member, plan)
    browser = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.8", HTTP_USER_AGENT=IPHONE_SAFARI)
    form = browser.get("/s/")
    assert form.status_code == 200
    # The form's own URL holds no code; from a no-referrer page a browser
    # would post with "Origin: null", which the CSRF check refuses.
    assert_share_headers(form, referrer="same-origin")
    html = form.content.decode()
    assert 'name="code"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<script" not in html
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    assert browser.post("/s/", {"code": body["code"]}).status_code == 403  # no token: refused
    typed = f"  {body['code'].lower().replace('-', ' ')} "
    shown = browser.post("/s/", {"code": typed, "csrfmiddlewaretoken": token})
    assert shown.status_code == 200
    assert "Katharine Street" in shown.content.decode()
    assert_share_headers(shown)
    assert share_records(plan)[-1].reader_agent == "Safari on iPhone"

    wrong = browser.post("/s/", {"code": "ABCD-EFGH-JK", "csrfmiddlewaretoken": token})
    assert_share_headers(wrong, referrer="same-origin")
    assert wrong.status_code == 404
    assert ENDED in wrong.content.decode()
    assert 'name="code"' in wrong.content.decode()


# FHIR ------------------------------------------------------------------------------------------


def test_the_fhir_export_through_a_share_holds_exactly_its_parts_and_is_logged(
    api, member, plan, django_capture_on_commit_callbacks
):
    body = make_share(api, member, plan, sections=["professional_contacts", "on_call_steps"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = clinician().get(f"/s/{body['code']}/fhir", HTTP_ACCEPT="application/fhir+json")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/fhir+json"
    assert_share_headers(answer)
    care_plan = answer.json()
    assert care_plan["resourceType"] == "CarePlan"
    notes = " ".join(note["text"] for note in care_plan["note"])
    assert "ring me" in notes
    assert "Dr Okafor" in notes
    assert "Katharine" not in notes
    assert CANARY not in repr(care_plan)
    assert care_plan["subject"] == {"display": "The person who shared this plan"}
    (record,) = share_records(plan)
    assert record.channel == AccessRecord.Channel.EXPORT
    assert record.sections == ["professional_contacts", "on_call_steps"]
    assert len(events_of(member)) == 1

    CarePlan.model_validate(care_plan)


# Who may see the shares ----------------------------------------------------------------------


@pytest.fixture
def cast(member, peer, navigator, staff, outsider, outside_navigator, plan, other_network):
    co_author = peer
    actions.do_invite_co_author(owner=member, plan=plan, person=co_author)
    share(plan, "navigator", "safe_places")
    other_facilitator = PersonFactory(display_name="Odile")
    MembershipFactory(person=other_facilitator, network=other_network, role=Membership.Role.FACILITATOR)
    return {
        "another network's facilitator": other_facilitator,
        "co-author": co_author,
        "navigator": navigator,
        "facilitator": staff,
        "another network's member": outsider,
        "another network's navigator": outside_navigator,
    }


def test_only_the_owner_knows_of_their_shares_everyone_else_gets_404(api, member, plan, cast):
    body = make_share(api, member, plan)
    share_id = body["id"]
    for role, person in cast.items():
        client = api(person)
        answers = {
            "list": client.get(f"/api/v1/plans/{plan.pk}/shares/"),
            "create": client.post(f"/api/v1/plans/{plan.pk}/shares/", {"hours": 1}, format="json"),
            "read": client.get(f"/api/v1/plan-shares/{share_id}/"),
            "change": client.patch(
                f"/api/v1/plan-shares/{share_id}/", {"sections": ["when_well"]}, format="json"
            ),
            "revoke": client.post(f"/api/v1/plan-shares/{share_id}/revoke/"),
        }
        assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(
            answers, 404
        ), role
    anonymous = api(None)
    assert anonymous.get(f"/api/v1/plan-shares/{share_id}/").status_code == 401
    assert anonymous.post(f"/api/v1/plan-shares/{share_id}/revoke/").status_code == 401
    assert PlanShare.objects.count() == 1
    live = PlanShare.objects.get()
    assert live.sections == ["on_call_steps", "safe_places"]
    assert live.revoked_at is None


def test_a_peers_own_share_of_their_own_plan_is_theirs_alone(api, member, peer, plan):
    theirs = signed_off_plan(owner=peer)
    body = make_share(api, peer, theirs, sections=["when_well"])
    assert api(member).get(f"/api/v1/plan-shares/{body['id']}/").status_code == 404
    assert [s["id"] for s in api(peer).get(f"/api/v1/plans/{theirs.pk}/shares/").json()] == [body["id"]]
    assert api(member).get(f"/api/v1/plans/{plan.pk}/shares/").json() == []


def test_my_data_lists_my_shares_but_never_their_codes(api, member, plan):
    body = make_share(api, member, plan, label="Croydon A&E")
    data = api(member).get("/api/v1/my-data/").json()
    (listed,) = data["crisis_plan"]["shares"]
    assert listed["id"] == body["id"]
    assert listed["label"] == "Croydon A&E"
    assert listed["sections"] == ["on_call_steps", "safe_places"]
    assert body["code"].replace("-", "") not in repr(data)
    assert body["code"] not in repr(data)
