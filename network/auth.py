"""Token authentication for devices (django-rest-knox, tokens stored hashed).

Infrastructure: the DRF authentication classes and their OpenAPI description.
The one write they cause (a device's last use) is an action.

Two ways to carry the same device token:
- native apps send ``Authorization: Token <token>``;
- the web app (app/) never sees its token: sign-in with ``"credential": "cookie"``
  puts it in an HttpOnly, SameSite=Strict cookie (Secure outside local
  development), so no script in the page, injected or not, can read it.
  A cookie is sent by the browser on its own, so every unsafe request made
  with it must also pass Django's CSRF check (the ``X-CSRFToken`` header
  carrying the ``csrftoken`` cookie, and a same-origin ``Origin``), as DRF's
  SessionAuthentication does. A request with the header is not checked for
  CSRF: a browser cannot be made to send that header cross-site."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from network.models import Device


class DeviceTokenAuthentication(TokenAuthentication):
    def validate_user(self, auth_token: Any) -> tuple[Any, Device]:
        # Imported here: DRF imports this class while defining APIView, and
        # the actions import DRF's views (through the problem details).
        from network.actions import do_note_device_seen

        user, token = super().validate_user(auth_token)
        do_note_device_seen(device=token, now=timezone.now())
        return user, token


class DeviceCookieAuthentication(DeviceTokenAuthentication):
    """The web app's device token, from its HttpOnly cookie, with CSRF checked
    on every unsafe method."""

    def authenticate(self, request: Any) -> tuple[Any, Device] | None:
        raw = request.COOKIES.get(settings.DEVICE_COOKIE_NAME)
        if not raw:
            return None
        user, device = self.authenticate_credentials(raw.encode())
        self.enforce_csrf(request)
        return user, device

    def authenticate_header(self, request: Any) -> str:
        # 401, not 403, for a missing or dead cookie: the app signs in again.
        return "Cookie"

    @staticmethod
    def enforce_csrf(request: Any) -> None:
        try:
            SessionAuthentication().enforce_csrf(request)
        except exceptions.PermissionDenied as refused:
            raise CsrfFailed(str(refused.detail)) from None


class CsrfFailed(exceptions.PermissionDenied):
    default_code = "csrf_failed"


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


class DeviceCookieScheme(OpenApiAuthenticationExtension):
    """Describes the web app's cookie in the OpenAPI schema."""

    target_class = DeviceCookieAuthentication
    name = "deviceCookie"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.DEVICE_COOKIE_NAME,
            "description": (
                "The web app's device token, set HttpOnly by /api/v1/auth/sign-in/ with "
                '"credential": "cookie". Unsafe methods also need the X-CSRFToken header '
                "(the value of the csrftoken cookie) and a same-origin Origin."
            ),
        }
