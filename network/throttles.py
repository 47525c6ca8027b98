"""Rate limits for the sign-in endpoints: per phone number and per client address.

Counts live in the shared cache (Redis), so every web process sees the same.
"""

from __future__ import annotations

from typing import Any

from phonenumber_field.phonenumber import PhoneNumber
from rest_framework.throttling import SimpleRateThrottle

from foundation.client_address import client_address
from network.serializers.auth import LoginCodeRequestIn


class PerAddressThrottle(SimpleRateThrottle):
    def get_ident(self, request: Any) -> str:
        return client_address(request)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginCodeAddressThrottle(PerAddressThrottle):
    scope = "login_code_address"


class LoginVerifyAddressThrottle(PerAddressThrottle):
    scope = "login_verify_address"


class LoginCodeNumberThrottle(SimpleRateThrottle):
    """Counts requests per destination number. The number is parsed by the same
    serializer field the view validates with, so every spelling it accepts (a
    JSON integer, spaces, dashes, national form, a "00" prefix) keys the one
    E.164 budget: the raw value let a JSON integer skip the limit (issue 12)."""

    scope = "login_code_number"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        phone_number = normalised_phone_number(request)
        if phone_number is None:
            return None  # refused by validation; the per-address limit still counts it
        return self.cache_format % {"scope": self.scope, "ident": phone_number.as_e164}


def normalised_phone_number(request: Any) -> PhoneNumber | None:
    """The request's phone number as the sign-in serializers read it, or None
    when they would refuse it."""
    data = request.data if hasattr(request.data, "get") else {}
    parsed = LoginCodeRequestIn(data={"phone_number": data.get("phone_number")})
    if not parsed.is_valid():
        return None
    return parsed.validated_data["phone_number"]
