"""Serializer fields shared by the network app's serializers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

WALL_CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


@extend_schema_field(
    {"type": "string", "pattern": WALL_CLOCK_PATTERN, "example": "20:00", "description": "HH:MM local time"}
)
class WallClockTimeField(serializers.TimeField):
    """A local wall-clock time ("20:00", in the network's time zone). Not an
    OpenAPI ``time``: that is RFC 3339's full-time, which needs an offset a
    weekly 20:00 shift does not have (its offset changes with the clocks)."""
