from __future__ import annotations

from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "People and networks"
    default_auto_field = "django.db.models.BigAutoField"
