"""Token authentication for devices (django-rest-knox, tokens stored hashed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication

from network.models import Device

# Writing last_seen_at on every request would turn reads into writes; once a
# minute is enough for a device list.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


class DeviceTokenAuthentication(TokenAuthentication):
    def validate_user(self, auth_token: Any) -> tuple[Any, Device]:
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_seen_at is None or now - token.last_seen_at > LAST_SEEN_RESOLUTION:
            Device.objects.filter(pk=token.pk).update(last_seen_at=now)
        return user, token


def authenticate_token(raw_token: str) -> tuple[Any, Device] | None:
    """Resolve a raw device token to (person, device), or None. Used by the
    websocket handshake, which has no DRF request."""
    from rest_framework.exceptions import AuthenticationFailed

    try:
        return DeviceTokenAuthentication().authenticate_credentials(raw_token.encode())
    except AuthenticationFailed:
        return None


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    """Describes device tokens in the OpenAPI schema."""

    target_class = DeviceTokenAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A device token from /api/v1/auth/sign-in/, sent as 'Token <token>'.",
        }
