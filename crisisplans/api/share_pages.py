"""The public pages of a plan share (issue 18): no account, no app, no
script. ``/s/<code>`` (the QR code's link) is a plain, printable, read-only
page of exactly the sections the share shows now; ``/s/`` is a form to type
the code; ``/s/<code>/fhir`` is the FHIR CarePlan of the same sections.

Every answer, found or not, carries SHARE_HEADERS (the typed-code form:
Referrer-Policy same-origin, see ``_form``). Unknown, expired and
revoked codes get one answer (404, "This link has ended or is not valid"),
and each counts against the address's wrong codes (crisisplans/throttles.py);
a wrong code changes nothing else. A typed code is posted, never put in a
URL, so it stays out of history and logs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from crisisplans import actions, throttles
from crisisplans.actions.exports import titled_sections
from crisisplans.actions.shares import MAX_CODE_INPUT, ShareOpening
from crisisplans.models import AccessRecord
from foundation.problems import PROBLEM_CONTENT_TYPE, problem

SHARE_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
SHARE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": SHARE_POLICY,
    "X-Robots-Tag": "noindex, nofollow",
}
FORM_REFERRER_POLICY = "same-origin"
ENDED = "This link has ended or is not valid"
TOO_MANY = "Too many codes were tried from here. Please wait an hour and try again."


def _headed(response: HttpResponse) -> HttpResponse:
    for name, value in SHARE_HEADERS.items():
        response[name] = value
    return response


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return _headed(render(request, f"crisisplans/{template}", context, status=status))


def _form(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    """The form to type a code. Its own URL (/s/) holds no code, and from a
    no-referrer page a browser posts with "Origin: null", which the CSRF
    check must refuse; so this page alone says same-origin (nothing is ever
    sent to another site)."""
    response = _page(request, "share_form.html", context, status=status)
    response["Referrer-Policy"] = FORM_REFERRER_POLICY
    return response


def _too_many(request: HttpRequest) -> HttpResponse:
    response = _page(request, "share_ended.html", {"message": TOO_MANY}, status=429)
    response["Retry-After"] = str(throttles.WINDOW_SECONDS)
    return response


def _open(request: HttpRequest, typed: str, channel: str) -> ShareOpening | None:
    opening = actions.open_share(
        typed=typed[:MAX_CODE_INPUT], user_agent=request.headers.get("User-Agent", ""), channel=channel
    )
    if opening is None:
        throttles.count_wrong_code(request)
    return opening


def _shared_page(request: HttpRequest, opening: ShareOpening) -> HttpResponse:
    reading = opening.reading
    return _page(
        request,
        "share_page.html",
        {
            "first_name": opening.first_name,
            "revision": reading.revision,
            "sections": titled_sections(reading),
            "expires_at": opening.share.expires_at,
            "shown_at": timezone.now(),
        },
    )


@require_GET
def share_page(request: HttpRequest, code: str) -> HttpResponse:
    if not throttles.may_try_a_code(request):
        return _too_many(request)
    opening = _open(request, code, AccessRecord.Channel.SHARE)
    if opening is None:
        return _page(request, "share_ended.html", {"message": ENDED}, status=404)
    return _shared_page(request, opening)


@require_http_methods(["GET", "POST"])
def share_form(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _form(request, {})
    if not throttles.may_try_a_code(request):
        return _too_many(request)
    opening = _open(request, request.POST.get("code", ""), AccessRecord.Channel.SHARE)
    if opening is None:
        return _form(request, {"error": ENDED}, status=404)
    return _shared_page(request, opening)


@require_GET
def share_fhir(request: HttpRequest, code: str) -> HttpResponse:
    """The FHIR CarePlan of what the share shows, through the same check,
    limit and log as the page (channel "export")."""
    if not throttles.may_try_a_code(request):
        body = problem(status_code=429, code="throttled", title=TOO_MANY)
        response = JsonResponse(body, status=429, content_type=PROBLEM_CONTENT_TYPE)
        response["Retry-After"] = str(throttles.WINDOW_SECONDS)
        return _headed(response)
    opening = _open(request, code, AccessRecord.Channel.EXPORT)
    care_plan = actions.share_care_plan(opening) if opening is not None else None
    if care_plan is None:
        body = problem(status_code=404, code="not_found", title=ENDED)
        return _headed(JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE))
    return _headed(JsonResponse(care_plan, content_type="application/fhir+json"))
