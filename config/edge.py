"""What the service does at the HTTP edge: whom a request came from, and how
often a person may write."""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from messaging.models import Alert, Conversation


def client_address(request: Any) -> str:
    """The client's address, for rate limits and logs: the one place that
    reads it.

    With ``NUM_PROXIES`` 0 (the default) the socket's peer address, and
    X-Forwarded-For is ignored: with the port published directly anyone can
    write that header, and each forged value was a fresh rate-limit budget
    (issue 12). With N trusted proxies in front, each appends the address it
    received the request from, so the client is the Nth entry from the right;
    anything further left was written by the client. DRF's own throttles read
    the same setting the same way."""
    meta = request.META
    remote = str(meta.get("REMOTE_ADDR") or "")
    proxies = api_settings.NUM_PROXIES or 0
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in str(forwarded).split(",") if hop.strip()]
    if not hops:
        return remote
    return hops[-min(proxies, len(hops))]


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
