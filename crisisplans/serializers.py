"""Input (``*In``) and output (``*Out``) serializers. Plan content first: one
serializer per section, in the structure of ``crisisplans.sections``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from crisisplans.models import (
    AccessRecord,
    Audience,
    CoAuthor,
    CopingStrategy,
    OwnerNotice,
    PlanPolicy,
    Revision,
)
from crisisplans.sections import PROFESSIONAL_ROLES, SECTION_NAMES
from network.models import Person

MAX_ITEMS = 30


def section_name_field(**kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=SECTION_NAMES, **kwargs)


def _lines(help_text: str = "") -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=1000), max_length=MAX_ITEMS, help_text=help_text
    )


class WhatHelpsIn(serializers.Serializer):
    helps = _lines()
    does_not_help = _lines()


class CopingStrategiesIn(serializers.Serializer):
    own = _lines("strategies in the member's own words")
    from_library = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=MAX_ITEMS,
        help_text="ids of coping strategies from a network library the member belongs to",
    )


class ContactsIn(serializers.Serializer):
    contact_in_order = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=MAX_ITEMS,
        help_text="person ids of peers in the member's networks, first to contact first",
    )
    do_not_contact = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=MAX_ITEMS,
        help_text="person ids in the member's networks who must not be contacted",
    )
    do_not_contact_notes = serializers.CharField(
        max_length=1000, allow_blank=True, required=False, default=""
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        both = set(attrs["contact_in_order"]) & set(attrs["do_not_contact"])
        if both:
            raise serializers.ValidationError("Nobody can be both a contact and someone not to contact.")
        if len(set(attrs["contact_in_order"])) != len(attrs["contact_in_order"]):
            raise serializers.ValidationError({"contact_in_order": ["A person appears twice."]})
        return attrs


class ProfessionalContactIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PROFESSIONAL_ROLES)
    name = serializers.CharField(max_length=120)
    phone_number = PhoneNumberField()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        value["phone_number"] = str(value["phone_number"])
        return value


class PracticalNeedsIn(serializers.Serializer):
    children = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    pets = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    medication = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    keys = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    other = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")


class AfterwardsIn(serializers.Serializer):
    check_in_after_hours = serializers.IntegerField(
        min_value=1, max_value=24 * 14, help_text="hours after the crisis ends"
    )
    check_in_from = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=10,
        help_text="person ids of peers in the member's networks",
    )
    notes = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class PlanSectionsIn(serializers.Serializer):
    """Any subset of the sections; unknown names are an error, not ignored."""

    when_well = serializers.CharField(max_length=4000, required=False)
    triggers = _lines()
    warning_signs = _lines()
    what_helps = WhatHelpsIn(required=False)
    coping_strategies = CopingStrategiesIn(required=False)
    reasons_for_living = _lines()
    contacts = ContactsIn(required=False)
    professional_contacts = ProfessionalContactIn(many=True, required=False, max_length=MAX_ITEMS)
    on_call_steps = _lines()
    practical_needs = PracticalNeedsIn(required=False)
    safe_places = _lines()
    out_of_crisis_signs = _lines()
    afterwards = AfterwardsIn(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(SECTION_NAMES))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Not a plan section."] for name in unknown}, code="unknown_section"
                )
        return dict(super().to_internal_value(data))


@extend_schema_field(PlanSectionsIn)
class SectionsField(serializers.DictField):
    """Plan content as written, in the structure of PlanSectionsIn."""


class PersonBriefOut(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "display_name"]


class PlanCreateIn(serializers.Serializer):
    sections = PlanSectionsIn()


class RevisionIn(serializers.Serializer):
    sections = PlanSectionsIn(help_text="only the sections this revision changes")


class PlanOut(serializers.Serializer):
    id = serializers.IntegerField()
    owner = PersonBriefOut()
    created_at = serializers.DateTimeField()
    active_revision = serializers.IntegerField(allow_null=True, help_text="number of the signed-off revision")
    review_due_at = serializers.DateTimeField(allow_null=True)
    review_prompted_at = serializers.DateTimeField(allow_null=True, help_text="set after a crisis")


class ReadingOut(serializers.Serializer):
    plan = PlanOut()
    revision = serializers.IntegerField(allow_null=True, help_text="the revision shown")
    sections = SectionsField(help_text="the sections you may read")
    withheld = serializers.ListField(child=section_name_field())
    why = serializers.DictField(
        child=serializers.CharField(), help_text="per section shown: why you may read it"
    )


class RevisionOut(serializers.ModelSerializer):
    author = PersonBriefOut(allow_null=True)
    signed_off = serializers.SerializerMethodField()

    class Meta:
        model = Revision
        fields = ["number", "author", "created_at", "changed_sections", "signed_off"]

    def get_signed_off(self, revision: Revision) -> bool:
        return revision.sign_offs.exists()


class SectionChangeOut(serializers.Serializer):
    section = section_name_field()
    changed = serializers.BooleanField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class ComparisonOut(serializers.Serializer):
    older = serializers.IntegerField()
    newer = serializers.IntegerField()
    sections = SectionChangeOut(many=True)
    withheld = serializers.ListField(child=section_name_field())


class SignOffIn(serializers.Serializer):
    review_due_at = serializers.DateTimeField(required=False, help_text="default: 90 days from now")


class SignOffOut(serializers.Serializer):
    revision = serializers.IntegerField(source="revision.number")
    signed_by = PersonBriefOut()
    signed_at = serializers.DateTimeField()
    review_due_at = serializers.DateTimeField()


class CommentIn(serializers.Serializer):
    revision = serializers.IntegerField(min_value=1, help_text="revision number")
    section = section_name_field(required=False, default="")
    text = serializers.CharField(max_length=4000)


class CommentOut(serializers.Serializer):
    id = serializers.IntegerField(source="comment.id")
    revision = serializers.IntegerField(source="comment.revision.number")
    section = serializers.CharField(source="comment.section")
    author = PersonBriefOut(source="comment.author", allow_null=True)
    created_at = serializers.DateTimeField(source="comment.created_at")
    text = serializers.CharField()


class CoAuthorIn(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, help_text="person id of someone in your networks")


class CoAuthorOut(serializers.ModelSerializer):
    person = PersonBriefOut()

    class Meta:
        model = CoAuthor
        fields = ["person", "invited_at"]


class ConsentSerializer(serializers.Serializer):
    """Per audience, the sections it may read. PUT replaces it all; a section
    left out is withdrawn at once."""

    co_authors = serializers.ListField(child=section_name_field(), max_length=20)
    navigator = serializers.ListField(child=section_name_field(), max_length=20)
    alert_peer = serializers.ListField(child=section_name_field(), max_length=20)
    care_export = serializers.ListField(child=section_name_field(), max_length=20)

    def validate(self, attrs: dict) -> dict:
        missing = [audience for audience in Audience.values if audience not in attrs]
        if missing:
            raise serializers.ValidationError({name: ["This field is required."] for name in missing})
        return attrs


class BreakGlassIn(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="why you must read this plan now (20+ characters)"
    )


class BreakGlassOut(serializers.Serializer):
    id = serializers.IntegerField(source="break_glass.id")
    expires_at = serializers.DateTimeField(source="break_glass.expires_at")
    reading = ReadingOut()


class AccessRecordOut(serializers.ModelSerializer):
    reader = serializers.SerializerMethodField()
    share_label = serializers.SerializerMethodField(
        help_text="for an open of a share (reason share): whom the share was for, as the owner wrote it"
    )

    class Meta:
        model = AccessRecord
        fields = [
            "id",
            "reader",
            "reader_role",
            "reason",
            "reason_ref",
            "channel",
            "revision_number",
            "sections",
            "reader_agent",
            "share_label",
            "created_at",
        ]

    def get_share_label(self, record: AccessRecord) -> str | None:
        if record.reason != AccessRecord.Reason.SHARE:
            return None
        return self.context.get("share_labels", {}).get(record.reason_ref, "")

    def get_reader(self, record: AccessRecord) -> str:
        names = self.context.get("reader_names", {})
        if record.reason == AccessRecord.Reason.SHARE:
            return "someone you shared it with"
        if record.reader_id is None:
            return "the service"
        return names.get(record.reader_id, "a deleted account")


class NoticeOut(serializers.ModelSerializer):
    break_glass_by = serializers.SerializerMethodField()
    break_glass_reason = serializers.CharField(source="reason", default="")
    co_author = PersonBriefOut(source="co_author.person", default=None, allow_null=True)

    class Meta:
        model = OwnerNotice
        fields = ["id", "kind", "alert_id", "created_at", "break_glass_by", "break_glass_reason", "co_author"]

    def get_break_glass_by(self, notice: OwnerNotice) -> str:
        reader = notice.break_glass.reader if notice.break_glass else None
        return reader.display_name if reader else ""


class CopingStrategyIn(serializers.Serializer):
    network = serializers.IntegerField(min_value=1)
    text = serializers.CharField(max_length=500)
    show_author = serializers.BooleanField(default=False, help_text="show your name with it")


class CopingStrategyOut(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = CopingStrategy
        fields = ["id", "network", "text", "author", "created_at"]

    def get_author(self, strategy: CopingStrategy) -> str:
        return strategy.author.display_name if strategy.show_author and strategy.author else ""


class PlanPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanPolicy
        fields = ["alert_grace_hours"]


class DeleteAccountIn(serializers.Serializer):
    confirm = serializers.CharField(help_text='type "delete my account"')

    def validate_confirm(self, value: str) -> str:
        if value.strip().lower() != "delete my account":
            raise serializers.ValidationError('Type "delete my account" to confirm.')
        return value


# Plan shares (issue 18) ---------------------------------------------------------


class PlanShareIn(serializers.Serializer):
    hours = serializers.IntegerField(help_text="how long it lasts: 1, 24 or 168 (7 days); never unlimited")
    sections = serializers.ListField(
        child=section_name_field(),
        required=False,
        help_text="the parts it shows; by default the ones peers who take your alert may read",
    )
    label = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text='whom it is for, e.g. "Croydon A&E"',
    )
    show_name = serializers.BooleanField(
        required=False, default=False, help_text="show your first name on it"
    )


class PlanShareChangeIn(serializers.Serializer):
    sections = serializers.ListField(child=section_name_field(), help_text="the parts it shows from now on")


class ShareOpensOut(serializers.Serializer):
    count = serializers.IntegerField()
    last_at = serializers.DateTimeField(allow_null=True)


class PlanShareOut(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField()
    label = serializers.CharField()
    sections = serializers.ListField(child=section_name_field())
    show_name = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=["live", "expired", "revoked"])
    opens = ShareOpensOut()
    code = serializers.CharField(allow_null=True, help_text="ABCD-EFGH-JK while live, else null")
    link = serializers.CharField(allow_null=True, help_text="the page the QR code opens, while live")
    qr_svg = serializers.CharField(allow_null=True, help_text="the link's QR code as SVG text, while live")
