"""The Django admin's app config: the operators' site (config/admin_site.py)
becomes ``django.contrib.admin.site``, so every app's ``@admin.register``
lands on the site that asks for a second factor.

Kept apart from the site itself: this module is imported while the app
registry is still loading, before django-otp's models may be."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class OperatorsAdminConfig(AdminConfig):
    default_site = "config.admin_site.OperatorsAdminSite"
