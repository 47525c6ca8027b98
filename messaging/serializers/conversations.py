from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from messaging.models import Conversation, Message
from messaging.serializers.alerts import PersonRef

AUTHOR_DELETED_HELP = (
    "true when the author deleted their account: author and text are null; show "
    '"a deleted account" in place of the sender and the text'
)


class NetworkRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ConversationOut(serializers.Serializer):
    """A conversation as the caller sees it: ``people`` for alert and direct
    conversations (a group conversation, and a proposal's discussion, is the
    network's members)."""

    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=Conversation.Kind.choices)
    network = NetworkRef()
    alert_id = serializers.UUIDField(allow_null=True)
    rule_proposal_id = serializers.IntegerField(
        allow_null=True, help_text="a proposal's discussion: the rule-change proposal it is about"
    )
    people = PersonRef(many=True)
    last_order = serializers.IntegerField(help_text="the order of the newest message (0: none yet)")
    unread = serializers.IntegerField()
    read_through = serializers.IntegerField()
    delivered_through = serializers.IntegerField()
    muted = serializers.BooleanField()
    muted_until = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class MessageOut(serializers.Serializer):
    id = serializers.UUIDField()
    conversation_id = serializers.UUIDField()
    order = serializers.IntegerField(help_text="gap-free within the conversation, assigned by the server")
    author = PersonRef(allow_null=True, help_text="null when author_deleted")
    author_deleted = serializers.BooleanField(help_text=AUTHOR_DELETED_HELP)
    kind = serializers.ChoiceField(choices=Message.Kind.choices)
    text = serializers.CharField(allow_null=True, help_text="null once deleted, or when author_deleted")
    created_at = serializers.DateTimeField()
    deleted = serializers.BooleanField()
    status = serializers.ChoiceField(
        choices=["sent", "delivered", "read"],
        allow_null=True,
        help_text="for your own messages: whether everyone else has it, and has read it",
    )


class SendMessageIn(serializers.Serializer):
    text = serializers.CharField(max_length=settings.MESSAGE_MAX_CHARS, trim_whitespace=False)


class ReceiptsIn(serializers.Serializer):
    delivered_through = serializers.IntegerField(min_value=0, required=False)
    read_through = serializers.IntegerField(min_value=0, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give delivered_through, read_through or both.")
        return attrs


class ReceiptsOut(serializers.Serializer):
    delivered_through = serializers.IntegerField()
    read_through = serializers.IntegerField()


class MuteIn(serializers.Serializer):
    muted = serializers.BooleanField()
    until = serializers.DateTimeField(required=False, allow_null=True, default=None)


class MuteOut(serializers.Serializer):
    muted = serializers.BooleanField()
    muted_until = serializers.DateTimeField(allow_null=True)


class PersonIdIn(serializers.Serializer):
    person_id = serializers.IntegerField()
