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
    "Membership changed in one of your networks: you joined, left, were marked ready, or (for "
    "navigators and facilitators) someone asked to join, was invited, joined or left. "
    "'change' is a MembershipChange kind; 'role' is the person's role now, if any.",
    obj(
        {
            "network": NETWORK_REF,
            "person": {"oneOf": [PERSON_REF, {"type": "null"}]},
            "change": {"type": "string"},
            "role": NULLABLE_STRING,
        }
    ),
)

ALERT_STATES = {"enum": ["open", "taken", "resolved", "cancelled"]}
EMERGENCY_ROUTES = {
    "type": "array",
    "items": obj({"label": STRING, "number": STRING, "how": STRING}, optional=("how",)),
}

ALERT_OFFERED = register(
    "alert.offered",
    "Someone in your network needs support: take it or decline. No crisis content: "
    "fetch GET /api/v1/alerts/{alert_id}/ for what you may see.",
    obj(
        {
            "alert_id": STRING,
            "network": NETWORK_REF,
            "member": PERSON_REF,
            "urgency": STRING,
            "kind": {"enum": ["peer", "staff", "handover"]},
            "step": INTEGER,
            "reminder": {"type": "boolean"},
        }
    ),
)

ALERT_WITHDRAWN = register(
    "alert.withdrawn",
    "An alert you were offered no longer needs you (someone took it, the member is OK, "
    "it was resolved, or it came back to escalation from you).",
    obj(
        {
            "alert_id": STRING,
            "reason": {"enum": ["taken", "cancelled", "resolved", "returned", "handed_over"]},
        }
    ),
)

ALERT_STATUS = register(
    "alert.status",
    "The live status of an alert, for the member who raised it and the peer who holds it.",
    obj(
        {
            "alert_id": STRING,
            "state": ALERT_STATES,
            "stage": {
                "enum": [
                    "finding_someone",
                    "offered",
                    "taken",
                    "next_step",
                    "staff_told",
                    "returned",
                    "cancelled",
                    "resolved",
                ]
            },
            "step": INTEGER,
            "offered_count": INTEGER,
            "taken_by": {"oneOf": [PERSON_REF, {"type": "null"}]},
            "staff_told": {"type": "boolean"},
            "emergency_routes": {"oneOf": [EMERGENCY_ROUTES, {"type": "null"}]},
        }
    ),
)

ALERT_REMINDER = register(
    "alert.reminder",
    "You took an alert but have not made contact yet: reach the member now, or hand it over.",
    obj({"alert_id": STRING, "returns_at": DATETIME}),
)

FOLLOW_UP_DUE = register(
    "alert.follow_up_due",
    "Time for the check-in the member asked for after a crisis.",
    obj({"alert_id": STRING, "member": PERSON_REF}),
)
