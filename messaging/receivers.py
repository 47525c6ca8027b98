"""Reactions to signals from the lower apps."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.dispatch import receiver

from messaging.events import group_for_device
from network.signals import device_revoked


@receiver(device_revoked)
def close_sockets_of_revoked_device(
    sender: Any, *, person_id: int, device_digest: str, **kwargs: Any
) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group_for_device(device_digest), {"type": "session.revoked"})
