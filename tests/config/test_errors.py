"""Every error is RFC 9457 problem details, never an HTML page."""

from __future__ import annotations

import pytest
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler404, handler500  # noqa: F401  (this module is a urlconf)
from config.urls import urlpatterns as real_urlpatterns
from network.throttles import LoginCodeAddressThrottle

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def boom(request):
    raise RuntimeError("an unexpected failure")


class BoomApi(APIView):
    def get(self, request):
        raise RuntimeError("an unexpected failure inside DRF")


class OkApi(APIView):
    def get(self, request) -> Response:
        return Response({"ok": True})


urlpatterns = [
    path("boom/", boom),
    path("api/v1/boom/", BoomApi.as_view()),
    *real_urlpatterns,
]


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    return body


def test_validation_errors_list_each_field(api, member):
    response = api(member).patch("/api/v1/me/", {"display_name": "x" * 81}, format="json")
    body = assert_problem(response, 400)
    assert body["type"] == "about:blank#validation_error"
    assert body["errors"] == [
        {"field": "display_name", "code": "max_length", "detail": body["errors"][0]["detail"]}
    ]


def test_malformed_json_is_a_problem(api, member):
    response = api(member).generic("PATCH", "/api/v1/me/", "{not json", content_type="application/json")
    body = assert_problem(response, 400)
    assert body["type"] == "about:blank#parse_error"


def test_an_unknown_api_url_is_a_json_404(api, member):
    body = assert_problem(api(member).get("/api/v1/no-such-thing/"), 404)
    assert body["type"] == "about:blank#not_found"


def test_a_missing_object_is_a_json_404(api, member):
    body = assert_problem(api(member).delete("/api/v1/me/devices/00000000000000000000/"), 404)
    assert body["type"] == "about:blank#not_found"


def test_a_wrong_method_is_a_json_405(api, member):
    body = assert_problem(api(member).get("/api/v1/auth/code/"), 405)
    assert body["type"] == "about:blank#method_not_allowed"


def test_throttling_is_a_json_429(api, monkeypatch):
    monkeypatch.setattr(LoginCodeAddressThrottle, "THROTTLE_RATES", {"login_code_address": "1/hour"})
    client = api(None)
    client.post("/api/v1/auth/code/", {"phone_number": "+447700800111"}, format="json")
    response = client.post("/api/v1/auth/code/", {"phone_number": "+447700800112"}, format="json")
    body = assert_problem(response, 429)
    assert body["type"] == "about:blank#throttled"
    assert body["retry_after"] > 0


@pytest.mark.urls("tests.config.test_errors")
def test_an_unexpected_error_is_a_json_500(client):
    client.raise_request_exception = False
    body = assert_problem(client.get("/boom/"), 500)
    assert "unexpected" not in body["detail"]


@pytest.mark.urls("tests.config.test_errors")
def test_an_unexpected_error_in_an_api_view_is_a_json_500(api, member):
    client = api(member)
    client.raise_request_exception = False
    body = assert_problem(client.get("/api/v1/boom/"), 500)
    assert "inside DRF" not in body["detail"]


def test_an_exhausted_database_pool_answers_503_with_retry_after_not_500():
    """Overload is not a bug: when no pooled connection comes free in time the
    client is told to retry (its Idempotency-Key makes the retry safe)."""
    from foundation.problems import exception_handler
    from tests.conftest import pool_timeout

    response = exception_handler(pool_timeout(), {})
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    body = response.data
    assert (body["status"], body["type"], body["retry_after"]) == (503, "about:blank#busy", 2)


def _bad_json(client, ctx):
    return client.generic("PATCH", "/api/v1/me/", "{not json", content_type="application/json")


# One real request per kind of DRF exception: (who asks, request, status, type, words the detail names).
EXCEPTION_KINDS = {
    "validation_error": (
        "member",
        lambda c, x: c.patch("/api/v1/me/", {"display_name": "x" * 81}, format="json"),
        400,
        (),
    ),
    "parse_error": ("member", _bad_json, 400, ()),
    "not_authenticated": (None, lambda c, x: c.get("/api/v1/me/"), 401, ()),
    "authentication_failed": (
        None,
        lambda c, x: c.get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-real-token"),
        401,
        (),
    ),
    "permission_denied": (
        "member",
        lambda c, x: c.get(f"/api/v1/networks/{x['network'].pk}/rota-report/"),
        403,
        (),
    ),
    "not_found": ("member", lambda c, x: c.delete("/api/v1/me/devices/00000000000000000000/"), 404, ()),
    "method_not_allowed": (
        "member",
        lambda c, x: c.put("/api/v1/auth/code/", {}, format="json"),
        405,
        ("PUT",),
    ),
    "not_acceptable": ("member", lambda c, x: c.get("/api/v1/me/", HTTP_ACCEPT="text/csv"), 406, ()),
    "unsupported_media_type": (
        "member",
        lambda c, x: c.generic("PATCH", "/api/v1/me/", "display_name=Amara", content_type="text/plain"),
        415,
        ("text/plain",),
    ),
}


@pytest.mark.parametrize("kind", sorted(EXCEPTION_KINDS))
def test_every_problem_title_and_detail_is_filled_in(kind, api, member, network):
    """Issue 12 item 16: titles said 'Method "{method}" not allowed.' and
    'Unsupported media type "{media_type}" in request.'"""
    who, send, status, named = EXCEPTION_KINDS[kind]
    client = api(member if who == "member" else None)
    body = assert_problem(send(client, {"network": network}), status)
    assert body["type"] == f"about:blank#{kind}"
    for field in ("title", "detail"):
        assert body[field].strip(), field
        assert not {"{", "}"} & set(body[field]), body
    for word in named:
        assert word in body["detail"], body


def test_a_throttled_problem_says_when_to_retry_in_words(api, monkeypatch):
    monkeypatch.setattr(LoginCodeAddressThrottle, "THROTTLE_RATES", {"login_code_address": "1/hour"})
    client = api(None)
    client.post("/api/v1/auth/code/", {"phone_number": "+447700800111"}, format="json")
    body = assert_problem(
        client.post("/api/v1/auth/code/", {"phone_number": "+447700800112"}, format="json"), 429
    )
    assert "{" not in body["title"] + body["detail"]
    assert str(body["retry_after"]) in body["detail"]
