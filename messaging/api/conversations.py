"""Thin REST views for conversations, messages, check-ins, blocks, reports
and retention. Every object is reached through an access_* selector, so
anything the caller takes no part in answers 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from foundation.idempotency import HEADER, MAX_KEY_LENGTH
from foundation.pagination import Pagination
from messaging.actions import check_ins, moderation
from messaging.actions import conversations as actions
from messaging.models import Conversation, Message, MessageReport
from messaging.selectors import conversations as sel
from messaging.serializers.conversations import (
    BlockOut,
    CheckInIn,
    ConversationOut,
    FollowUpOut,
    MessageOut,
    MuteIn,
    MuteOut,
    PersonIdIn,
    PreferenceIn,
    PreferenceOut,
    ReceiptsIn,
    ReceiptsOut,
    ReportIn,
    ReportOut,
    RetentionIn,
    RetentionOut,
    SendMessageIn,
)
from network.models import Person
from network.selectors import FACILITATORS, access_network_by_id

IDEMPOTENCY_HEADER = OpenApiParameter(
    HEADER, str, OpenApiParameter.HEADER, required=True, description="client-made; a retry reuses it"
)


def _person_ref(person: Person | None) -> dict[str, Any] | None:
    return None if person is None else {"id": person.pk, "display_name": person.display_name}


def conversation_body(
    *, conversation: Conversation, person: Person, unread: int | None = None
) -> dict[str, Any]:
    state = sel.state_for(conversation=conversation, person=person)
    people = []
    if conversation.kind != Conversation.Kind.GROUP:
        people = [
            _person_ref(p.person)
            for p in conversation.participants.select_related("person").order_by("joined_at", "pk")
        ]
    return ConversationOut(
        {
            "id": conversation.pk,
            "kind": conversation.kind,
            "network": {"id": conversation.network_id, "name": conversation.network.name},
            "alert_id": conversation.alert_id,
            "people": people,
            "last_order": conversation.last_order,
            "unread": state.unread if unread is None else unread,
            "read_through": state.read_through,
            "delivered_through": state.delivered_through,
            "muted": state.muted,
            "muted_until": state.muted_until,
            "created_at": conversation.created_at,
        }
    ).data


def message_body(*, message: Message, viewer: Person, watermarks: tuple[int, int]) -> dict[str, Any]:
    return MessageOut(
        {
            "id": message.pk,
            "conversation_id": message.conversation_id,
            "order": message.order,
            "author": _person_ref(message.author),
            "author_deleted": sel.author_deleted(message=message),
            "kind": message.kind,
            "text": sel.message_text(message=message),
            "created_at": message.created_at,
            "deleted": message.deleted_at is not None,
            "status": sel.receipt_status(message=message, viewer=viewer, watermarks=watermarks),
        }
    ).data


def client_key_from(request: Request) -> str:
    key = (request.headers.get(HEADER) or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError({HEADER: [f"Send a client-made key of 1 to {MAX_KEY_LENGTH} characters."]})
    return key


def _sent_response(sent: actions.Sent, person: Person) -> Response:
    conversation = sent.message.conversation
    body = message_body(
        message=sent.message,
        viewer=person,
        watermarks=sel.receipt_watermarks(conversation=conversation, person=person),
    )
    return Response(body, status=status.HTTP_201_CREATED if sent.created else status.HTTP_200_OK)


class ConversationListApi(APIView):
    @extend_schema(responses=ConversationOut(many=True))
    def get(self, request: Request) -> Response:
        """Your conversations, most recent first, with unread counts."""
        conversations = list(sel.conversations_of(person=request.user).order_by("-last_order", "-created_at"))
        unread = sel.unread_counts(person=request.user, conversation_ids=[c.pk for c in conversations])
        return Response(
            [
                conversation_body(conversation=c, person=request.user, unread=unread[c.pk])
                for c in conversations
            ]
        )


class DirectConversationApi(APIView):
    @extend_schema(request=PersonIdIn, responses={201: ConversationOut, 200: ConversationOut})
    def post(self, request: Request) -> Response:
        """Start (or find) the direct conversation with someone who shares a network with you."""
        data = PersonIdIn(data=request.data)
        data.is_valid(raise_exception=True)
        other = sel.access_person_to_message(person=request.user, person_id=data.validated_data["person_id"])
        started = actions.do_start_direct_conversation(person=request.user, other=other)
        return Response(
            conversation_body(conversation=started.conversation, person=request.user),
            status=status.HTTP_201_CREATED if started.created else status.HTTP_200_OK,
        )


class GroupConversationApi(APIView):
    @extend_schema(responses=ConversationOut)
    def get(self, request: Request, network_id: int) -> Response:
        """The network's one group conversation."""
        network = access_network_by_id(person=request.user, network_id=network_id)
        conversation = actions.do_ensure_group_conversation(network=network)
        return Response(conversation_body(conversation=conversation, person=request.user))


class ConversationDetailApi(APIView):
    @extend_schema(responses=ConversationOut)
    def get(self, request: Request, conversation_id: str) -> Response:
        conversation = sel.access_conversation_by_id(person=request.user, conversation_id=conversation_id)
        return Response(conversation_body(conversation=conversation, person=request.user))


class _NewestFirst(Pagination):
    ordering = "-order"


class _OldestFirst(CursorPagination):
    ordering = "order"
    page_size_query_param = "page_size"
    max_page_size = 200


class MessageListApi(APIView):
    # For the schema: drf-spectacular documents the page shape only for views
    # with a pagination_class (both orders answer the same shape).
    pagination_class = _NewestFirst

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after",
                int,
                description="catch up: messages with a higher order, oldest first "
                "(without it: newest first, for scrolling back)",
            ),
            OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", int),
        ],
        responses=MessageOut(many=True),
    )
    def get(self, request: Request, conversation_id: str) -> Response:
        """History, with cursor pagination."""
        conversation = sel.access_conversation_by_id(person=request.user, conversation_id=conversation_id)
        after_raw = request.query_params.get("after")
        after = None
        if after_raw is not None:
            if not after_raw.isdigit() or len(after_raw) > 18:
                raise ValidationError({"after": ["Give the order of the last message you have."]})
            after = int(after_raw)
        paginator = self.pagination_class() if after is None else _OldestFirst()
        page = paginator.paginate_queryset(
            sel.messages_of(conversation=conversation, after=after), request, view=self
        )
        watermarks = sel.receipt_watermarks(conversation=conversation, person=request.user)
        return paginator.get_paginated_response(
            [message_body(message=m, viewer=request.user, watermarks=watermarks) for m in page or []]
        )

    @extend_schema(
        request=SendMessageIn,
        responses={201: MessageOut, 200: MessageOut},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def post(self, request: Request, conversation_id: str) -> Response:
        """Send a message. A retry with the same Idempotency-Key returns the first (200)."""
        sent = actions.check_send_message(
            person=request.user,
            conversation_id=conversation_id,
            text=request.data.get("text") if hasattr(request.data, "get") else None,
            client_key=client_key_from(request),
        )
        return _sent_response(sent, request.user)


class MessageDetailApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, conversation_id: str, message_id: str) -> Response:
        """Delete your own message; in the group conversation navigators and
        facilitators may remove anyone's."""
        conversation = sel.access_conversation_by_id(person=request.user, conversation_id=conversation_id)
        message = sel.access_message_by_id(
            person=request.user, conversation=conversation, message_id=message_id
        )
        actions.do_delete_message(message=message, person=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
        "reporter": _person_ref(report.reporter),
        "created_at": report.created_at,
    }
    if with_message:
        message = report.message
        body["message"] = {
            "id": message.pk,
            "conversation_id": message.conversation_id,
            "order": message.order,
            "author": _person_ref(message.author),
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
        page = paginator.paginate_queryset(sel.reports_for(person=request.user), request, view=self)
        return paginator.get_paginated_response(
            [report_body(report=r, with_message=True) for r in page or []]
        )


class ReceiptsApi(APIView):
    @extend_schema(request=ReceiptsIn, responses=ReceiptsOut)
    def post(self, request: Request, conversation_id: str) -> Response:
        """You have received / read everything up to these orders (watermarks only move forward)."""
        row = actions.check_update_receipts(
            person=request.user, conversation_id=conversation_id, body=request.data
        )
        return Response(
            ReceiptsOut({"delivered_through": row.delivered_through, "read_through": row.read_through}).data
        )


class MuteApi(APIView):
    @extend_schema(request=MuteIn, responses=MuteOut)
    def put(self, request: Request, conversation_id: str) -> Response:
        """Mute (no push or SMS for it), for a while or until unmuted."""
        conversation = sel.access_conversation_by_id(person=request.user, conversation_id=conversation_id)
        data = MuteIn(data=request.data)
        data.is_valid(raise_exception=True)
        row = actions.do_mute_conversation(
            conversation=conversation, person=request.user, **data.validated_data
        )
        return Response(MuteOut({"muted": row.muted, "muted_until": row.muted_until}).data)


class MessagingPreferenceApi(APIView):
    @extend_schema(responses=PreferenceOut)
    def get(self, request: Request) -> Response:
        return Response({"direct_messages": sel.takes_direct_messages(person=request.user)})

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
                BlockOut({"person": _person_ref(b.blocked), "created_at": b.created_at}).data
                for b in sel.blocks_of(person=request.user).order_by("-created_at")
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
            BlockOut({"person": _person_ref(other), "created_at": block.created_at}).data,
            status=status.HTTP_201_CREATED,
        )


class BlockDetailApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, person_id: int) -> Response:
        if not moderation.do_unblock_person(person=request.user, blocked_id=person_id):
            raise ValidationError({"person_id": ["You have not blocked this person."]})
        return Response(status=status.HTTP_204_NO_CONTENT)


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
        return _sent_response(sent, request.user)


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
                        "member": _person_ref(f.member),
                        "due_at": f.due_at,
                        "checked_in": Message.objects.filter(follow_up=f).exists(),
                    }
                ).data
                for f in sel.follow_ups_for(person=request.user).order_by("-due_at")
            ]
        )


class FollowUpCheckInApi(APIView):
    @extend_schema(
        request=SendMessageIn, responses={201: MessageOut, 200: MessageOut}, parameters=[IDEMPOTENCY_HEADER]
    )
    def post(self, request: Request, follow_up_id: int) -> Response:
        """Send the follow-up check-in: a message in your direct conversation with the member."""
        follow_up = sel.access_follow_up_by_id(person=request.user, follow_up_id=follow_up_id)
        data = SendMessageIn(data=request.data)
        data.is_valid(raise_exception=True)
        sent = check_ins.do_send_follow_up_check_in(
            follow_up=follow_up,
            person=request.user,
            client_id=client_key_from(request),
            text=data.validated_data["text"],
        )
        return _sent_response(sent, request.user)


class MessageRetentionApi(APIView):
    @extend_schema(responses=RetentionOut)
    def get(self, request: Request, network_id: int) -> Response:
        """How long this network keeps messages."""
        network = access_network_by_id(person=request.user, network_id=network_id)
        return Response({"network_id": network.pk, "days": sel.retention_days_of(network=network)})

    @extend_schema(request=RetentionIn, responses=RetentionOut)
    def put(self, request: Request, network_id: int) -> Response:
        """Facilitators set it; older messages are deleted by a scheduled task."""
        network = access_network_by_id(person=request.user, network_id=network_id, roles=FACILITATORS)
        data = RetentionIn(data=request.data)
        data.is_valid(raise_exception=True)
        retention = moderation.do_set_message_retention(network=network, days=data.validated_data["days"])
        return Response({"network_id": network.pk, "days": retention.days})
