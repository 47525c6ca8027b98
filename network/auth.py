"""Token authentication for devices (django-rest-knox, tokens stored hashed).

Infrastructure: the DRF authentication class and its OpenAPI description.
The one write it causes (a device's last use) is an action."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication

from network.models import Device


class DeviceTokenAuthentication(TokenAuthentication):
    def validate_user(self, auth_token: Any) -> tuple[Any, Device]:
        # Imported here: DRF imports this class while defining APIView, and
        # the actions import DRF's views (through the problem details).
        from network.actions import do_note_device_seen

        user, token = super().validate_user(auth_token)
        do_note_device_seen(device=token, now=timezone.now())
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
