"""Every event type a person can receive, with the JSON Schema of its data.

One module owns them (Zulip's ``event_types.py`` is the model): actions name an
``EventType`` from here, ``send_event_on_commit`` validates the data against
its schema, and docs/asyncapi.yaml is generated from this registry
(``manage.py write_asyncapi``), so the documentation cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EventType:
    name: str
    summary: str
    data_schema: dict[str, Any]


EVENT_TYPES: dict[str, EventType] = {}


def register(name: str, summary: str, data_schema: dict[str, Any]) -> EventType:
    if name in EVENT_TYPES:
        raise ValueError(f"event type {name} registered twice")
    event_type = EventType(name=name, summary=summary, data_schema=data_schema)
    EVENT_TYPES[name] = event_type
    return event_type


def obj(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """A closed JSON object schema: every property required unless listed optional."""
    return {
        "type": "object",
        "properties": properties,
        "required": [key for key in properties if key not in optional],
        "additionalProperties": False,
    }


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NULLABLE_STRING = {"type": ["string", "null"]}
DATETIME = {"type": "string", "format": "date-time"}
NETWORK_REF = obj({"id": INTEGER, "name": STRING})
PERSON_REF = obj({"id": INTEGER, "display_name": STRING})

MEMBERSHIP_CHANGED = register(
    "membership.changed",
    "A membership in one of your networks changed (you joined, left, or your role changed).",
    obj(
        {
            "network": NETWORK_REF,
            "person": PERSON_REF,
            "change": {"type": "string"},
            "role": NULLABLE_STRING,
        }
    ),
)
