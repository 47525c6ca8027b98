from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.http import HttpRequest

from network.models import (
    AlertOffer,
    Asset,
    AssetReport,
    CalendarFeed,
    Device,
    Invitation,
    JoinRequest,
    Membership,
    MembershipChange,
    Network,
    Person,
    Shift,
    ShiftException,
    SwapRequest,
    Tie,
)


@admin.register(Person)
class PersonAdmin(UserAdmin):
    ordering = ["display_name"]
    list_display = ["display_name", "phone_number", "is_staff", "is_active", "date_joined"]
    search_fields = ["display_name", "phone_number"]
    list_filter = ["is_staff", "is_active"]
    fieldsets = (
        (None, {"fields": ("phone_number", "display_name", "password")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("phone_number", "display_name", "password1", "password2")}),
    )


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "created", "expiry", "last_seen_at"]
    fields = ["user", "name", "created", "expiry", "last_seen_at"]
    readonly_fields = fields


class ReadOnlyAdmin(admin.ModelAdmin):
    """Operators read these rows; nobody writes them here. Every change to them
    is an action (network/actions, crisisplans/actions, messaging/actions) that
    keeps the history, sends the events and checks who may: a save in the admin
    would skip all three."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


MEMBERSHIP_FIELDS = ["person", "network", "role", "joined_at", "left_at", "ready_for_on_call_at"]


class MembershipInline(admin.TabularInline):
    """Who is in the network, read only: joining, leaving and role changes go
    through network.actions, which write the history and tell the people."""

    model = Membership
    extra = 0
    fields = readonly_fields = MEMBERSHIP_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area", "size_cap"]
    search_fields = ["name", "area"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Read only: a role or a leaving date set here would skip the membership
    history and the events (network.actions.membership writes both)."""

    list_display = MEMBERSHIP_FIELDS
    list_filter = ["role", "network"]
    search_fields = ["person__display_name", "network__name"]


@admin.register(MembershipChange)
class MembershipChangeAdmin(ReadOnlyAdmin):
    """The history is a record: staff read it, nobody edits it. The reason is
    the person's words, sealed at rest: not shown here."""

    list_display = ["at", "network", "kind", "person", "actor"]
    list_filter = ["kind", "network"]
    fields = readonly_fields = ["network", "person", "invited_phone_number", "kind", "actor", "at"]


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin):
    """Read only: a status set here would admit nobody and tell nobody
    (do_accept_join_request / do_decline_join_request do both)."""

    list_display = ["person", "network", "status", "created_at", "decided_by"]
    list_filter = ["status", "network"]
    # The applicant's note and the decision's reason are sealed personal text.
    exclude = ["note", "decision_reason"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Read only, for the same reason as join requests."""

    list_display = ["phone_number", "network", "role", "status", "created_at", "invited_by"]
    list_filter = ["status", "network"]
    exclude = ["note"]  # sealed personal text


class ShiftExceptionInline(admin.TabularInline):
    model = ShiftException
    extra = 0
    fk_name = "shift"
    autocomplete_fields = ["taken_by"]
    exclude = ["created_by"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["person", "network", "start_date", "start_time", "duration", "rrule", "is_active"]
    list_filter = ["network", "is_active"]
    autocomplete_fields = ["person"]
    exclude = ["created_by"]
    inlines = [ShiftExceptionInline]


@admin.register(AlertOffer)
class AlertOfferAdmin(ReadOnlyAdmin):
    """A record of whom the alerts asked and what they answered (written by
    do_record_alert_offers / do_record_alert_response): read only."""

    list_display = ["person", "network", "offered_at", "response", "responded_at"]
    list_filter = ["network", "response"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["person", "network", "scope", "created_at", "revoked_at"]
    fields = ["person", "network", "scope", "created_at", "revoked_at"]
    readonly_fields = ["person", "network", "scope", "created_at"]


class AssetReportInline(admin.TabularInline):
    model = AssetReport
    extra = 0
    fields = ["kind", "note", "status", "created_at", "resolution_note"]
    readonly_fields = ["created_at"]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["service_name", "organization_name", "network", "is_closed", "last_checked_at"]
    list_filter = ["network", "is_closed", "is_formal_service"]
    search_fields = ["service_name", "organization_name"]
    exclude = ["created_by"]
    inlines = [AssetReportInline]
    # A web address typed without a scheme means https (Django 6's default;
    # saying so now also silences its deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Tie)
class TieAdmin(admin.ModelAdmin):
    """Staff see that ties exist (for support); labels are the member's own words."""

    list_display = ["owner", "kind", "strength", "visibility"]
    exclude = ["label", "relationship"]
    list_filter = ["kind", "visibility"]
    autocomplete_fields = ["owner", "linked_person"]


@admin.register(SwapRequest)
class SwapRequestAdmin(ReadOnlyAdmin):
    """Read only: accepting here would skip the checks and the swap itself
    (do_accept_swap_request writes both)."""

    list_display = ["shift", "occurrence_start", "asked", "asked_by", "state", "created_at", "answered_at"]
    list_filter = ["state"]
