from __future__ import annotations

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Realtime, alerts and messages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crisisplans.actions import register_export_section
        from crisisplans.selectors import register_alert_access_provider
        from messaging import (
            receivers,  # noqa: F401  (connects signal receivers)
            rule_settings,
        )
        from messaging.exports import messaging_data_of
        from messaging.selectors.alerts import alert_access_provider

        # The peer who took an alert may read the consented crisis sections.
        register_alert_access_provider(alert_access_provider)
        # "My data" holds what messaging keeps of the person too.
        register_export_section("messaging", messaging_data_of)
        # Message retention is one of the settings a network's rules hold.
        rule_settings.register()
