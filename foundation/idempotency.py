"""Idempotent creates: the same ``Idempotency-Key`` returns the first answer.

Phones retry on flaky networks; a retried "raise alert" must never make a
second alert. The key is recorded in the same transaction as the create, so a
concurrent retry waits on the unique index and then reads the committed first
answer. A key reused with a different body (or on another endpoint) is a 422.
Only successful answers are kept: a failed attempt may be retried with its key.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from foundation.models import IdempotencyRecord
from foundation.problems import UnprocessableRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class IdempotencyKeyReused(UnprocessableRequest):
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


def client_key_from(request: Request) -> str:
    """The client-made key a create must carry (alerts, messages: a phone's
    retry must find its first attempt). Missing or too long is a 400."""
    key = (request.headers.get(HEADER) or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise exceptions.ValidationError(
            {HEADER: [f"Send a client-made key of 1 to {MAX_KEY_LENGTH} characters."]}
        )
    return key


def fingerprint(data: Any) -> str:
    """One request body's identity: the same body always gives the same hash.
    Idempotency records and alerts' client keys both compare by it."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent(view_method: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate a DRF view's ``post``."""

    @functools.wraps(view_method)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(self, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise exceptions.ValidationError({HEADER: [f"Must be 1 to {MAX_KEY_LENGTH} characters."]})
        scope = f"{request.method} {request.path}"
        request_fingerprint = fingerprint(request.data)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        person=request.user, key=key, scope=scope, request_fingerprint=request_fingerprint
                    )
            except IntegrityError:
                first = IdempotencyRecord.objects.get(person=request.user, key=key)
                if first.scope != scope or first.request_fingerprint != request_fingerprint:
                    raise IdempotencyKeyReused from None
                response = Response(first.response_body, status=first.response_status)
                response["Idempotent-Replayed"] = "true"
                return response
            response = view_method(self, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                record.response_status = response.status_code
                record.response_body = response.data
                record.save(update_fields=["response_status", "response_body"])
            else:
                transaction.set_rollback(True)
            return response

    return wrapper
