"""A request id for every HTTP request, carried into its log lines.

An incoming ``X-Request-ID`` (a proxy's, or a client's retrying) is kept only
when it is well-formed (letters, digits, ``._-``, 8 to 128 characters), so a
client cannot write anything else into the logs; otherwise a new one is
made. Either way it is returned in the response's ``X-Request-ID``, and every
line logged while the request runs carries it (``RequestIdFilter``, on the
log handlers). Lines logged outside a request (the worker, beat) carry "-".
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,128}")
NO_REQUEST = "-"

current_request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def request_id_for(incoming: str | None) -> str:
    if incoming and WELL_FORMED.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so the access log line and everything after it
    carry the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request.headers.get(HEADER))
        # Also on the request: Django logs a 4xx or 5xx answer after the
        # middleware has returned, with the request attached to the record.
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id.get()
        if request_id == NO_REQUEST:
            request_id = getattr(getattr(record, "request", None), "request_id", NO_REQUEST)
        record.request_id = request_id
        return True
