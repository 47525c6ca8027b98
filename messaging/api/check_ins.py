"""Thin REST views for check-ins: "thinking of you", and the follow-up
check-ins an alert's plan asked for."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from foundation.idempotency import client_key_from
from messaging.actions import check_ins
from messaging.api.conversations import IDEMPOTENCY_HEADER, person_body, sent_response
from messaging.models import Message
from messaging.selectors import check_ins as check_in_selectors
from messaging.selectors import conversations as sel
from messaging.serializers.check_ins import CheckInIn, FollowUpOut
from messaging.serializers.conversations import MessageOut, SendMessageIn


class CheckInApi(APIView):
    @extend_schema(
        request=CheckInIn, responses={201: MessageOut, 200: MessageOut}, parameters=[IDEMPOTENCY_HEADER]
    )
    def post(self, request: Request) -> Response:
        """ "Thinking of you": a check-in message in your direct conversation with them."""
        data = CheckInIn(data=request.data)
        data.is_valid(raise_exception=True)
        other = sel.access_person_to_message(person=request.user, person_id=data.validated_data["person_id"])
        sent = check_ins.do_send_check_in(
            sender=request.user,
            recipient=other,
            client_id=client_key_from(request),
            text=data.validated_data["text"],
        )
        return sent_response(sent, request.user)


class FollowUpListApi(APIView):
    @extend_schema(responses=FollowUpOut(many=True))
    def get(self, request: Request) -> Response:
        """Follow-up check-ins you were asked to do (from alert.follow_up_due)."""
        return Response(
            [
                FollowUpOut(
                    {
                        "id": f.pk,
                        "alert_id": f.alert_id,
                        "member": person_body(f.member),
                        "due_at": f.due_at,
                        "checked_in": Message.objects.filter(follow_up=f).exists(),
                    }
                ).data
                for f in check_in_selectors.follow_ups_for(person=request.user).order_by("-due_at")
            ]
        )


class FollowUpCheckInApi(APIView):
    @extend_schema(
        request=SendMessageIn, responses={201: MessageOut, 200: MessageOut}, parameters=[IDEMPOTENCY_HEADER]
    )
    def post(self, request: Request, follow_up_id: int) -> Response:
        """Send the follow-up check-in: a message in your direct conversation with the member."""
        follow_up = check_in_selectors.access_follow_up_by_id(person=request.user, follow_up_id=follow_up_id)
        data = SendMessageIn(data=request.data)
        data.is_valid(raise_exception=True)
        sent = check_ins.do_send_follow_up_check_in(
            follow_up=follow_up,
            person=request.user,
            client_id=client_key_from(request),
            text=data.validated_data["text"],
        )
        return sent_response(sent, request.user)
