"""Every event type a person can receive, with the JSON Schema of its data.

One module owns them (Zulip's ``event_types.py`` is the model): actions name an
``EventType`` from here, ``send_event_on_commit`` validates the data against
its schema, and docs/asyncapi.yaml is generated from this registry
(``manage.py write_asyncapi``), so the documentation cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator


@dataclass(frozen=True)
class EventType:
    name: str
    summary: str
    data_schema: dict[str, Any]
    # Checked once here, so validating each event does not re-check the schema.
    validator: Draft202012Validator = field(compare=False, repr=False)


EVENT_TYPES: dict[str, EventType] = {}


def register(name: str, summary: str, data_schema: dict[str, Any]) -> EventType:
    if name in EVENT_TYPES:
        raise ValueError(f"event type {name} registered twice")
    Draft202012Validator.check_schema(data_schema)
    event_type = EventType(
        name=name, summary=summary, data_schema=data_schema, validator=Draft202012Validator(data_schema)
    )
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


def person_ref(person: Any) -> dict[str, Any] | None:
    """A person as events name them (PERSON_REF); None for nobody."""
    return None if person is None else {"id": person.pk, "display_name": person.display_name}


def network_ref(network: Any) -> dict[str, Any]:
    """A network as events name them: its id and name."""
    return {"id": network.pk, "name": network.name}


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
                    "staff_unreachable",
                    "returned",
                    "cancelled",
                    "resolved",
                ]
            },
            "step": INTEGER,
            "offered_count": INTEGER,
            "taken_by": {"oneOf": [PERSON_REF, {"type": "null"}]},
            "staff_told": {"type": "boolean"},
            "staff_unreachable": {"type": "boolean"},
            "emergency_routes": {"oneOf": [EMERGENCY_ROUTES, {"type": "null"}]},
            "first_contact_at": {"oneOf": [DATETIME, {"type": "null"}]},
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

# --- Conversations and messages (issue 6) --------------------------------------
# No event holds message text: events are kept for EVENT_RETENTION_DAYS in one
# table for every kind of event, outside the message's encryption, its network's
# retention period and its deletion. Clients fetch the text over REST.
UUID = {"type": "string", "format": "uuid"}
CONVERSATION_KINDS = {"enum": ["alert", "direct", "group", "proposal"]}

MESSAGE_NEW = register(
    "message.new",
    "A new message in one of your conversations (also sent to the author's other devices). "
    "It carries no text, by design: events outlive a message's deletion and its network's "
    "retention period and are not encrypted, so the text is fetched with "
    "GET /api/v1/conversations/{conversation_id}/messages/?after={order - 1}, which checks "
    "that you still take part and returns the text decrypted.",
    obj(
        {
            "conversation_id": UUID,
            "conversation_kind": CONVERSATION_KINDS,
            "message_id": UUID,
            "order": INTEGER,
            "kind": {"enum": ["text", "check_in", "follow_up"]},
            "author": {"oneOf": [PERSON_REF, {"type": "null"}]},
            "sent_at": DATETIME,
        }
    ),
)

MESSAGE_DELETED = register(
    "message.deleted",
    "A message was deleted by its author or removed by a facilitator or navigator: drop its text.",
    obj(
        {
            "conversation_id": UUID,
            "message_id": UUID,
            "order": INTEGER,
            "by": {"enum": ["author", "moderator"]},
        }
    ),
)

MESSAGE_RECEIPT = register(
    "message.receipt",
    "Someone else in a conversation has received (delivered_through) or read (read_through) "
    "every message up to that order.",
    obj(
        {
            "conversation_id": UUID,
            "person": PERSON_REF,
            "delivered_through": INTEGER,
            "read_through": INTEGER,
        }
    ),
)

CONVERSATION_ADDED = register(
    "conversation.added",
    "You are now in a conversation (an alert you raised or took, or a direct conversation "
    "someone started with you).",
    obj(
        {
            "conversation_id": UUID,
            "kind": CONVERSATION_KINDS,
            "network": NETWORK_REF,
            "alert_id": NULLABLE_STRING,
        }
    ),
)

MESSAGE_REPORTED = register(
    "message.reported",
    "A message in your network was reported to its facilitators: see GET /api/v1/message-reports/.",
    obj({"report_id": INTEGER, "network": NETWORK_REF, "reason": STRING}),
)


PLAN_NOTICE = register(
    "plan.notice",
    "Something about your crisis plan you should know: a facilitator read it without your "
    "consent (break_glass), it is time to review it (review_after_crisis, review_due), or a "
    "co-author no longer shares a network with you and stopped reading it (co_author_ended). "
    "Details at GET /api/v1/plan-notices/.",
    obj(
        {
            "notice_id": INTEGER,
            "kind": {"enum": ["break_glass", "review_after_crisis", "review_due", "co_author_ended"]},
        }
    ),
)


# --- The desk's alert board (issue 15, helper "alerts") --------------------------
# The navigators and facilitators of an alert's network hear that it moved,
# with no crisis content and no names: the board fetches
# GET /api/v1/networks/{id}/alerts/ for what they may see.
ALERT_BOARD = register(
    "alert.board",
    "An alert in a network you navigate or facilitate moved (raised, offered, taken, staff "
    "told, resolved...). No crisis content: fetch GET /api/v1/networks/{network.id}/alerts/.",
    obj({"alert_id": STRING, "network": NETWORK_REF, "state": ALERT_STATES, "stage": STRING}),
)

# --- The rota (issue 15) ----------------------------------------------------------
# Times are instants (UTC offsets included); the app shows them in the network's
# time. No crisis content: who, which shift, when.
SHIFT_TIMES = {"network": NETWORK_REF, "shift_id": INTEGER, "start": DATETIME, "end": DATETIME}

SHIFT_STARTING = register(
    "shift.starting",
    "Your on-call shift starts soon (SHIFT_REMINDER_BEFORE_MINUTES before it starts; a swapped "
    "shift's reminder goes to whoever took it). Sent once per shift and person.",
    obj(SHIFT_TIMES),
)

SHIFT_ENDED = register(
    "shift.ended",
    "Your on-call shift has ended. Sent once per shift and person.",
    obj(SHIFT_TIMES),
)

SWAP_REQUEST = {
    "request_id": INTEGER,
    "network": NETWORK_REF,
    "shift_id": INTEGER,
    "occurrence_start": DATETIME,
    "asked": PERSON_REF,
    "asked_by": {"oneOf": [PERSON_REF, {"type": "null"}]},
    "shift_person": PERSON_REF,
}

SWAP_REQUESTED = register(
    "swap.requested",
    "Someone asked you to take one of their shifts (or, for the peer whose shift it is, a navigator "
    "or facilitator asked someone on your behalf). Answer at POST "
    "/api/v1/swap-requests/{request_id}/accept/ or decline/; see GET /api/v1/me/swap-requests/.",
    obj(SWAP_REQUEST),
)

SWAP_ANSWERED = register(
    "swap.answered",
    "The peer you asked to take a shift (yours, or one you asked about for someone) answered: "
    "'accepted' (the swap is on the rota now) or 'declined'.",
    obj({**SWAP_REQUEST, "answer": {"enum": ["accepted", "declined"]}}),
)

SWAP_WITHDRAWN = register(
    "swap.withdrawn",
    "An ask to take a shift was withdrawn before you answered it: nothing changed on the rota.",
    obj(SWAP_REQUEST),
)

# Members amend their network's rules (network/actions/rules.py).
RULES_PROPOSAL = register(
    "rules.proposal",
    "A proposal to change your network's rules: 'proposed' (voting is open: vote at POST "
    "/api/v1/rule-proposals/{proposal_id}/votes/, talk it over in its discussion), 'closed' "
    "(the window ended, on its own or on a read: 'state' says passed, failed_no_quorum or "
    "rejected), 'ratified' (in effect from the next alert on) or 'sent_back' by a facilitator "
    "(the reason is on the proposal). No text here: fetch "
    "GET /api/v1/networks/{network.id}/rule-proposals/.",
    obj(
        {
            "proposal_id": INTEGER,
            "network": NETWORK_REF,
            "change": {"enum": ["proposed", "voted", "closed", "ratified", "sent_back"]},
            # network.models.RuleChangeProposal.State (applied: ratified and in effect)
            "state": {
                "enum": ["open", "passed", "failed_no_quorum", "rejected", "ratified", "sent_back", "applied"]
            },
            "proposer": {"oneOf": [PERSON_REF, {"type": "null"}]},
        }
    ),
)

# A plan share was opened (crisisplans/actions/shares.py, issue 18). No plan
# content, no label, no address: the app fetches GET /api/v1/plan-shares/{id}/.
PLAN_SHARE_OPENED = register(
    "plan.share_opened",
    "Someone opened a share of your plan (with its code or its QR code). Opens of the same "
    "parts from the same kind of browser within a few minutes are one event. Details (which "
    "share, how many opens) at GET /api/v1/plan-shares/{share_id}/; the read is in your access log.",
    obj({"share_id": INTEGER, "opened_at": DATETIME}),
)

# --- Paging (issue 17, messaging/actions/paging.py) ----------------------------------
# No content, no names: the app fetches GET /api/v1/me/paging/ (or the test page,
# or the desk's GET /api/v1/networks/{network_id}/paging/).
PAGING_CHANGED = register(
    "paging.changed",
    "Your paging changed: a test page's state (sent on, acknowledged: 'test_page_id' names it; "
    "fetch GET /api/v1/me/test-pages/{test_page_id}/) or your reachability flags (fetch "
    "GET /api/v1/me/paging/).",
    obj({"test_page_id": INTEGER}, optional=("test_page_id",)),
)

PAGING_HEALTH_CHANGED = register(
    "paging.health_changed",
    "In a network you navigate or facilitate, someone's reachability flags changed or a page "
    "to someone failed. Fetch GET /api/v1/networks/{network_id}/paging/.",
    obj({"network_id": INTEGER}),
)
