"""The OpenAPI schema as a product's reference (drf-spectacular's
POSTPROCESSING_HOOKS): operations grouped by area, each with a short
summary, the problem responses it can really give, and the Idempotency-Key
header wherever the view honours it.

All of it is decided here, from the path, the view and what the schema
already says, so an endpoint added in any app gets its area, problem
responses and header without touching its view; only its summary is written
by hand, in SUMMARIES (tests/config/test_openapi_product.py names any
operation without one)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import SAFE_METHODS

from config.edge import NEVER_LIMITED, WriteRateThrottle
from foundation.idempotency import HEADER as IDEMPOTENCY_HEADER
from foundation.idempotency import MAX_KEY_LENGTH, idempotent
from foundation.problems import PROBLEM_CONTENT_TYPE

# The areas, in the order the docs show them.
AREAS = {
    "Sign-in and devices": "A texted code for a device token (or the web app's cookie), the devices "
    "signed in, and the ticket a browser opens the realtime socket with.",
    "Your account": "Your profile, everything held about you, and deleting your account.",
    "Networks and membership": "The networks you belong to, self-referral and invitations, members, "
    "roles and readiness, and your own choices in each network.",
    "Rota": "Shifts, who is on call now, availability, swaps and cover, the rota report and calendar feeds.",
    "Maps and directory": "Personal and community maps (ties), and the network's directory of local "
    "assets (also as Open Referral HSDS).",
    "Rules and co-production": "The network's own rules, proposals and votes to change them, and the "
    "monthly pulse question.",
    "Crisis plans": "A member's Crisis and Support Plan: revisions, sign-off, co-authors, comments, "
    "consent, exports, the access log and the shared library of coping strategies.",
    "Plan shares": "Showing chosen parts of a plan to a clinician for a while, by code or QR code.",
    "Alerts": "Raising an alert, offers to on-call peers, taking, handing over and closing it, and "
    "the desk's view of a network's alerts.",
    "Messages": "Conversations (alert, direct and the network's group), messages, receipts, reports, "
    "blocks and messaging preferences.",
    "Check-ins and follow-ups": "'Thinking of you' check-ins, and the follow-ups a plan asks for "
    "after an alert.",
    "Notifications and paging": "Web Push subscriptions and how, and how soon, each person is paged.",
    "Reports": "How a network is doing: its report (also as CSV) and its health.",
}

# The area of each path (after /api/v1), first match wins: say what a path
# is about before the broader prefix that holds it.
NETWORK = r"networks/\{network_id\}/"
AREA_OF_PATH: list[tuple[str, str]] = [
    (r"auth/|me/devices/", "Sign-in and devices"),
    (r"(push|push-subscriptions)/|.*paging|.*test-pages?/|me/notification", "Notifications and paging"),
    (r"me/$|my-account/|my-data/", "Your account"),
    (r"plans/\{plan_id\}/shares/|plan-shares/", "Plan shares"),
    (r"plans/|plan-notices/|coping-strategies/|" + NETWORK + "plan-policy/", "Crisis plans"),
    (r"alerts/|" + NETWORK + "alerts/|" + NETWORK + "alert-health/", "Alerts"),
    (r"check-ins/|follow-ups/", "Check-ins and follow-ups"),
    (
        r"conversations/|blocks/|message-reports/|messaging-preferences/|"
        + NETWORK
        + "(conversation|message-retention)/",
        "Messages",
    ),
    (NETWORK + r"(report/|report\.csv|health/)", "Reports"),
    (
        r"shifts/|swap-requests/|me/swap-requests/|me/calendar-feeds/|calendar/|"
        + NETWORK
        + "(rota|rota-report|shifts|on-call|me/availability)/",
        "Rota",
    ),
    (
        r"graph/|me/ties/|people/\{person_id\}/ties/|assets/|asset-reports/|"
        + NETWORK
        + "(assets|asset-reports|directory)/",
        "Maps and directory",
    ),
    (r"rule-proposals/|" + NETWORK + "(rules|rule-proposals|pulse)/", "Rules and co-production"),
    (r"networks/|memberships/|invitations/|join-requests/|me/invitations/", "Networks and membership"),
]

# One short summary per operation, imperative and in the product's words.
SUMMARIES: dict[str, str] = {
    # Sign-in and devices
    "auth_code_create": "Text me a sign-in code",
    "auth_sign_in_create": "Sign in with the texted code",
    "auth_sign_out_create": "Sign this device out",
    "auth_ws_ticket_create": "Get a ticket for the realtime socket",
    "me_devices_list": "List my signed-in devices",
    "me_devices_destroy": "Sign a device out",
    # Your account
    "me_retrieve": "Show my profile",
    "me_partial_update": "Change my profile",
    "my_data_retrieve": "Download everything held about me",
    "my_account_delete_create": "Delete my account",
    # Networks and membership
    "networks_list": "List my networks",
    "networks_retrieve": "Show a network",
    "networks_partial_update": "Change a network's details",
    "networks_members_list": "List a network's members",
    "networks_history_list": "List a network's membership changes",
    "networks_leave_create": "Leave a network",
    "networks_me_retrieve": "Show my choices in a network",
    "networks_me_partial_update": "Change my choices in a network",
    "networks_invitations_list": "List a network's invitations",
    "networks_invitations_create": "Invite someone by phone number",
    "networks_join_requests_list": "List requests to join a network",
    "me_invitations_list": "List invitations waiting for me",
    "invitations_accept_create": "Accept an invitation",
    "invitations_decline_create": "Decline an invitation",
    "join_requests_list": "List my requests to join",
    "join_requests_create": "Ask to join a network",
    "join_requests_accept_create": "Accept a request to join",
    "join_requests_decline_create": "Decline a request to join",
    "memberships_readiness_create": "Mark a member ready to go on call",
    "memberships_remove_create": "Remove someone from a network",
    "memberships_transfer_create": "Move someone to another network",
    # Rota
    "networks_rota_list": "Show the rota",
    "networks_rota_report_retrieve": "Show the rota's gaps and balance",
    "networks_shifts_list": "List a network's shifts",
    "networks_shifts_create": "Add a shift",
    "networks_on_call_retrieve": "Show who is on call",
    "networks_me_availability_create": "Set my availability",
    "shifts_destroy": "End a shift",
    "shifts_cancellations_create": "Cancel one occurrence of a shift",
    "shifts_swaps_create": "Ask someone to cover a shift",
    "me_swap_requests_list": "List my swap requests",
    "swap_requests_accept_create": "Accept a swap request",
    "swap_requests_decline_create": "Decline a swap request",
    "swap_requests_withdraw_create": "Withdraw a swap request",
    "me_calendar_feeds_list": "List my calendar feeds",
    "me_calendar_feeds_create": "Make a calendar feed",
    "me_calendar_feeds_destroy": "Stop a calendar feed",
    "calendar_feed_file": "Download a calendar feed",
    # Maps and directory
    "graph_retrieve": "Show the community map",
    "me_ties_list": "Show my personal map",
    "me_ties_create": "Add a tie to my map",
    "me_ties_partial_update": "Change a tie on my map",
    "me_ties_destroy": "Remove a tie from my map",
    "people_ties_list": "Show someone's map",
    "networks_assets_list": "List a network's directory",
    "networks_assets_create": "Add a directory entry",
    "assets_retrieve": "Show a directory entry",
    "assets_partial_update": "Change a directory entry",
    "assets_checked_create": "Mark a directory entry checked",
    "assets_reports_create": "Report a wrong directory entry",
    "networks_asset_reports_list": "List reports on the directory",
    "asset_reports_resolve_create": "Resolve a report on the directory",
    "networks_directory_hsds_retrieve": "Download the directory as HSDS",
    "networks_directory_hsds_create": "Load a directory from HSDS",
    # Rules and co-production
    "networks_rules_retrieve": "Show a network's rules",
    "networks_rule_proposals_list": "List proposals to change the rules",
    "networks_rule_proposals_create": "Propose a change to the rules",
    "rule_proposals_votes_create": "Vote on a proposal",
    "rule_proposals_ratify_create": "Ratify a passed proposal",
    "rule_proposals_send_back_create": "Send a passed proposal back",
    "networks_pulse_retrieve": "Show this month's pulse question",
    "networks_pulse_answers_create": "Answer this month's pulse question",
    "networks_pulse_question_update": "Set the pulse question",
    "networks_pulse_question_destroy": "Stop asking the pulse question",
    # Crisis plans
    "plans_list": "List my plans",
    "plans_create": "Start my plan",
    "plans_retrieve": "Read a plan",
    "plans_revisions_list": "List a plan's revisions",
    "plans_revisions_create": "Write a new revision",
    "plans_revisions_retrieve": "Read a revision",
    "plans_revisions_compare_retrieve": "Compare two revisions",
    "plans_revisions_sign_off_create": "Sign off a revision",
    "plans_co_authors_list": "List a plan's co-authors",
    "plans_co_authors_create": "Invite a co-author",
    "plans_co_authors_destroy": "Remove a co-author",
    "plans_comments_list": "List comments on a plan",
    "plans_comments_create": "Comment on a plan",
    "plans_consent_retrieve": "Show who may read my plan",
    "plans_consent_update": "Change who may read my plan",
    "plans_access_log_list": "Show who read my plan",
    "plans_break_glass_create": "Break glass: read a plan without consent",
    "plans_fhir_retrieve": "Export a plan as FHIR",
    "plans_print_retrieve": "Print a plan",
    "plan_notices_list": "List notices about my plan",
    "networks_plan_policy_retrieve": "Show a network's plan settings",
    "networks_plan_policy_update": "Change a network's plan settings",
    "coping_strategies_list": "List the shared coping strategies",
    "coping_strategies_create": "Share a coping strategy",
    # Plan shares
    "plans_shares_list": "List my plan's shares",
    "plans_shares_create": "Share my plan with a clinician",
    "plan_shares_retrieve": "Show a plan share",
    "plan_shares_partial_update": "Change what a plan share shows",
    "plan_shares_revoke_create": "Stop a plan share",
    # Alerts
    "alerts_list": "List my alerts",
    "alerts_create": "Raise an alert",
    "alerts_retrieve": "Show an alert",
    "alerts_accept_create": "Take an alert",
    "alerts_decline_create": "Decline an alert",
    "alerts_cancel_create": "Cancel my alert",
    "alerts_contact_create": "Say I have reached the member",
    "alerts_hand_over_create": "Hand an alert over",
    "alerts_resolve_create": "Close an alert",
    "alerts_debrief_create": "Debrief an alert",
    "networks_alerts_list": "List a network's alerts",
    "networks_alert_health_retrieve": "Check a network's alerts can reach a professional",
    # Messages
    "conversations_list": "List my conversations",
    "conversations_retrieve": "Show a conversation",
    "conversations_direct_create": "Start a direct conversation",
    "conversations_messages_list": "List a conversation's messages",
    "conversations_messages_create": "Send a message",
    "conversations_messages_destroy": "Delete a message",
    "conversations_messages_report_create": "Report a message",
    "conversations_mute_update": "Mute a conversation",
    "conversations_receipts_create": "Mark messages received or read",
    "networks_conversation_retrieve": "Show a network's group conversation",
    "message_reports_list": "List reported messages",
    "blocks_list": "List the people I block",
    "blocks_create": "Block someone",
    "blocks_destroy": "Unblock someone",
    "messaging_preferences_retrieve": "Show my messaging preferences",
    "messaging_preferences_update": "Change my messaging preferences",
    "networks_message_retention_retrieve": "Show how long messages are kept",
    "networks_message_retention_update": "Change how long messages are kept",
    # Check-ins and follow-ups
    "check_ins_create": "Send a check-in",
    "follow_ups_list": "List my follow-ups",
    "follow_ups_check_in_create": "Send a follow-up check-in",
    # Notifications and paging
    "push_vapid_public_key_retrieve": "Get the push subscription key",
    "push_subscriptions_list": "List my push subscriptions",
    "push_subscriptions_create": "Subscribe to push notifications",
    "push_subscriptions_destroy": "Unsubscribe from push notifications",
    "me_paging_retrieve": "Show how I am paged",
    "me_paging_rules_update": "Set how I am paged",
    "me_paging_rules_destroy": "Go back to the usual paging",
    "me_test_pages_create": "Send myself a test page",
    "me_test_pages_retrieve": "Show a test page",
    "me_test_pages_acknowledge_create": "Say a test page reached me",
    "networks_paging_retrieve": "List peers whose pages may not reach them",
    # Reports
    "networks_report_retrieve": "Show a network's report",
    "network_report_csv": "Download a network's report as CSV",
    "networks_health_retrieve": "Show a network's health",
}

# Operations whose action refuses what the current state no longer allows
# (foundation.problems.Conflict: an alert already taken, a share ended, a
# vote already cast). Not inferable from the view, so listed by hand.
MAY_CONFLICT = {
    "alerts_accept_create",
    "alerts_decline_create",
    "alerts_cancel_create",
    "alerts_contact_create",
    "alerts_hand_over_create",
    "alerts_resolve_create",
    "alerts_debrief_create",
    "conversations_messages_create",
    "check_ins_create",
    "follow_ups_check_in_create",
    "networks_pulse_answers_create",
    "push_subscriptions_create",
    "plan_shares_partial_update",
    "plan_shares_revoke_create",
    "plans_create",
    "plans_fhir_retrieve",
    "plans_print_retrieve",
    "join_requests_create",
    "join_requests_accept_create",
    "join_requests_decline_create",
    "networks_invitations_create",
    "invitations_accept_create",
    "invitations_decline_create",
    "memberships_transfer_create",
    "shifts_swaps_create",
    "shifts_cancellations_create",
    "swap_requests_accept_create",
    "swap_requests_decline_create",
    "swap_requests_withdraw_create",
    "rule_proposals_votes_create",
    "rule_proposals_ratify_create",
    "rule_proposals_send_back_create",
    "networks_directory_hsds_create",
    "asset_reports_resolve_create",
}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An RFC 9457 problem details object (foundation/problems.py), the one error "
    "shape of the whole API, served as application/problem+json.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "description": "about:blank plus a stable code to switch on, e.g. about:blank#validation_error, "
            "about:blank#not_authenticated, about:blank#throttled.",
            "example": "about:blank#validation_error",
        },
        "title": {
            "type": "string",
            "description": "The same for every problem of this type.",
            "example": "Invalid input.",
        },
        "status": {"type": "integer", "description": "The HTTP status code.", "example": 400},
        "detail": {"type": "string", "description": "This occurrence, in words a person can read."},
        "errors": {
            "type": "array",
            "description": "Each field that was wrong (validation problems), by dotted path.",
            "items": {
                "type": "object",
                "required": ["field", "code", "detail"],
                "properties": {
                    "field": {"type": "string", "example": "phone_number"},
                    "code": {"type": "string", "example": "invalid"},
                    "detail": {"type": "string", "example": "Enter a valid phone number."},
                },
            },
        },
        "retry_after": {
            "type": "integer",
            "description": "Seconds to wait before trying again (429 and 503), as in the Retry-After header.",
        },
    },
}

RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}
}

# By status: the shared response component's name, its description and headers.
PROBLEMS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "400": (
        "BadRequest",
        "The request is malformed or a field is invalid (see errors); nothing was changed.",
        {},
    ),
    "401": (
        "Unauthorized",
        "No valid device token or cookie: sign in again.",
        {"WWW-Authenticate": {"description": "How to authenticate ('Token').", "schema": {"type": "string"}}},
    ),
    "403": (
        "Forbidden",
        "Your role here does not allow this, or (cookie sign-in) the CSRF check failed.",
        {},
    ),
    "404": (
        "NotFound",
        "No such object, or not one of yours: another network's objects are not found either.",
        {},
    ),
    "409": ("Conflict", "The state no longer allows this (for example the alert was already taken).", {}),
    "422": (
        "Unprocessable",
        "The Idempotency-Key was already used with a different request, or the change cannot be "
        "made as asked.",
        {},
    ),
    "429": ("TooManyRequests", "Too many requests: wait for Retry-After seconds.", RETRY_AFTER),
    "5XX": (
        "ServerProblem",
        "Something went wrong on our side (500), or the service is busy or a provider is down "
        "(503, with Retry-After).",
        RETRY_AFTER,
    ),
}

# The @idempotent wrapper's code object is the same for every view it
# decorates (functools.wraps copies the name, not the code), so it tells a
# view that honours the header without any marker on the view.
_IDEMPOTENT_CODE = idempotent(lambda self, request: None).__code__


def area_of(path: str) -> str | None:
    tail = re.sub(r"^/api/v1/", "", path)
    for pattern, area in AREA_OF_PATH:
        if re.match(pattern, tail):
            return area
    return None


def _url_names(patterns: list[Any], found: dict[Any, str]) -> dict[Any, str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _url_names(pattern.url_patterns, found)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found[pattern.callback] = pattern.name
    return found


def _is_throttled(callback: Any, method: str, url_name: str) -> bool:
    view = callback.cls(**getattr(callback, "initkwargs", {}))
    for throttle in view.get_throttles():
        if not isinstance(throttle, WriteRateThrottle):
            return True
        # WriteRateThrottle.allow_request's exemptions: reads, the alert
        # flow and the few writes a person in crisis must always make.
        if method not in SAFE_METHODS and not (url_name.startswith("alert-") or url_name in NEVER_LIMITED):
            return True
    return False


def _honours_idempotency_key(callback: Any, method: str) -> bool:
    handler = getattr(callback.cls, method.lower(), None)
    return getattr(handler, "__code__", None) is _IDEMPOTENT_CODE


def problem_statuses(operation: dict[str, Any], *, throttled: bool) -> list[str]:
    """The problem responses an operation can give, from what its schema says."""
    parameters = operation.get("parameters", [])
    query = {p["name"] for p in parameters if p["in"] == "query"}
    headers = {p["name"] for p in parameters if p["in"] == "header"}
    authenticated = {} not in operation.get("security", [{}])
    statuses = []
    if "requestBody" in operation or IDEMPOTENCY_HEADER in headers or query - {"cursor", "page_size"}:
        statuses.append("400")
    if authenticated:
        statuses += ["401", "403"]
    if any(p["in"] == "path" for p in parameters) or "cursor" in query:
        statuses.append("404")  # an unknown id, or a cursor the list never gave
    if operation["operationId"] in MAY_CONFLICT:
        statuses.append("409")
    if IDEMPOTENCY_HEADER in headers:
        statuses.append("422")
    if throttled:
        statuses.append("429")
    statuses.append("5XX")
    return statuses


def productise(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: areas, summaries, problem
    responses and the Idempotency-Key header, for every operation."""
    url_names = _url_names(get_resolver().url_patterns, {})
    views = {(path, method.lower()): callback for path, _, method, callback in generator.endpoints}
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["ProblemDetails"] = PROBLEM_SCHEMA
    responses = components.setdefault("responses", {})
    for name, description, headers in PROBLEMS.values():
        responses[name] = {
            "description": description,
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
            **({"headers": headers} if headers else {}),
        }
    used_areas = set()
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            callback = views.get((path, method))
            area = area_of(path)
            if area:
                operation["tags"] = [area]
                used_areas.add(area)
            summary = SUMMARIES.get(operation["operationId"])
            if summary:
                operation["summary"] = summary
            throttled = False
            if callback is not None:
                throttled = _is_throttled(callback, method.upper(), url_names.get(callback, ""))
                if _honours_idempotency_key(callback, method):
                    _add_idempotency_key(operation)
            for status in problem_statuses(operation, throttled=throttled):
                _add_problem(operation, status)
            for status in list(operation["responses"]):
                if status[0] in "45":
                    _add_problem(operation, status)
    result["tags"] = [
        {"name": area, "description": text} for area, text in AREAS.items() if area in used_areas
    ]
    return result


def _add_idempotency_key(operation: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    if any(p["in"] == "header" and p["name"] == IDEMPOTENCY_HEADER for p in parameters):
        return
    parameters.append(
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
            "description": "A key the client makes for this request. A retry with the same key and body "
            "returns the first answer (with Idempotent-Replayed: true); the same key with another "
            "body is a 422.",
        }
    )


def _add_problem(operation: dict[str, Any], status: str) -> None:
    responses = operation.setdefault("responses", {})
    existing = responses.get(status)
    if existing is None:
        responses[status] = {"$ref": f"#/components/responses/{PROBLEMS[status][0]}"}
    elif "$ref" not in existing and "content" not in existing:
        # A view's own words for this status (push's 404) keep their place; the body is still a problem.
        existing["content"] = {
            PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
        }
