"""One error shape for the whole API: RFC 9457 problem details.

Hand-written because the maintained packages we looked at (drf-standardized-errors,
drf-problems) emit their own shapes or the superseded RFC 7807 names, and the
handler is small. Every error answer is ``application/problem+json``::

    {"type": "about:blank#validation_error", "title": "Invalid input.",
     "status": 400, "detail": "...", "errors": [{"field": "phone_number",
     "code": "invalid", "detail": "Enter a valid phone number."}]}

``type`` is ``about:blank`` plus a stable code fragment clients can switch on.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(*, status_code: int, code: str, title: str, detail: str = "", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"about:blank#{code}",
        "title": title,
        "status": status_code,
        "detail": detail or title,
    }
    body.update(extra)
    return body


def flatten_field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Turn DRF's nested error structure into a flat list with dotted paths."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten_field_errors(value, path))
        return out
    if isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            return [
                {
                    "field": prefix or "non_field_errors",
                    "code": getattr(item, "code", "invalid"),
                    "detail": str(item),
                }
                for item in detail
            ]
        out = []
        for index, item in enumerate(detail):
            out.extend(flatten_field_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return [
        {
            "field": prefix or "non_field_errors",
            "code": getattr(detail, "code", "invalid"),
            "detail": str(detail),
        }
    ]


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class UnprocessableRequest(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


class ServiceBusy(exceptions.APIException):
    status_code = 503
    default_detail = "The service is busy. Try again in a moment."
    default_code = "busy"
    wait = 2


class SmsUnavailable(exceptions.APIException):
    """The SMS provider did not take a text the answer depends on (a sign-in
    code). ``retry_after`` is set when the failure is temporary."""

    status_code = 503
    default_detail = "We could not send a text message just now."
    default_code = "sms_unavailable"

    def __init__(self, *, retry_after: int | None = None) -> None:
        detail = "We could not send a text message just now. Try again in a few minutes."
        if retry_after is None:
            detail = "We could not send a text message. Please contact the service."
        super().__init__(detail)
        self.wait = retry_after


def is_pool_timeout(exc: Exception) -> bool:
    """No database connection came free in DB_POOL_TIMEOUT seconds: the
    process is overloaded, not broken (config.settings.base.database_pool)."""
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:  # only the PostgreSQL deployment has the pool
        return False
    return isinstance(exc, DatabaseError) and isinstance(exc.__cause__, PoolTimeout)


def problem_title(exc: exceptions.APIException) -> str:
    """The same for every occurrence of a problem type (RFC 9457): DRF's
    default detail, unless it holds placeholders for one occurrence's values
    ('Method "{method}" not allowed.'); then the status's phrase. The detail
    carries the values."""
    title = str(exc.default_detail)
    if "{" in title:
        return f"{HTTPStatus(exc.status_code).phrase}."
    return title


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if is_pool_timeout(exc):
        logger.warning("no database connection free in time; answering 503")
        exc = ServiceBusy()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        # Unexpected errors propagate to Django's 500 handler below, which logs.
        return None

    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]

    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            status_code=exc.status_code,
            code="validation_error",
            title="Invalid input.",
            detail="One or more fields are invalid.",
            errors=flatten_field_errors(exc.detail),
        )
    else:
        detail = exc.detail
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        title = problem_title(exc)
        body = problem(
            status_code=exc.status_code,
            code=str(code),
            title=title,
            detail=str(detail) if not isinstance(detail, list | dict) else title,
        )
        if isinstance(detail, dict):
            body["errors"] = flatten_field_errors(detail)
        if getattr(exc, "wait", None):
            body["retry_after"] = int(exc.wait)  # type: ignore[attr-defined]

    set_rollback()
    return Response(body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _json_problem(status_code: int, code: str, title: str) -> JsonResponse:
    return JsonResponse(
        problem(status_code=status_code, code=code, title=title),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


# Django-level handlers, so URLs outside any DRF view never answer with HTML.
def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_problem(404, "not_found", "Not found.")


def server_error(request: HttpRequest) -> JsonResponse:
    return _json_problem(500, "server_error", "Something went wrong on our side.")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_problem(400, "bad_request", "Bad request.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_problem(403, "permission_denied", "You do not have permission to do this.")
