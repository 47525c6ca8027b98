"""Operators' view of plans: metadata only. No page shows or decrypts plan
content (revisions, comments, break-glass reasons are ciphertext, and their
fields are never listed here), and nothing is written here: every change to a
plan is an action that logs, tells the owner or checks consent."""

from __future__ import annotations

from django.contrib import admin

from crisisplans.models import (
    AccessRecord,
    BreakGlass,
    CoAuthor,
    Comment,
    CopingStrategy,
    DataKey,
    OwnerNotice,
    Plan,
    PlanPolicy,
    PlanShare,
    Revision,
    SectionConsent,
    SignOff,
)
from network.admin import ReadOnlyAdmin


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["pk", "owner", "created_at", "active_revision", "review_due_at", "review_prompted_at"]
    fields = ["owner", "created_at", "active_revision", "review_due_at", "review_prompted_at"]


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "author", "created_at", "changed_sections"]
    fields = ["plan", "number", "author", "created_at", "changed_sections"]  # names, never content


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["plan", "revision", "signed_by", "signed_at", "review_due_at"]
    fields = list_display


@admin.register(CoAuthor)
class CoAuthorAdmin(ReadOnlyAdmin):
    list_display = ["plan", "person", "invited_at", "removed_at"]
    fields = list_display


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["plan", "revision", "section", "author", "created_at"]
    fields = list_display


@admin.register(SectionConsent)
class SectionConsentAdmin(ReadOnlyAdmin):
    list_display = ["plan", "audience", "section", "granted_at", "withdrawn_at"]
    list_filter = ["audience", "section"]
    fields = list_display


@admin.register(BreakGlass)
class BreakGlassAdmin(ReadOnlyAdmin):
    list_display = ["plan", "reader", "created_at", "expires_at"]
    fields = list_display  # the reason is sealed with the owner's key


@admin.register(OwnerNotice)
class OwnerNoticeAdmin(ReadOnlyAdmin):
    list_display = ["owner", "kind", "created_at", "text_due_at", "texted_at", "text_failed_at"]
    list_filter = ["kind"]
    fields = [
        "owner",
        "kind",
        "break_glass",
        "alert_id",
        "co_author",
        "created_at",
        "text_due_at",
        "text_attempts",
        "texted_at",
        "text_failed_at",
    ]


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    """The access log is append-only (the model and, on PostgreSQL, a trigger
    refuse changes)."""

    list_display = ["created_at", "plan", "reader", "reader_role", "reason", "channel"]
    list_filter = ["reason", "channel"]
    fields = [
        "plan",
        "owner",
        "reader",
        "reader_role",
        "reason",
        "reason_ref",
        "channel",
        "revision_number",
        "sections",
        "created_at",
    ]


@admin.register(DataKey)
class DataKeyAdmin(ReadOnlyAdmin):
    """Which master key wraps whose data key; never the key itself."""

    list_display = ["key_id", "person", "master_key_id", "created_at", "rewrapped_at"]
    fields = list_display


@admin.register(PlanPolicy)
class PlanPolicyAdmin(ReadOnlyAdmin):
    list_display = ["network", "alert_grace_hours", "updated_at"]
    fields = list_display


@admin.register(CopingStrategy)
class CopingStrategyAdmin(ReadOnlyAdmin):
    """The network's shared library: words members chose to share with the
    whole network (not plan content), added through do_add_coping_strategy."""

    list_display = ["__str__", "network", "show_author", "created_at"]
    list_filter = ["network"]
    fields = ["network", "author", "show_author", "text", "created_at"]


@admin.register(PlanShare)
class PlanShareAdmin(ReadOnlyAdmin):
    """When shares were made and ended; never the code, its hash or the label."""

    list_display = ["pk", "plan", "created_at", "expires_at", "revoked_at", "code_wiped_at"]
    fields = [
        "plan",
        "owner",
        "sections",
        "show_name",
        "created_at",
        "expires_at",
        "revoked_at",
        "code_wiped_at",
    ]
