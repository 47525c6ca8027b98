"""Idempotency-Key on create requests, against the real database."""

from __future__ import annotations

import pytest
from django.urls import path
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler404, handler500  # noqa: F401  (this module is a urlconf)
from config.urls import urlpatterns as real_urlpatterns
from foundation.idempotency import idempotent
from foundation.models import IdempotencyRecord
from network.models import Network

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.config.test_idempotency")]


class CreateNetworkApi(APIView):
    """A stand-in create endpoint; real ones decorate their post the same way."""

    @idempotent
    def post(self, request) -> Response:
        name = request.data.get("name")
        if not name:
            return Response({"detail": "name required"}, status=status.HTTP_400_BAD_REQUEST)
        network = Network.objects.create(name=name, slug=name.lower(), kind=Network.Kind.LIVING_SUPPORT)
        return Response({"id": network.pk, "name": network.name}, status=status.HTTP_201_CREATED)


urlpatterns = [path("api/v1/test-create/", CreateNetworkApi.as_view()), *real_urlpatterns]
URL = "/api/v1/test-create/"


def test_a_retry_with_the_same_key_returns_the_first_answer(api, member):
    client = api(member)
    first = client.post(URL, {"name": "Alpha"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, {"name": "Alpha"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Network.objects.filter(slug="alpha").count() == 1


def test_the_same_key_with_a_different_body_is_refused(api, member):
    client = api(member)
    client.post(URL, {"name": "Alpha"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    changed = client.post(URL, {"name": "Beta"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert changed.status_code == 422
    assert changed.json()["type"] == "about:blank#idempotency_key_reused"
    assert not Network.objects.filter(slug="beta").exists()


def test_keys_belong_to_one_person(api, member, peer):
    api(member).post(URL, {"name": "Alpha"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    theirs = api(peer).post(URL, {"name": "Gamma"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert theirs.status_code == 201
    assert theirs.json()["name"] == "Gamma"


def test_a_failed_attempt_does_not_use_up_the_key(api, member):
    client = api(member)
    failed = client.post(URL, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert failed.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert client.post(URL, {"name": "Delta"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201


def test_without_a_key_each_request_creates(api, member):
    client = api(member)
    client.post(URL, {"name": "Alpha"}, format="json")
    client.post(URL, {"name": "Alpha2"}, format="json")
    assert Network.objects.count() == 3  # the member's own network and two new ones


def test_an_overlong_key_is_a_validation_problem(api, member):
    response = api(member).post(URL, {"name": "Alpha"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Network.objects.filter(slug="alpha").exists()


@pytest.mark.django_db(transaction=True)
def test_a_first_answer_recorded_before_the_model_moved_to_foundation_still_replays(api, member):
    """IdempotencyRecord moved from network to foundation in Django's state
    only: a row written under network's model is the same row afterwards."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from foundation.idempotency import fingerprint

    before = [("network", "0005_drop_plain_personal_text"), ("foundation", None)]
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    MigrationExecutor(connection).migrate(before)
    try:
        # The state at network 0005: the model is still network's.
        old = MigrationExecutor(connection).loader.project_state(before[:1]).apps
        old.get_model("network", "IdempotencyRecord").objects.create(
            person_id=member.pk,
            key="k-before",
            scope=f"POST {URL}",
            request_fingerprint=fingerprint({"name": "Alpha"}),
            response_status=201,
            response_body={"id": 4242, "name": "Alpha"},
        )
    finally:
        MigrationExecutor(connection).migrate(latest)

    again = api(member).post(URL, {"name": "Alpha"}, format="json", HTTP_IDEMPOTENCY_KEY="k-before")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == {"id": 4242, "name": "Alpha"}
    assert not Network.objects.filter(slug="alpha").exists()
    assert IdempotencyRecord.objects.get(key="k-before").person_id == member.pk
