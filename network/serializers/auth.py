from __future__ import annotations

from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from network.models import Device, Person


class LoginCodeRequestIn(serializers.Serializer):
    phone_number = PhoneNumberField()


class LoginCodeRequestOut(serializers.Serializer):
    detail = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="seconds the code stays valid")


class SignInIn(serializers.Serializer):
    phone_number = PhoneNumberField()
    code = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": "Enter the 6-digit code."})
    display_name = serializers.CharField(
        max_length=80, required=False, allow_blank=True, help_text="used only for a new account"
    )
    device_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    credential = serializers.ChoiceField(
        choices=["token", "cookie"],
        default="token",
        help_text=(
            "token: the answer carries the device token (native apps). cookie: the token is set as an "
            "HttpOnly, SameSite=Strict cookie and never shown to the page (the web app); unsafe "
            "requests then need the X-CSRFToken header with the csrftoken cookie's value"
        ),
    )


class PersonOut(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "phone_number", "display_name", "date_joined"]


class PersonUpdateIn(serializers.Serializer):
    display_name = serializers.CharField(max_length=80)


class SignInOut(serializers.Serializer):
    token = serializers.CharField(
        allow_null=True, help_text="send as 'Authorization: Token <token>'; null when it went into the cookie"
    )
    expiry = serializers.DateTimeField(allow_null=True)
    device_id = serializers.CharField()
    person = PersonOut()
    created = serializers.BooleanField(help_text="true when this sign-in created the account")


class DeviceOut(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id")
    current = serializers.SerializerMethodField()

    class Meta:
        model = Device
        fields = ["id", "name", "created", "expiry", "last_seen_at", "current"]

    def get_current(self, device: Device) -> bool:
        request = self.context.get("request")
        return bool(request and getattr(request.auth, "digest", None) == device.digest)


class WebsocketTicketOut(serializers.Serializer):
    ticket = serializers.CharField()
    expires_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="connect here within the ticket's lifetime")
