from __future__ import annotations

from messaging.models import PushSubscription
from network.models import Person


def do_subscribe_push(*, person: Person, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Register (or move to this person) a browser's push subscription."""
    subscription, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"person": person, "p256dh": p256dh, "auth": auth}
    )
    return subscription
