"""Thin REST views: parse, call an action or selector, serialise."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.middleware.csrf import get_token
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ErrorDetail, Throttled, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from network import actions, selectors
from network.serializers.auth import (
    DeviceOut,
    LoginCodeRequestIn,
    LoginCodeRequestOut,
    PersonOut,
    PersonUpdateIn,
    SignInIn,
    SignInOut,
    WebsocketTicketOut,
)
from network.throttles import (
    LoginCodeAddressThrottle,
    LoginCodeNumberThrottle,
    LoginVerifyAddressThrottle,
)


class SignInLocked(Throttled):
    default_detail = "Too many wrong codes."
    default_code = "sign_in_locked"


def sign_in_locked(locked: actions.LoginLocked) -> SignInLocked:
    """429 with Retry-After: the number is locked, and until when."""
    wait = max(1, int((locked.until - timezone.now()).total_seconds()) + 1)
    return SignInLocked(
        wait=wait,
        detail="This number is locked after too many wrong codes. Ask for a new code when the lock ends.",
    )


class LoginCodeRequestApi(APIView):
    """Text a one-time sign-in code. Same answer whether or not the number has
    an account: signing up and signing in are the same step."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [LoginCodeAddressThrottle, LoginCodeNumberThrottle]

    @extend_schema(request=LoginCodeRequestIn, responses={202: LoginCodeRequestOut})
    def post(self, request: Request) -> Response:
        data = LoginCodeRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            actions.do_request_login_code(phone_number=data.validated_data["phone_number"])
        except actions.LoginLocked as locked:
            raise sign_in_locked(locked) from None
        body = {
            "detail": "If this number can receive texts, a code is on its way.",
            "expires_in": int(settings.LOGIN_CODE_TTL.total_seconds()),
        }
        return Response(LoginCodeRequestOut(body).data, status=status.HTTP_202_ACCEPTED)


class SignInApi(APIView):
    """Trade the texted code for a device token: in the answer, or (for the web
    app, ``"credential": "cookie"``) in an HttpOnly cookie with a CSRF token."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [LoginVerifyAddressThrottle]

    @extend_schema(request=SignInIn, responses={201: SignInOut})
    def post(self, request: Request) -> Response:
        data = SignInIn(data=request.data)
        data.is_valid(raise_exception=True)
        credential = data.validated_data.pop("credential")
        try:
            result = actions.do_sign_in_with_code(**data.validated_data)
        except actions.InvalidLoginCode:
            raise ValidationError(
                {"code": [ErrorDetail("That code is not valid. Ask for a new one.", code="invalid_code")]}
            ) from None
        except actions.LoginLocked as locked:
            raise sign_in_locked(locked) from None
        body = {
            "token": result.token if credential == "token" else None,
            "expiry": result.device.expiry,
            "device_id": result.device.public_id,
            "person": result.person,
            "created": result.created_person,
        }
        response = Response(SignInOut(body).data, status=status.HTTP_201_CREATED)
        if credential == "cookie":
            set_device_cookie(response, token=result.token, expiry=result.device.expiry)
            get_token(request)  # the csrftoken cookie the app sends back as X-CSRFToken
        return response


def set_device_cookie(response: Response, *, token: str, expiry: datetime | None) -> None:
    response.set_cookie(
        settings.DEVICE_COOKIE_NAME,
        token,
        expires=expiry,
        path="/",
        secure=settings.DEVICE_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


class SignOutApi(APIView):
    """Revoke the device making this request. A cookie sign-in's cookie is
    removed too, and the browser told to drop this site's caches and storage
    (the offline copy of the plan, drafts, queued alerts): a shared phone keeps
    nothing after sign-out."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        actions.do_revoke_device(device=request.auth)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        if settings.DEVICE_COOKIE_NAME in request.COOKIES:
            response.delete_cookie(settings.DEVICE_COOKIE_NAME, path="/", samesite="Strict")
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class MeApi(APIView):
    @extend_schema(responses=PersonOut)
    def get(self, request: Request) -> Response:
        if settings.DEVICE_COOKIE_NAME in request.COOKIES:
            get_token(request)  # renews the csrftoken cookie the web app needs for its writes
        return Response(PersonOut(request.user).data)

    @extend_schema(request=PersonUpdateIn, responses=PersonOut)
    def patch(self, request: Request) -> Response:
        data = PersonUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        person = actions.do_update_profile(person=request.user, **data.validated_data)
        return Response(PersonOut(person).data)


class DeviceListApi(ListAPIView):
    """The devices signed in to this account."""

    serializer_class = DeviceOut

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.devices_of(person=self.request.user)


class DeviceRevokeApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, device_id: str) -> Response:
        device = selectors.access_device_by_id(person=request.user, device_id=device_id)
        actions.do_revoke_device(device=device)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebsocketTicketApi(APIView):
    """A single-use ticket, valid for seconds, for browsers to open the
    websocket (they cannot set an Authorization header on it)."""

    @extend_schema(request=None, responses={201: WebsocketTicketOut})
    def post(self, request: Request) -> Response:
        ticket, expires_at = actions.do_issue_websocket_ticket(device=request.auth)
        body = {"ticket": ticket, "expires_at": expires_at, "url": f"/ws/v1/?ticket={ticket}"}
        return Response(WebsocketTicketOut(body).data, status=status.HTTP_201_CREATED)
