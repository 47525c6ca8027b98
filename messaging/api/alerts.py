"""Thin REST views for alerts."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crisisplans.actions import record_alert_details_read
from crisisplans.models import AccessRecord, Plan
from foundation.idempotency import HEADER, client_key_from
from foundation.pagination import Pagination
from messaging import recipients
from messaging.actions import alerts as alert_actions
from messaging.models import Alert, Conversation
from messaging.selectors import alerts as selectors
from messaging.serializers.alerts import (
    AlertHealthOut,
    AlertOut,
    BoardAlertOut,
    BoardQueryIn,
    DebriefIn,
    DeclineIn,
    HandOverIn,
    RaiseAlertIn,
    ResolveIn,
)
from network.models import Person


def alert_body(*, alert: Alert, person: Person) -> dict[str, Any]:
    context: dict[str, Any] = {"my_offer": selectors.my_offer(person=person, alert=alert)}
    if selectors.may_see_details(person=person, alert=alert):
        details = alert_actions.alert_details(alert=alert)
        if alert.member_id is not None:
            # Read like plan content: in the owner's access log.
            record_alert_details_read(
                reader=person,
                owner_id=alert.member_id,
                alert_id=str(alert.pk),
                what=[
                    name
                    for name, given in (
                        ("alert_message", details["message"]),
                        ("alert_location", details["location"]),
                    )
                    if given
                ],
                channel=AccessRecord.Channel.API,
            )
        context["details"] = {
            **details,
            # Where the holder reads the crisis part of the plan (as far as consented).
            "plan_id": Plan.objects.filter(owner_id=alert.member_id).values_list("pk", flat=True).first(),
            # The alert's conversation, once someone has taken it.
            "conversation_id": Conversation.objects.filter(alert=alert).values_list("pk", flat=True).first(),
        }
    return AlertOut(alert, context=context).data


class AlertListApi(ListAPIView):
    """Alerts you raised, were offered, or oversee."""

    serializer_class = AlertOut

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.alerts_visible_to(person=self.request.user).order_by("-raised_at")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = selectors.visible_only(person=request.user, alerts=self.paginate_queryset(self.get_queryset()))
        return self.get_paginated_response([alert_body(alert=a, person=request.user) for a in page])

    @extend_schema(
        request=RaiseAlertIn,
        responses={201: AlertOut, 200: AlertOut},
        parameters=[OpenApiParameter(HEADER, str, OpenApiParameter.HEADER, required=True)],
        description=(
            "Raise an alert. A retry with the same Idempotency-Key returns the same alert (200), and so "
            "does raising again, with any key or network, while your last alert is not closed: nobody new "
            "is paged."
        ),
    )
    def post(self, request: Request) -> Response:
        raised = alert_actions.check_raise_alert(
            person=request.user, body=request.data, client_key=client_key_from(request)
        )
        return Response(
            alert_body(alert=raised.alert, person=request.user),
            status=status.HTTP_201_CREATED if raised.created else status.HTTP_200_OK,
        )


class AlertDetailApi(APIView):
    @extend_schema(responses=AlertOut)
    def get(self, request: Request, alert_id: str) -> Response:
        alert = selectors.access_alert_by_id(person=request.user, alert_id=alert_id)
        return Response(alert_body(alert=alert, person=request.user))


class _AlertActionApi(APIView):
    """One operation on one alert: find it with the access check (404 for an
    alert the person has no part in), parse the body if the operation takes
    one, run the action, answer with the alert as this person may see it."""

    input_serializer: type[serializers.Serializer] | None = None
    success_status = status.HTTP_200_OK

    def post(self, request: Request, alert_id: str) -> Response:
        alert = selectors.access_alert_by_id(person=request.user, alert_id=alert_id)
        data: dict[str, Any] = {}
        if self.input_serializer is not None:
            parsed = self.input_serializer(data=request.data)
            parsed.is_valid(raise_exception=True)
            data = parsed.validated_data
        self.act(alert=alert, person=request.user, data=data)
        alert.refresh_from_db()
        return Response(alert_body(alert=alert, person=request.user), status=self.success_status)

    def act(self, *, alert: Alert, person: Person, data: dict[str, Any]) -> None:
        raise NotImplementedError


@extend_schema_view(post=extend_schema(request=None, responses=AlertOut))
class AcceptAlertApi(_AlertActionApi):
    """ "I've got this." The first accept wins (409 for everyone after)."""

    def act(self, *, alert: Alert, person: Person, data: dict[str, Any]) -> None:
        alert_actions.do_accept_alert(alert_id=alert.pk, person=person)


@extend_schema_view(post=extend_schema(request=DeclineIn, responses=AlertOut))
class DeclineAlertApi(_AlertActionApi):
    """ "I can't right now." No penalty; the reason stays private."""

    input_serializer = DeclineIn

    def act(self, *, alert: Alert, person: Person, data: dict[str, Any]) -> None:
        alert_actions.do_decline_alert(alert_id=alert.pk, person=person, **data)


@extend_schema_view(post=extend_schema(request=None, responses=AlertOut))
class CancelAlertApi(_AlertActionApi):
    """ "I'm OK now." Only the member who raised it."""

    def act(self, *, alert: Alert, person: Person, data: dict[str, Any]) -> None:
        alert_actions.do_cancel_alert(alert_id=alert.pk, person=person)


@extend_schema_view(post=extend_schema(request=None, responses=AlertOut))
class ConfirmContactApi(_AlertActionApi):
    """The peer holding the alert has reached the member."""

    def act(self, *, alert: Alert, person: Person, data: dict[str, Any]) -> None:
        alert_actions.do_confirm_contact(alert_id=alert.pk, person=person)


@extend_schema_view(post=extend_schema(request=HandOverIn, responses=AlertOut))
class HandOverAlertApi(_AlertActionApi):
    """Ask another peer of the member's networks to take over; you hold it until they accept."""

    input_serializer = HandOverIn

    def act(self, *, alert: Alert, person: Person, data: dict[str, Any]) -> None:
        alert_actions.check_hand_over_alert(alert_id=alert.pk, person=person, to_person_id=data["person_id"])


@extend_schema_view(post=extend_schema(request=ResolveIn, responses=AlertOut))
class ResolveAlertApi(_AlertActionApi):
    """Close a taken alert, with your debrief; the plan's follow-up is scheduled."""

    input_serializer = ResolveIn

    def act(self, *, alert: Alert, person: Person, data: dict[str, Any]) -> None:
        debrief = data["debrief"]
        alert_actions.do_resolve_alert(
            alert_id=alert.pk,
            person=person,
            debrief=alert_actions.DebriefIn(**debrief) if debrief else None,
        )


@extend_schema_view(post=extend_schema(request=DebriefIn, responses={201: AlertOut}))
class DebriefAlertApi(_AlertActionApi):
    """Your side of how it went, after the alert is resolved."""

    input_serializer = DebriefIn
    success_status = status.HTTP_201_CREATED

    def act(self, *, alert: Alert, person: Person, data: dict[str, Any]) -> None:
        alert_actions.do_add_debrief(
            alert_id=alert.pk, person=person, debrief=alert_actions.DebriefIn(**data)
        )


class AlertHealthApi(APIView):
    """Whether this network's alerts can reach a professional: who its staff
    step has (facilitators, else navigators, else the service's on-duty
    staff), and ``problems`` (``no_staff_step``, ``no_facilitator``). For its
    navigators and facilitators, and the service's staff."""

    @extend_schema(responses=AlertHealthOut)
    def get(self, request: Request, network_id: int) -> Response:
        network = selectors.access_network_health_by_id(person=request.user, network_id=network_id)
        return Response(AlertHealthOut(recipients.staff_step_health(network=network)).data)


class _NewestRaisedFirst(Pagination):
    ordering = ("-raised_at", "-pk")


class NetworkAlertBoardApi(ListAPIView):
    """The desk's alert board: a network's open (and taken) or closed alerts,
    newest first, for its navigators and facilitators (404 for anyone else).
    Each says whom it was offered to and their answer, and who holds it;
    never the member's words or location (GET /alerts/{id}/ shows those to
    whoever holds it). A closed one carries its debriefs' outcomes (who,
    when, whether A&E or 999 was avoided, a follow-up wanted), never their words. A facilitator also gets
    the member's ``plan_id``, for a break-glass read."""

    serializer_class = BoardAlertOut
    pagination_class = _NewestRaisedFirst

    @extend_schema(parameters=[BoardQueryIn])
    def get(self, request: Request, network_id: int) -> Response:
        network, role = selectors.access_board_network_by_id(person=request.user, network_id=network_id)
        query = BoardQueryIn(data=request.query_params)
        query.is_valid(raise_exception=True)
        alerts = selectors.board_alerts(
            person=request.user, network=network, state=query.validated_data["state"]
        )
        page = selectors.visible_only(person=request.user, alerts=self.paginate_queryset(alerts))
        plan_ids: dict[int | None, int] = {}
        if role == "facilitator":
            plan_ids = dict(
                Plan.objects.filter(owner_id__in={a.member_id for a in page if a.member_id}).values_list(
                    "owner_id", "pk"
                )
            )
        body = BoardAlertOut(page, many=True, context={"viewer": request.user, "plan_ids": plan_ids})
        return self.get_paginated_response(body.data)
