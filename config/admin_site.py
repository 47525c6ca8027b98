"""The operators' admin: a password, then a code from an authenticator app
(django-otp), and a lockout after failed attempts (django-axes).

Every admin page needs a session verified by a confirmed device
(``OTPAdminSite.has_permission``); a staff account without one is told to ask
an operator to enrol it (``manage.py operator_totp``, docs/operations.md).
A wrong or missing code after the right password is a failed sign-in for
axes too, so guessing codes locks out as guessing passwords does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from django import forms
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from phonenumber_field.phonenumber import to_python

NO_DEVICE = (
    "This account has no second factor yet. Ask an operator to enrol you "
    "(manage.py operator_totp, docs/operations.md): the admin needs a code from an authenticator app."
)


class OperatorLoginForm(OTPAdminAuthenticationForm):
    """The admin's sign-in in one step: phone number, password and a code.

    django-otp asks which device a code is for (on a second submission)
    rather than trying each, because a wrong try counts against every device
    tried. An operator has at most two, told apart by the code's shape: the
    authenticator's are digits only, backup codes (otp_static) are letters and
    digits; so the code picks its device and only that device is tried."""

    otp_token = forms.CharField(
        required=False,
        label="Code from your authenticator app, or a backup code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            if self.user_cache is not None:
                # The password was right and the second factor was not: axes
                # hears nothing from authenticate() here, so say it ourselves.
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": self.cleaned_data.get("username")},
                    request=self.request,
                )
            raise

    def clean_otp(self, user: Any) -> None:
        if user is not None and not list(devices_for_user(user)):
            raise forms.ValidationError(NO_DEVICE, code="no_device")
        super().clean_otp(user)

    def _chosen_device(self, user: Any) -> Any:
        chosen = super()._chosen_device(user)
        if chosen is not None:
            return chosen
        token = (self.cleaned_data.get("otp_token") or "").strip()
        kind = TOTPDevice if token.isdigit() else StaticDevice
        return kind.objects.select_for_update().filter(user=user, confirmed=True).first()


class OperatorsAdminSite(OTPAdminSite):
    login_form = OperatorLoginForm
    login_template = "admin/operators_login.html"

    def __init__(self, name: str = "admin") -> None:
        # OTPAdminSite's own default name is "otpadmin"; the admin's URL
        # names and every app's links say "admin".
        super().__init__(name)


def normalised_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the phone number as stored (E.164), so
    "07700 900123" and "+447700900123" count against one lock."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = request.POST.get("username")
    if not typed:
        return None
    number = to_python(str(typed))
    return number.as_e164 if number.is_valid() else str(typed).strip()


def locked_until(request: HttpRequest, credentials: dict[str, Any] | None) -> datetime | None:
    """When the lock on this request lifts: for each lock (the phone number,
    the client address) the failures within the cool-off are summed, so a
    lock lifts when the newest failures left no longer reach the limit."""
    cool_off = get_cool_off(request)
    limit = get_failure_limit(request, credentials)
    if cool_off is None:
        return None
    until = None
    for attempts in AxesDatabaseHandler().get_user_attempts(request, credentials):
        counted = 0
        for attempt_time, failures in attempts.order_by("-attempt_time").values_list(
            "attempt_time", "failures_since_start"
        ):
            counted += failures
            if counted >= limit:
                lifts = attempt_time + cool_off
                until = lifts if until is None else max(until, lifts)
                break
    return until


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a 429 page saying when to try again, with
    Retry-After. Axes calls this with (request, response, credentials) from
    sync middleware and (request, credentials) from async middleware, so the
    credentials are read from the request, where axes also keeps them."""
    credentials = getattr(request, "axes_credentials", None)
    until = locked_until(request, credentials)
    if until is None:
        until = timezone.now() + (get_cool_off(request) or timezone.timedelta(hours=1))
    seconds = max(int((until - timezone.now()).total_seconds()) + 1, 1)
    from django.contrib import admin

    context = {
        **admin.site.each_context(request),
        "title": "Signing in is locked for now",
        "until": timezone.localtime(until),
        "minutes": (seconds + 59) // 60,
        "failure_limit": get_failure_limit(request, credentials),
    }
    response = TemplateResponse(request, "admin/operators_locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response.render()
