from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from network.models import Device, Membership, Network, Person


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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area"]
    search_fields = ["name", "area"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
