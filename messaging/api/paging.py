"""Paging (issue 17, docs/paging.md): your rules and test pages, and the
desk's list of people whose pages fail. Thin views over
messaging.actions.paging and messaging.selectors.paging."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from foundation.idempotency import idempotent
from messaging.actions import paging as actions
from messaging.models import TestPage
from messaging.selectors import paging as selectors
from messaging.serializers.paging import NetworkPagingOut, PagingOut, RulesIn, TestPageOut
from network import selectors as network_selectors
from network.models import Person

RULES_ERRORS = OpenApiResponse(
    description="Invalid rules (validation_error; each error's code says which rule: invalid_rules, "
    "invalid_transport, invalid_after_seconds, duplicate_transport, rules_out_of_order, "
    "voice_not_configured)."
)


def page_out(test_page: TestPage) -> dict[str, Any]:
    deliveries = test_page.deliveries.order_by("created_at", "pk")  # type: ignore[attr-defined]
    return TestPageOut(
        {
            "id": test_page.pk,
            "created_at": test_page.created_at,
            "acknowledged_at": test_page.acknowledged_at,
            "acknowledged_via": test_page.acknowledged_via or None,
            "state": selectors.state_of_test_page(test_page, now=timezone.now()),
            "deliveries": [
                {"transport": d.transport, "status": d.status, "at": d.status_at, "detail": d.detail}
                for d in deliveries
            ],
        }
    ).data


def paging_json(person: Person) -> dict[str, Any]:
    own = selectors.own_rules(person_id=person.pk)
    flags = selectors.open_flags(person_id=person.pk)
    last = selectors.last_test_page(person_id=person.pk)
    return PagingOut(
        {
            "rules": [s.as_json() for s in selectors.rules_for(person_id=person.pk)],
            "is_default": not own,
            "defaults": [s.as_json() for s in selectors.default_rules()],
            "transports": selectors.transports_for(person=person),
            "reachability": {"reachable": not flags, "flags": [selectors.flag_json(f) for f in flags]},
            "last_test_page": page_out(last) if last else None,
            "limits": {"max_steps": selectors.MAX_STEPS, "max_after_seconds": selectors.MAX_AFTER_SECONDS},
        }
    ).data


class MyPagingApi(APIView):
    @extend_schema(responses=PagingOut)
    def get(self, request: Request) -> Response:
        """Your paging: the ladder of push, SMS and voice your pages follow, what each
        transport can do for you, your reachability flags and your last test page."""
        return Response(paging_json(request.user))


class MyPagingRulesApi(APIView):
    @extend_schema(request=RulesIn, responses={200: PagingOut, 400: RULES_ERRORS})
    def put(self, request: Request) -> Response:
        """Set your own ladder: 1 to 3 steps, each transport once, after_seconds whole,
        0 to 1800 and not decreasing; voice only where the service has it."""
        rules = request.data.get("rules") if isinstance(request.data, dict) else None
        actions.do_set_notification_rules(person=request.user, rules=rules)
        return Response(paging_json(request.user))

    @extend_schema(request=None, responses={200: PagingOut})
    def delete(self, request: Request) -> Response:
        """Back to the service's defaults."""
        actions.do_reset_notification_rules(person=request.user)
        return Response(paging_json(request.user))


class MyTestPageListApi(APIView):
    @extend_schema(
        request=None,
        responses={
            201: TestPageOut,
            429: OpenApiResponse(description="More than PAGING_TEST_PAGES_PER_HOUR test pages this hour."),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Page yourself down your whole ladder (push now, then SMS and voice at their
        waits) and acknowledge it when it arrives (in the app, by replying 1 or pressing 1)."""
        test_page = actions.do_send_test_page(person=request.user)
        return Response(page_out(test_page), status=status.HTTP_201_CREATED)


class MyTestPageDetailApi(APIView):
    @extend_schema(responses=TestPageOut)
    def get(self, request: Request, test_page_id: int) -> Response:
        """One of your test pages and what each of its sends came to."""
        test_page = selectors.access_test_page_by_id(person=request.user, test_page_id=test_page_id)
        return Response(page_out(test_page))


class AcknowledgeTestPageApi(APIView):
    @extend_schema(request=None, responses=TestPageOut)
    def post(self, request: Request, test_page_id: int) -> Response:
        """It reached you (again is fine: the first acknowledgement stands)."""
        test_page = selectors.access_test_page_by_id(person=request.user, test_page_id=test_page_id)
        test_page = actions.do_acknowledge_test_page(test_page=test_page, via=TestPage.Via.APP)
        return Response(page_out(test_page))


class NetworkPagingApi(APIView):
    @extend_schema(responses=NetworkPagingOut)
    def get(self, request: Request, network_id: int) -> Response:
        """People whose pages may not reach them: an open reachability flag or a failed
        page in the last 7 days, flagged first. Navigators and facilitators."""
        network = network_selectors.access_network_by_id(
            person=request.user, network_id=network_id, roles=network_selectors.MANAGERS
        )
        people = selectors.network_paging_health(network=network)
        return Response(NetworkPagingOut({"people": people}).data)
