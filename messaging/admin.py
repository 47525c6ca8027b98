"""Operators' view of what the alerts need: a warning on the networks list
when a network has nobody at its staff step (its alerts then rely on the
service's on-duty staff, or reach no professional at all)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse

from messaging import recipients
from network.admin import NetworkAdmin
from network.models import Network


class NetworkWithStaffStepAdmin(NetworkAdmin):
    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        lonely = recipients.networks_without_a_staff_step()
        if lonely:
            fallback = (
                f"the on-duty staff group {settings.SERVICE_ON_DUTY_STAFF_GROUP!r} "
                f"({len(recipients.on_duty_staff())} people)"
            )
            messages.warning(
                request,
                f"{len(lonely)} network(s) have nobody at the staff step (no facilitator or navigator): "
                f"{', '.join(n.name for n in lonely)}. Their alerts go to {fallback}.",
            )
        return super().changelist_view(request, extra_context)


admin.site.unregister(Network)
admin.site.register(Network, NetworkWithStaffStepAdmin)
