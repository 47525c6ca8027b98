from __future__ import annotations

from django.apps import AppConfig


class CrisisplansConfig(AppConfig):
    name = "crisisplans"
    verbose_name = "Crisis and support plans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crisisplans import (
            checks,  # noqa: F401  (registers the deploy check)
            crypto,
            receivers,  # noqa: F401  (connects signal receivers)
            rule_settings,
        )
        from foundation import sealing

        # network's sealed fields use our per-person data keys (foundation/sealing.py).
        sealing.register(seal=crypto.seal_for_lower_apps, open=crypto.open_for_lower_apps)
        # The plan grace period is one of the settings a network's rules hold.
        rule_settings.register()
