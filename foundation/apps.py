from __future__ import annotations

from django.apps import AppConfig


class FoundationConfig(AppConfig):
    name = "foundation"
    verbose_name = "Ground floor"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from foundation.checks import check_transports

        checks.register(check_transports, "transports")
