"""Operators' view of alerts, conversations and events: metadata only, and
read only. No page shows or decrypts an alert's details, a message, a debrief
or a decline reason (those fields are never listed here), and every change is
an action that sends the events and runs the escalation. Also a warning on the
networks list when a network has nobody at its staff step (its alerts then
rely on the service's on-duty staff, or reach no professional at all)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse

from messaging import recipients
from messaging.models import (
    Alert,
    AlertDebrief,
    Block,
    Conversation,
    EscalationStepRun,
    Event,
    EventSequence,
    FollowUp,
    Message,
    MessageReport,
    MessageRetention,
    MessagingPreference,
    Offer,
    Participant,
    PushSubscription,
)
from network.admin import NetworkAdmin, ReadOnlyAdmin
from network.models import Network


class NetworkWithStaffStepAdmin(NetworkAdmin):
    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        lonely = recipients.networks_without_a_staff_step()
        if lonely:
            fallback = (
                f"the on-duty staff group {settings.SERVICE_ON_DUTY_STAFF_GROUP!r} "
                f"({len(recipients.on_duty_staff())} people)"
            )
            messages.warning(
                request,
                f"{len(lonely)} network(s) have nobody at the staff step (no facilitator or navigator): "
                f"{', '.join(n.name for n in lonely)}. Their alerts go to {fallback}.",
            )
        return super().changelist_view(request, extra_context)


admin.site.unregister(Network)
admin.site.register(Network, NetworkWithStaffStepAdmin)


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["pk", "network", "urgency", "state", "step", "raised_at", "taken_by", "closed_at"]
    list_filter = ["state", "urgency", "network"]
    fields = [
        "member",
        "network",
        "routing_network_ids",
        "urgency",
        "state",
        "policy",
        "step",
        "next_step_due_at",
        "staff_notified_at",
        "emergency_routes_shown_at",
        "taken_by",
        "taken_at",
        "first_contact_at",
        "contact_check_due_at",
        "contact_reminded_at",
        "raised_at",
        "closed_at",
    ]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["alert", "person", "kind", "step", "state", "offered_at", "delivered_at"]
    list_filter = ["state", "kind"]
    fields = [
        "alert",
        "person",
        "network",
        "kind",
        "step",
        "state",
        "offered_at",
        "notified_at",
        "responded_at",
        "released_at",
        "delivered_at",
        "push_sent_at",
        "sms_sent_at",
        "times_notified",
    ]  # the decline reason is sealed with the decliner's key


@admin.register(EscalationStepRun)
class EscalationStepRunAdmin(ReadOnlyAdmin):
    list_display = ["alert", "step", "due_at", "ran_at", "offered"]
    fields = list_display


@admin.register(AlertDebrief)
class AlertDebriefAdmin(ReadOnlyAdmin):
    list_display = ["alert", "author", "emergency_services", "follow_up_wanted", "created_at"]
    list_filter = ["emergency_services"]
    fields = list_display  # how it went is sealed: the member's crisis


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["alert", "member", "check_in_by", "due_at", "prompted_at"]
    fields = list_display


@admin.register(PushSubscription)
class PushSubscriptionAdmin(ReadOnlyAdmin):
    """Who has a subscription; never its endpoint or keys (whoever holds
    them can push to the person's device)."""

    list_display = ["person", "created_at"]
    fields = list_display


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "network", "alert", "last_order", "created_at"]
    list_filter = ["kind"]
    fields = ["kind", "network", "alert", "last_order", "created_at"]


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["conversation", "person", "joined_at", "read_through", "muted"]
    fields = [
        "conversation",
        "person",
        "joined_at",
        "delivered_through",
        "read_through",
        "muted",
        "muted_until",
        "pending_since",
        "push_sent_at",
        "sms_sent_at",
    ]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["conversation", "order", "author", "kind", "created_at", "deleted_at"]
    list_filter = ["kind"]
    fields = [
        "conversation",
        "order",
        "author",
        "kind",
        "follow_up",
        "created_at",
        "deleted_at",
        "deleted_by",
    ]


@admin.register(MessageReport)
class MessageReportAdmin(ReadOnlyAdmin):
    list_display = ["message", "reporter", "network", "reason", "created_at", "handled_at"]
    list_filter = ["reason", "network"]
    fields = list_display


@admin.register(MessagingPreference)
class MessagingPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["person", "direct_messages"]
    fields = list_display


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    fields = list_display


@admin.register(MessageRetention)
class MessageRetentionAdmin(ReadOnlyAdmin):
    list_display = ["network", "days", "updated_at"]
    fields = list_display


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["person", "seq", "type", "created_at"]
    list_filter = ["type"]
    fields = list_display  # the payload stays in the pipeline


@admin.register(EventSequence)
class EventSequenceAdmin(ReadOnlyAdmin):
    list_display = ["person", "last_seq", "acked_seq"]
    fields = list_display
