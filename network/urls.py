from __future__ import annotations

from django.urls import path

from network import api

urlpatterns = [
    path("auth/code/", api.LoginCodeRequestApi.as_view(), name="auth-code"),
    path("auth/sign-in/", api.SignInApi.as_view(), name="auth-sign-in"),
    path("auth/sign-out/", api.SignOutApi.as_view(), name="auth-sign-out"),
    path("auth/ws-ticket/", api.WebsocketTicketApi.as_view(), name="auth-ws-ticket"),
    path("me/", api.MeApi.as_view(), name="me"),
    path("me/devices/", api.DeviceListApi.as_view(), name="device-list"),
    path("me/devices/<str:device_id>/", api.DeviceRevokeApi.as_view(), name="device-revoke"),
]
