from __future__ import annotations

from django.apps import AppConfig


class CrisisplansConfig(AppConfig):
    name = "crisisplans"
    verbose_name = "Crisis and support plans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crisisplans import (
            checks,  # noqa: F401  (registers the deploy check)
            receivers,  # noqa: F401  (connects signal receivers)
        )
