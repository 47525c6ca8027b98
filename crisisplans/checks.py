"""A deploy check: production must never run on the development master key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def plan_master_key_is_not_the_development_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.PLAN_DEVELOPMENT_MASTER_KEY in settings.PLAN_MASTER_KEYS:
        return [
            Error(
                "PLAN_MASTER_KEYS holds the development key.",
                hint="Generate 32 random bytes, base64-encode them, and deploy them as the first entry.",
                id="crisisplans.E001",
            )
        ]
    return []
