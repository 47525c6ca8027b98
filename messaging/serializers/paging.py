"""Paging (issue 17): a person's rules, transports, flags and test pages, and
the desk's list of people whose pages fail. Output only, except the rules."""

from __future__ import annotations

from rest_framework import serializers

TRANSPORTS = ["push", "sms", "voice"]


class RuleSerializer(serializers.Serializer):
    transport = serializers.ChoiceField(choices=TRANSPORTS)
    after_seconds = serializers.IntegerField(
        help_text="seconds after the page is sent; 0 to 1800, not less than the step before"
    )


class RulesIn(serializers.Serializer):
    """Checked by messaging.actions.paging.check_rules (each error names its code:
    invalid_rules, invalid_transport, invalid_after_seconds, duplicate_transport,
    rules_out_of_order, voice_not_configured)."""

    rules = RuleSerializer(many=True, help_text="1 to 3 steps, in order")


class TransportOut(serializers.Serializer):
    available = serializers.BooleanField()
    detail = serializers.CharField(help_text='e.g. "On 2 devices", "To the number ending 001"')


class TransportsOut(serializers.Serializer):
    push = TransportOut()
    sms = TransportOut()
    voice = TransportOut()


class FlagOut(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["test_page_overdue", "test_page_unacknowledged", "no_working_channel", "pages_failing"]
    )
    message = serializers.CharField()
    raised_at = serializers.DateTimeField()


class ReachabilityOut(serializers.Serializer):
    reachable = serializers.BooleanField(help_text="no open flag")
    flags = FlagOut(many=True)


class TestPageDeliveryOut(serializers.Serializer):
    transport = serializers.ChoiceField(choices=TRANSPORTS)
    status = serializers.CharField(help_text="sent, queued, delivered, failed, undelivered, skipped...")
    at = serializers.DateTimeField()
    detail = serializers.CharField(help_text="the provider's short error code, if any")


class TestPageOut(serializers.Serializer):
    __test__ = False  # not a test, whatever pytest thinks of the name

    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_via = serializers.ChoiceField(choices=["app", "sms", "voice"], allow_null=True)
    state = serializers.ChoiceField(choices=["waiting", "acknowledged", "unacknowledged"])
    deliveries = TestPageDeliveryOut(many=True)


class LimitsOut(serializers.Serializer):
    max_steps = serializers.IntegerField()
    max_after_seconds = serializers.IntegerField()


class PagingOut(serializers.Serializer):
    rules = RuleSerializer(many=True, help_text="your ladder: your own steps, or the defaults")
    is_default = serializers.BooleanField()
    defaults = RuleSerializer(many=True)
    transports = TransportsOut()
    reachability = ReachabilityOut()
    last_test_page = TestPageOut(allow_null=True)
    limits = LimitsOut()


class LastFailureOut(serializers.Serializer):
    transport = serializers.ChoiceField(choices=TRANSPORTS)
    status = serializers.CharField()
    at = serializers.DateTimeField()


class PagingPersonOut(serializers.Serializer):
    person_id = serializers.IntegerField()
    membership_id = serializers.IntegerField()
    display_name = serializers.CharField()
    role = serializers.CharField()
    flags = FlagOut(many=True)
    failures_7d = serializers.IntegerField()
    last_failure = LastFailureOut(allow_null=True)
    last_test_acknowledged_at = serializers.DateTimeField(allow_null=True)
    next_shift_at = serializers.DateTimeField(allow_null=True)


class NetworkPagingOut(serializers.Serializer):
    people = PagingPersonOut(
        many=True, help_text="people with an open flag or a failed page in 7 days, flagged first"
    )
