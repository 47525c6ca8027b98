"""What every Twilio caller shares: the REST client and the check that a
webhook really came from Twilio.

- ``twilio_client()``: twilio-python's client with our credentials. Its
  requests go to ``TWILIO_API_URL`` (``https://api.twilio.com`` in production):
  tests point it at a fake Twilio on loopback (tests/fakes/twilio.py), so no
  test ever reaches the internet. twilio-python has no setting for its base
  URL (only edge and region, which still name twilio.com hosts), so its HTTP
  client is given one that swaps the origin and changes nothing else.
- ``public_url(path)``: the address Twilio sees for one of our paths, from
  ``PUBLIC_BASE_URL``: status callbacks and TwiML links are built with it, and
  a webhook's signature is checked against it (behind a TLS proxy the
  request's own host and scheme are not what Twilio signed).
- ``request_is_from_twilio(request)``: Twilio's ``X-Twilio-Signature`` (an
  HMAC-SHA1 of the URL and the sorted form fields under the auth token),
  checked with twilio-python's own ``RequestValidator``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest

TWILIO_ORIGIN = "https://api.twilio.com"


def _rewrite(url: str) -> str:
    base = settings.TWILIO_API_URL.rstrip("/")
    if not base or base == TWILIO_ORIGIN:
        return url
    parts, target = urlsplit(url), urlsplit(base)
    return urlunsplit((target.scheme, target.netloc, target.path.rstrip("/") + parts.path, parts.query, ""))


def twilio_client() -> Any:
    """A twilio ``Client`` for TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN whose
    requests go to TWILIO_API_URL. Timeout 10 s: a page must not hang a worker."""
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    class _HttpClient(TwilioHttpClient):
        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            return super().request(method, _rewrite(url), *args, **kwargs)

    http_client = _HttpClient(timeout=10)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)


@contextmanager
def provider_errors() -> Iterator[None]:
    """Twilio's errors in our transports' terms (foundation/transports): a 4xx
    answer (a number that cannot be texted or called) will not get better on
    retry, a permanent ``ProviderRefused`` with Twilio's short code; Twilio
    unreachable or slow may answer later, a temporary ``TransportError``."""
    import requests
    from twilio.base.exceptions import TwilioException, TwilioRestException

    from foundation.transports import ProviderRefused, TransportError

    try:
        yield
    except TwilioRestException as exc:
        permanent = 400 <= exc.status < 500
        raise ProviderRefused(str(exc.msg), code=str(exc.code or exc.status), permanent=permanent) from exc
    except (TwilioException, requests.RequestException) as exc:
        raise TransportError(f"Twilio unreachable: {exc}") from exc


def public_url(path: str) -> str:
    """``path`` (starting with /) as Twilio reaches it: PUBLIC_BASE_URL + path."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def signature_for(url: str, params: dict[str, str], *, auth_token: str | None = None) -> str:
    """The X-Twilio-Signature Twilio would send for a POST of ``params`` to ``url``
    (the fake Twilio signs its callbacks with it)."""
    from twilio.request_validator import RequestValidator

    return str(RequestValidator(auth_token or settings.TWILIO_AUTH_TOKEN).compute_signature(url, params))


def request_is_from_twilio(request: HttpRequest) -> bool:
    """Whether a webhook POST carries Twilio's valid signature for the URL
    Twilio was given (``public_url`` of the request's path and query) and
    exactly these form fields. False without an auth token: an unsigned hook
    is never believed."""
    from twilio.request_validator import RequestValidator

    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    params = {key: request.POST.get(key, "") for key in request.POST}
    return bool(RequestValidator(token).validate(public_url(request.get_full_path()), params, signature))
