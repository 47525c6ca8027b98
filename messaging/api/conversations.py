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

from foundation.idempotency import HEADER, client_key_from
from foundation.pagination import Pagination
from messaging.actions import conversations as actions
from messaging.models import Conversation, Message
from messaging.selectors import conversations as sel
from messaging.serializers.conversations import (
    ConversationOut,
    MessageOut,
    MuteIn,
    MuteOut,
    PersonIdIn,
    ReceiptsIn,
    ReceiptsOut,
    SendMessageIn,
)
from network.models import Person
from network.selectors import access_network_by_id

IDEMPOTENCY_HEADER = OpenApiParameter(
    HEADER, str, OpenApiParameter.HEADER, required=True, description="client-made; a retry reuses it"
)


def person_body(person: Person | None) -> dict[str, Any] | None:
    return None if person is None else {"id": person.pk, "display_name": person.display_name}


def conversation_body(
    *, conversation: Conversation, person: Person, unread: int | None = None
) -> dict[str, Any]:
    state = sel.state_for(conversation=conversation, person=person)
    people = []
    # A group or a proposal's discussion is the network's members, not a list.
    if conversation.kind not in (Conversation.Kind.GROUP, Conversation.Kind.PROPOSAL):
        people = [
            person_body(p.person)
            for p in conversation.participants.select_related("person").order_by("joined_at", "pk")
        ]
    return ConversationOut(
        {
            "id": conversation.pk,
            "kind": conversation.kind,
            "network": {"id": conversation.network_id, "name": conversation.network.name},
            "alert_id": conversation.alert_id,
            "rule_proposal_id": conversation.rule_proposal_id,
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
            "author": person_body(message.author),
            "author_deleted": sel.author_deleted(message=message),
            "kind": message.kind,
            "text": sel.message_text(message=message),
            "created_at": message.created_at,
            "deleted": message.deleted_at is not None,
            "status": sel.receipt_status(message=message, viewer=viewer, watermarks=watermarks),
        }
    ).data


def sent_response(sent: actions.Sent, person: Person) -> Response:
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
        return sent_response(sent, request.user)


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
