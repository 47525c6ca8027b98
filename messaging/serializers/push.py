from __future__ import annotations

from rest_framework import serializers

from messaging.models import PushSubscription


class PushSubscriptionIn(serializers.Serializer):
    endpoint = serializers.URLField(max_length=1000)
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class PushSubscriptionOut(serializers.ModelSerializer):
    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "created_at"]


class VapidPublicKeyOut(serializers.Serializer):
    public_key = serializers.CharField(
        help_text=(
            "The service's VAPID public key: base64url (no padding) of the uncompressed "
            "P-256 point, for PushManager.subscribe({applicationServerKey})."
        )
    )
