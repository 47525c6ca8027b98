"""Whom a request came from: the one place that reads the client's address,
for the rate limits of every app and for the access log."""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings


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
