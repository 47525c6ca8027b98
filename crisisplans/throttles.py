"""The limit on wrong share codes per client address (issue 18).

Counted in the shared cache (Redis), so every web process sees the same
count. A fixed window that starts at an address's first wrong code of the
hour: at most PLAN_SHARE_WRONG_CODES_PER_HOUR wrong codes in it, then every
code from that address is refused (unlooked-up) until the hour ends, so a
right guess in that time shows nothing either. Windows do not overlap, so a
share's 7 days hold at most 168 of them (the arithmetic: models.PlanShare).
Opens with a right code never count."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache

from foundation.client_address import client_address

WINDOW_SECONDS = 3600


def _key(request: Any) -> str:
    return f"plan-share-wrong-codes:{client_address(request)}"


def may_try_a_code(request: Any) -> bool:
    return int(cache.get(_key(request), 0)) < settings.PLAN_SHARE_WRONG_CODES_PER_HOUR


def count_wrong_code(request: Any) -> None:
    key = _key(request)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.set(key, 1, timeout=WINDOW_SECONDS)
