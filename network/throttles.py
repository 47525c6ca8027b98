"""Rate limits for the sign-in endpoints: per phone number and per client address.

Counts live in the shared cache (Redis), so every web process sees the same.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class PerAddressThrottle(SimpleRateThrottle):
    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginCodeAddressThrottle(PerAddressThrottle):
    scope = "login_code_address"


class LoginVerifyAddressThrottle(PerAddressThrottle):
    scope = "login_verify_address"


class LoginCodeNumberThrottle(SimpleRateThrottle):
    """Counts requests per destination number, normalised to E.164 so that
    "07700 900001" and "+447700900001" share one budget."""

    scope = "login_code_number"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        raw = request.data.get("phone_number") if hasattr(request.data, "get") else None
        if not isinstance(raw, str) or not raw.strip():
            return None
        try:
            parsed = phonenumbers.parse(raw, settings.PHONENUMBER_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            return None  # refused by validation; the per-address limit still counts it
        ident = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        return self.cache_format % {"scope": self.scope, "ident": ident}
