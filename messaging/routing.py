from __future__ import annotations

from django.urls import path

from messaging.consumers import RealtimeConsumer

websocket_urlpatterns = [
    path("ws/v1/", RealtimeConsumer.as_asgi()),
]
