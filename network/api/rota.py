"""The on-call rota: shifts, swaps, cancellations, who is on call, the report and calendar feeds."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from foundation.idempotency import idempotent
from network import actions, selectors
from network.actions.rota import (
    do_accept_swap_request,
    do_ask_for_cover,
    do_decline_swap_request,
    do_withdraw_swap_request,
)
from network.models import CalendarFeed, Person, Shift, SwapRequest
from network.selectors import MANAGERS
from network.selectors.rota import access_swap_request_by_id, swap_requests_of
from network.serializers.rota import (
    ROTA_MAX_SPAN,
    ROTA_SPAN_ERROR,
    CalendarFeedCreatedOut,
    CalendarFeedIn,
    CalendarFeedOut,
    OnCallOut,
    RotaEntryOut,
    RotaQueryIn,
    RotaReportOut,
    ShiftCancelIn,
    ShiftExceptionOut,
    ShiftIn,
    ShiftOut,
    ShiftSwapIn,
    SwapRequestOut,
)


def _person_in_network(*, network_id: int, person_id: int, field: str) -> Person:
    person = selectors.current_member(network_id=network_id, person_id=person_id)
    if person is None:
        raise ValidationError({field: ["Not a member of this network."]})
    return person


class ShiftListApi(ListAPIView):
    """The network's shifts (GET, members); a new recurring or one-off shift (POST,
    navigators and facilitators)."""

    serializer_class = ShiftOut

    def get_queryset(self) -> QuerySet[Shift]:
        network = selectors.access_network_by_id(
            person=self.request.user, network_id=self.kwargs["network_id"]
        )
        return selectors.shifts_of(network=network)

    @extend_schema(request=ShiftIn, responses={201: ShiftOut})
    @idempotent
    def post(self, request: Request, network_id: int) -> Response:
        network = selectors.access_network_by_id(person=request.user, network_id=network_id, roles=MANAGERS)
        data = ShiftIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = _person_in_network(network_id=network.pk, person_id=values.pop("person"), field="person")
        shift = actions.do_create_shift(
            network=network,
            person=person,
            duration=timedelta(minutes=values.pop("duration_minutes")),
            actor=request.user,
            **values,
        )
        return Response(ShiftOut(shift).data, status=status.HTTP_201_CREATED)


class ShiftDetailApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, shift_id: int) -> Response:
        """End a shift (navigators and facilitators); past occurrences stay in the report."""
        shift = selectors.access_shift_by_id(person=request.user, shift_id=shift_id, roles=MANAGERS)
        actions.do_end_shift(shift=shift)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShiftSwapApi(APIView):
    @extend_schema(request=ShiftSwapIn, responses={201: SwapRequestOut})
    @idempotent
    def post(self, request: Request, shift_id: int) -> Response:
        """Ask another ready peer to take over one occurrence. The shift's own peer
        or a navigator/facilitator may ask. The answer is the request, pending:
        nothing changes on the rota, in the feeds or in who is on call until the
        asked person accepts (POST /swap-requests/{id}/accept/). One pending ask
        per occurrence (409 while one is open); 409 if the occurrence was
        already swapped or cancelled."""
        shift = selectors.access_shift_by_id(person=request.user, shift_id=shift_id)
        if shift.person_id != request.user.pk and shift.network.viewer_role not in MANAGERS:  # type: ignore[attr-defined]
            raise PermissionDenied
        data = ShiftSwapIn(data=request.data)
        data.is_valid(raise_exception=True)
        asked = _person_in_network(
            network_id=shift.network_id, person_id=data.validated_data["taken_by"], field="taken_by"
        )
        swap_request = do_ask_for_cover(
            shift=shift,
            occurrence_start=data.validated_data["occurrence_start"],
            asked=asked,
            actor=request.user,
        )
        return Response(SwapRequestOut(swap_request).data, status=status.HTTP_201_CREATED)


class MySwapRequestListApi(ListAPIView):
    """Pending swap requests to me (I am asked to cover) and by me or for my
    shifts (I am waiting for an answer), in my current networks."""

    serializer_class = SwapRequestOut

    def get_queryset(self) -> QuerySet[SwapRequest]:
        return swap_requests_of(person=self.request.user)


class SwapRequestAcceptApi(APIView):
    @extend_schema(request=None, responses=SwapRequestOut)
    def post(self, request: Request, request_id: int) -> Response:
        """Only the asked person: the swap takes effect now. 409 if the request
        was already answered or withdrawn, the occurrence was swapped or cancelled
        meanwhile, or you are no longer ready for on call."""
        swap_request = access_swap_request_by_id(person=request.user, request_id=request_id)
        if swap_request.asked_id != request.user.pk:
            raise PermissionDenied
        do_accept_swap_request(request=swap_request)
        swap_request.refresh_from_db()
        return Response(SwapRequestOut(swap_request).data)


class SwapRequestDeclineApi(APIView):
    @extend_schema(request=None, responses=SwapRequestOut)
    def post(self, request: Request, request_id: int) -> Response:
        """Only the asked person. Nothing changes on the rota."""
        swap_request = access_swap_request_by_id(person=request.user, request_id=request_id)
        if swap_request.asked_id != request.user.pk:
            raise PermissionDenied
        return Response(SwapRequestOut(do_decline_swap_request(request=swap_request)).data)


class SwapRequestWithdrawApi(APIView):
    @extend_schema(request=None, responses=SwapRequestOut)
    def post(self, request: Request, request_id: int) -> Response:
        """The asker, the shift's peer or a navigator/facilitator. Nothing changes
        on the rota."""
        swap_request = access_swap_request_by_id(person=request.user, request_id=request_id)
        may_withdraw = request.user.pk in (swap_request.asked_by_id, swap_request.shift.person_id)
        if not may_withdraw and swap_request.shift.network.viewer_role not in MANAGERS:  # type: ignore[attr-defined]
            raise PermissionDenied
        return Response(SwapRequestOut(do_withdraw_swap_request(request=swap_request)).data)


class ShiftCancellationApi(APIView):
    @extend_schema(request=ShiftCancelIn, responses={201: ShiftExceptionOut})
    @idempotent
    def post(self, request: Request, shift_id: int) -> Response:
        """Cancel one occurrence (navigators and facilitators)."""
        shift = selectors.access_shift_by_id(person=request.user, shift_id=shift_id, roles=MANAGERS)
        data = ShiftCancelIn(data=request.data)
        data.is_valid(raise_exception=True)
        exception = actions.do_cancel_occurrence(
            shift=shift, occurrence_start=data.validated_data["occurrence_start"], actor=request.user
        )
        return Response(ShiftExceptionOut(exception).data, status=status.HTTP_201_CREATED)


class RotaApi(APIView):
    @extend_schema(parameters=[RotaQueryIn], responses=RotaEntryOut(many=True))
    def get(self, request: Request, network_id: int) -> Response:
        """Occurrences between start and end (default: the next 7 days; at most 42, a
        month grid of six weeks), swaps applied. `cancelled=true` lists cancelled
        occurrences too; `asks=true` gives each its pending ask to cover where you
        may see it."""
        network = selectors.access_network_by_id(person=request.user, network_id=network_id)
        query = RotaQueryIn(data=request.query_params)
        query.is_valid(raise_exception=True)
        start = query.validated_data.get("start") or timezone.now()
        end = query.validated_data.get("end") or start + timedelta(days=7)
        if not start < end <= start + ROTA_MAX_SPAN:
            raise ValidationError({"end": [ROTA_SPAN_ERROR]})
        entries = selectors.rota(
            network=network,
            start=start,
            end=end,
            person=request.user if query.validated_data["mine"] else None,
            with_cancelled=query.validated_data["cancelled"],
            asks_seen_by=request.user if query.validated_data["asks"] else None,
        )
        return Response(RotaEntryOut(entries, many=True).data)


class OnCallApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("at", OpenApiTypes.DATETIME, description="default: now")],
        responses=OnCallOut,
    )
    def get(self, request: Request, network_id: int) -> Response:
        """Who would be offered an alert now (or at `at`), in order. Navigators and facilitators."""
        network = selectors.access_network_by_id(person=request.user, network_id=network_id, roles=MANAGERS)
        at_field = serializers.DateTimeField()
        raw = request.query_params.get("at")
        try:
            at = at_field.to_internal_value(raw) if raw else timezone.now()
        except serializers.ValidationError as exc:
            raise ValidationError({"at": exc.detail}) from None
        candidates = selectors.on_call_candidates(network=network, at=at)
        return Response(OnCallOut({"at": at, "candidates": candidates}).data)


class RotaReportApi(APIView):
    @extend_schema(responses=RotaReportOut)
    def get(self, request: Request, network_id: int) -> Response:
        """Gaps over the next four weeks and the balance of hours and alerts between
        peers. Navigators and facilitators."""
        network = selectors.access_network_by_id(person=request.user, network_id=network_id, roles=MANAGERS)
        report = selectors.rota_report(network=network, now=timezone.now())
        body = {
            "start": report.start,
            "end": report.end,
            "gap_hours": round(report.gap_hours, 2),
            "gaps": [{"start": start, "end": end} for start, end in report.gaps],
            "peers": report.peers,
        }
        return Response(RotaReportOut(body).data)


class CalendarFeedListApi(ListAPIView):
    """My private calendar feeds (GET); a new one (POST) for my shifts or the
    network's rota. The URL is shown once."""

    serializer_class = CalendarFeedOut

    def get_queryset(self) -> QuerySet[CalendarFeed]:
        return selectors.calendar_feeds_of(person=self.request.user)

    @extend_schema(request=CalendarFeedIn, responses={201: CalendarFeedCreatedOut})
    @idempotent
    def post(self, request: Request) -> Response:
        data = CalendarFeedIn(data=request.data)
        data.is_valid(raise_exception=True)
        network = selectors.access_network_by_id(
            person=request.user, network_id=data.validated_data["network"]
        )
        feed, token = actions.do_create_calendar_feed(
            person=request.user, network=network, scope=data.validated_data["scope"]
        )
        feed.url = request.build_absolute_uri(reverse("calendar-feed", args=[token]))  # type: ignore[attr-defined]
        return Response(CalendarFeedCreatedOut(feed).data, status=status.HTTP_201_CREATED)


class CalendarFeedRevokeApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, feed_id: int) -> Response:
        feed = selectors.access_calendar_feed_by_id(person=request.user, feed_id=feed_id)
        actions.do_revoke_calendar_feed(feed=feed)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ICalendarRenderer(BaseRenderer):
    """Renders the feed's bytes as text/calendar; errors stay problem details."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class FirstRendererNegotiation(DefaultContentNegotiation):
    """Calendar apps send all sorts of Accept headers; the answer is a calendar."""

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        return renderers[0], renderers[0].media_type


class CalendarFeedFileApi(APIView):
    """The iCal file itself. The token in the URL is the only credential (calendar
    apps cannot send headers): long, random, stored hashed, revocable, and dead
    once its owner leaves the network."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    renderer_classes = [ICalendarRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(operation_id="calendar_feed_file", responses={(200, "text/calendar"): OpenApiTypes.BINARY})
    def get(self, request: Request, token: str) -> Response:
        feed = selectors.calendar_feed_by_token_hash(token_hash=actions.calendar_token_hash(token))
        body = selectors.calendar_for(feed=feed, now=timezone.now())
        return Response(body, headers={"Cache-Control": "private, max-age=300"})
