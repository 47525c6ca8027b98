"""Web Push subscriptions: the only writer of PushSubscription."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from rest_framework.exceptions import ErrorDetail, ValidationError

from foundation.problems import Conflict
from messaging.models import PushSubscription
from network.models import Device, Person


class PushEndpointTaken(Conflict):
    default_detail = "This push endpoint is registered to another account."
    default_code = "push_endpoint_taken"


def _refuse(detail: str) -> ValidationError:
    return ValidationError({"endpoint": [ErrorDetail(detail, code="push_endpoint_refused")]})


def _host_allowed(host: str) -> bool:
    """``host`` is one of WEB_PUSH_ALLOWED_HOSTS, or below a ``*.`` entry."""
    for allowed in settings.WEB_PUSH_ALLOWED_HOSTS:
        allowed = allowed.lower().rstrip(".")
        if allowed.startswith("*."):
            if host.endswith(allowed[1:]) and len(host) > len(allowed) - 1:
                return True
        elif host == allowed:
            return True
    return False


def check_push_endpoint(endpoint: str) -> None:
    """Refuse anything but an https URL of a known push service: the worker
    POSTs to this URL, so an endpoint on loopback, a private network or a
    cloud metadata address would make the service attack its own neighbours
    (issue 12). No IP literals, credentials or ports: real services use none."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise _refuse("Not a valid URL.") from None
    if parts.scheme != "https":
        raise _refuse("A push endpoint must be an https URL.")
    if "@" in parts.netloc:
        raise _refuse("A push endpoint carries no user name or password.")
    if port is not None or parts.netloc.endswith(":"):
        raise _refuse("A push endpoint uses the standard https port.")
    host = (parts.hostname or "").rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise _refuse("A push endpoint is named by host name, not by address.")
    if not host or not _host_allowed(host):
        raise _refuse("This is not the address of a push service we deliver to.")


def do_subscribe_push(
    *, person: Person, endpoint: str, p256dh: str, auth: str, device: Device | None = None
) -> PushSubscription:
    """Register a browser's push subscription for this person and the device
    signed in on it (again: new keys, and the device now signed in there;
    ``device`` is None only for callers with no signed-in device).
    Signing that device out or its expiry deletes the subscription (the
    foreign key cascades), so a revoked phone stops getting pushes.
    An endpoint registered to someone else is refused and stays theirs: moving
    it would send their alerts' pushes elsewhere and stop them reaching them."""
    check_push_endpoint(endpoint)
    try:
        with transaction.atomic():
            subscription, created = PushSubscription.objects.select_for_update().get_or_create(
                endpoint=endpoint,
                defaults={"person": person, "device": device, "p256dh": p256dh, "auth": auth},
            )
            if created:
                return subscription
            if subscription.person_id != person.pk:
                raise PushEndpointTaken
            subscription.p256dh, subscription.auth, subscription.device = p256dh, auth, device
            subscription.save(update_fields=["p256dh", "auth", "device"])
            return subscription
    except IntegrityError:
        # Someone registered it between our read and our insert.
        raise PushEndpointTaken from None
