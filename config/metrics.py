"""/metrics in Prometheus's text format: django-prometheus's request and
database figures (per process) and the service's own (messaging/metrics.py,
read from the database and Redis at each scrape, the same from any process).

Not public: with METRICS_TOKEN set, a scrape must send
``Authorization: Bearer <token>`` (else 401); without one, /metrics answers
only a loopback client of a DEBUG (development) process, and is a 404 for
everyone else, as if it did not exist.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

import prometheus_client
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, multiprocess

from messaging.metrics import OperationsCollector

# Our figures in a registry of their own, so nothing is queried when the
# module is imported and django-prometheus's registry stays as it is.
operations = CollectorRegistry(auto_describe=False)
operations.register(OperationsCollector())


def _bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def allowed(request: HttpRequest) -> bool:
    """True to serve; False for a 401 (a token is configured and was not
    given); raises Http404 where /metrics is not offered at all."""
    token = settings.METRICS_TOKEN
    if token:
        return hmac.compare_digest(_bearer_token(request).encode(), token.encode())
    # The direct peer, never X-Forwarded-For: only a process on this machine.
    if settings.DEBUG and _is_loopback(request.META.get("REMOTE_ADDR", "")):
        return True
    raise Http404


def _process_registry() -> CollectorRegistry:
    """As django-prometheus's own view: one registry, or the merged files of
    a multi-process server (PROMETHEUS_MULTIPROC_DIR)."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = prometheus_client.generate_latest(_process_registry()) + prometheus_client.generate_latest(
        operations
    )
    response = HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
