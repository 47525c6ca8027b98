"""Thin REST views for what members and facilitators control: reports,
direct-message choices, blocks and message retention."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from foundation.pagination import Pagination
from messaging.actions import moderation
from messaging.api.conversations import person_body
from messaging.models import MessageReport
from messaging.selectors import conversations as sel
from messaging.selectors import moderation as moderation_selectors
from messaging.serializers.conversations import PersonIdIn
from messaging.serializers.moderation import (
    BlockOut,
    PreferenceIn,
    PreferenceOut,
    ReportIn,
    ReportOut,
    RetentionIn,
    RetentionOut,
)
from network.selectors import FACILITATORS, access_network_by_id


class ReportMessageApi(APIView):
    @extend_schema(request=ReportIn, responses={201: ReportOut})
    def post(self, request: Request, conversation_id: str, message_id: str) -> Response:
        """Report a message to the network's facilitators."""
        conversation = sel.access_conversation_by_id(person=request.user, conversation_id=conversation_id)
        message = sel.access_message_by_id(
            person=request.user, conversation=conversation, message_id=message_id
        )
        data = ReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        report = moderation.do_report_message(message=message, reporter=request.user, **data.validated_data)
        return Response(report_body(report=report, with_message=False), status=status.HTTP_201_CREATED)


def report_body(*, report: MessageReport, with_message: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": report.pk,
        "network": {"id": report.network_id, "name": report.network.name},
        "reason": report.reason,
        "reporter": person_body(report.reporter),
        "created_at": report.created_at,
    }
    if with_message:
        message = report.message
        body["message"] = {
            "id": message.pk,
            "conversation_id": message.conversation_id,
            "order": message.order,
            "author": person_body(message.author),
            "author_deleted": sel.author_deleted(message=message),
            "text": sel.message_text(message=message),
            "created_at": message.created_at,
        }
    return ReportOut(body).data


class MessageReportListApi(APIView):
    pagination_class = Pagination  # documents the page shape in the schema

    @extend_schema(responses=ReportOut(many=True))
    def get(self, request: Request) -> Response:
        """Reports in the networks you facilitate, with the reported message."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            moderation_selectors.reports_for(person=request.user), request, view=self
        )
        return paginator.get_paginated_response(
            [report_body(report=r, with_message=True) for r in page or []]
        )


class MessagingPreferenceApi(APIView):
    @extend_schema(responses=PreferenceOut)
    def get(self, request: Request) -> Response:
        return Response({"direct_messages": moderation_selectors.takes_direct_messages(person=request.user)})

    @extend_schema(request=PreferenceIn, responses=PreferenceOut)
    def put(self, request: Request) -> Response:
        """Turn direct messages from peers on or off (navigators and
        facilitators of your networks can still reach you)."""
        data = PreferenceIn(data=request.data)
        data.is_valid(raise_exception=True)
        preference = moderation.do_set_direct_messages(
            person=request.user, enabled=data.validated_data["direct_messages"]
        )
        return Response({"direct_messages": preference.direct_messages})


class BlockListApi(APIView):
    @extend_schema(responses=BlockOut(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            [
                BlockOut({"person": person_body(b.blocked), "created_at": b.created_at}).data
                for b in moderation_selectors.blocks_of(person=request.user).order_by("-created_at")
            ]
        )

    @extend_schema(request=PersonIdIn, responses={201: BlockOut})
    def post(self, request: Request) -> Response:
        """Block someone who shares a network with you: neither of you can
        send the other direct messages or check-ins."""
        data = PersonIdIn(data=request.data)
        data.is_valid(raise_exception=True)
        other = sel.access_person_to_message(person=request.user, person_id=data.validated_data["person_id"])
        block = moderation.do_block_person(person=request.user, blocked=other)
        return Response(
            BlockOut({"person": person_body(other), "created_at": block.created_at}).data,
            status=status.HTTP_201_CREATED,
        )


class BlockDetailApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, person_id: int) -> Response:
        if not moderation.do_unblock_person(person=request.user, blocked_id=person_id):
            raise ValidationError({"person_id": ["You have not blocked this person."]})
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageRetentionApi(APIView):
    @extend_schema(responses=RetentionOut)
    def get(self, request: Request, network_id: int) -> Response:
        """How long this network keeps messages."""
        network = access_network_by_id(person=request.user, network_id=network_id)
        return Response(
            {"network_id": network.pk, "days": moderation_selectors.retention_days_of(network=network)}
        )

    @extend_schema(request=RetentionIn, responses=RetentionOut)
    def put(self, request: Request, network_id: int) -> Response:
        """Facilitators set it; older messages are deleted by a scheduled task."""
        network = access_network_by_id(person=request.user, network_id=network_id, roles=FACILITATORS)
        data = RetentionIn(data=request.data)
        data.is_valid(raise_exception=True)
        retention = moderation.do_set_message_retention(network=network, days=data.validated_data["days"])
        return Response({"network_id": network.pk, "days": retention.days})
