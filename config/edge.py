"""What the service does at the HTTP edge: whom a request came from, how often
a person may write, what the access log shows, and the headers that keep
personal data out of caches and scripts out of pages."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from config.logs import redact
from foundation.client_address import client_address
from messaging.models import Alert, Conversation

# Writes per person, by URL name; any other write is in "writes". Rates are
# REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].
WRITE_SCOPES = {
    "conversation-messages": "messages",
    "conversation-direct": "messages",
    "check-ins": "messages",
    "follow-up-check-in": "messages",
    "conversation-message-report": "messages",
    "plan-list": "plan_edits",
    "plan-detail": "plan_edits",
    "plan-revisions": "plan_edits",
    "plan-sign-off": "plan_edits",
    "plan-comments": "plan_edits",
    "plan-co-authors": "plan_edits",
    "plan-co-author-remove": "plan_edits",
    "plan-consent": "plan_edits",
    "plan-policy": "plan_edits",
    "coping-strategies": "plan_edits",
    "join-requests": "membership_requests",
    "network-invitations": "membership_requests",
    "my-ties": "map_edits",
    "my-tie-detail": "map_edits",
    "network-assets": "map_edits",
    "asset-detail": "map_edits",
    "asset-reports": "map_edits",
    "asset-report-resolve": "map_edits",
    "push-subscriptions": "push_subscriptions",
    "push-subscription-detail": "push_subscriptions",
}
# A person in crisis is never refused: every alert route ("alert-*": raise,
# accept, decline, cancel, contact, hand-over, resolve, debrief), the ticket a
# browser needs to open the socket, and a facilitator's break-glass read.
# (Sign-in has its own per-number and per-address limits.)
NEVER_LIMITED = {"auth-ws-ticket", "auth-sign-out", "plan-break-glass"}


class WriteRateThrottle(SimpleRateThrottle):
    """Limits each person's writes per scope (429 problem details with
    Retry-After). Reads are never limited; neither is anything a member in
    crisis does while their alert is open or taken, nor the messages of an
    alert's conversation, whoever sends them."""

    def __init__(self) -> None:
        # The scope depends on the request; it is chosen in allow_request.
        self.scope: str | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS or not request.user.is_authenticated:
            return True
        name = getattr(request.resolver_match, "url_name", None) or ""
        if name.startswith("alert-") or name in NEVER_LIMITED:
            return True
        if _in_crisis(request.user) or _in_alert_conversation(name, view.kwargs):
            return True
        self.scope = WRITE_SCOPES.get(name, "writes")
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def _in_crisis(person: Any) -> bool:
    return Alert.objects.filter(member=person, state__in=[Alert.State.OPEN, Alert.State.TAKEN]).exists()


def _in_alert_conversation(name: str, kwargs: dict[str, Any]) -> bool:
    if name != "conversation-messages":
        return False
    try:
        conversation_id = uuid.UUID(str(kwargs.get("conversation_id")))
    except ValueError:
        return False  # the view answers 404
    return Conversation.objects.filter(pk=conversation_id, kind=Conversation.Kind.ALERT).exists()


access_log = logging.getLogger("config.access")


class AccessLogMiddleware:
    """The access log, in place of daphne's (turned off where the web process
    starts: config/stack.py, the Dockerfile), which wrote the raw path and
    so every feed's token. Client address from client_address()."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        size = "-" if response.streaming else str(len(response.content))
        access_log.info(
            '%s "%s %s" %s %s %.0fms',
            client_address(request),
            request.method,
            redact(request.get_full_path()),
            response.status_code,
            size,
            (time.monotonic() - started) * 1000,
        )
        return response


# Under /api/v1/ only these are free of personal data and may be cached.
CACHEABLE_API_PATHS = ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/", "/api/v1/health/")


class NoStoreMiddleware:
    """Cache-Control: no-store on every API answer (plans, print, my data,
    alerts, conversations...), so no browser or proxy cache keeps a copy;
    a view that chose its own caching (the calendar feed: private) keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/v1/")
            and not request.path.startswith(CACHEABLE_API_PATHS)
            and not response.has_header("Cache-Control")
        ):
            response["Cache-Control"] = "no-store"
        return response


# No page has an inline script (the Swagger UI loads its start-up script from
# its own URL, Redoc starts from an attribute: config/urls.py and
# SPECTACULAR_SETTINGS), so scripts come from this origin only and no nonce is
# needed. Inline styles are allowed: the printable plan and both API docs
# write theirs inline, and a style cannot run code.
HTML_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
# Redoc runs its search in a web worker it builds from a blob: URL.
DOCS_POLICY = HTML_POLICY + "; worker-src blob:"
# The web app (app/public/, served at /): no inline script and no inline
# style at all; its service worker and manifest come from this origin. The
# policy goes on every file of the app, because a worker script's own answer
# sets the worker's policy (its fetches need connect-src).
APP_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
# Location only when the member chooses to share it; nothing else.
APP_PERMISSIONS = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"
NOT_APP_PATHS = ("/api/", "/admin/", "/static/", "/ws/", "/health/", "/hooks/")
# Anything else (JSON, calendars) is never a document that may run anything.
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy on every answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Content-Security-Policy"):
            return response
        if not request.path.startswith(NOT_APP_PATHS) and response.status_code != 404:
            response["Content-Security-Policy"] = APP_POLICY
            response["Permissions-Policy"] = APP_PERMISSIONS
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            policy = OTHER_POLICY
        elif request.path.startswith("/api/v1/redoc/"):
            policy = DOCS_POLICY
        else:
            policy = HTML_POLICY
        response["Content-Security-Policy"] = policy
        return response
