"""Every admin page says it is for operators."""

from __future__ import annotations

import pytest

from network.models import Person
from tests.conftest import sign_in_to_admin

pytestmark = pytest.mark.django_db


def test_every_admin_page_says_it_is_for_operators(client):
    assert b"CrisisNet operators" in client.get("/admin/login/").content
    superuser = Person.objects.create_superuser("+447700840301", "Operator", password="a long admin password")
    sign_in_to_admin(client, superuser)
    index = client.get("/admin/")
    assert b"For operators only: metadata, never plan or message content" in index.content
    # and sends the people who run networks to the app, where the service's rules hold.
    assert b"Navigators and facilitators work at the desk in the app (/#/desk)" in index.content
    for url in ("/admin/", "/admin/network/", "/admin/network/membership/", "/admin/network/network/add/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert b"CrisisNet operators" in page.content, url


def test_every_app_registers_on_the_two_factor_site(client):
    """config.admin.OperatorsAdminConfig makes the operators' site the admin:
    each app's @admin.register lands on a site that asks for a second factor,
    so a password session alone opens none of their pages."""
    from django.contrib import admin
    from django_otp.admin import OTPAdminSite

    from config.admin_site import OperatorsAdminSite

    assert isinstance(admin.site, OperatorsAdminSite)
    assert isinstance(admin.site, OTPAdminSite)
    apps = {model._meta.app_label for model in admin.site._registry}
    assert {"network", "crisisplans", "messaging", "otp_totp", "otp_static", "axes"} <= apps
    superuser = Person.objects.create_superuser("+447700840302", "Operator", password="a long admin password")
    client.force_login(superuser)
    for url in ("/admin/", "/admin/network/person/", "/admin/messaging/alert/", "/admin/axes/accessattempt/"):
        page = client.get(url)
        assert page.status_code == 302, url
        assert page["Location"].startswith("/admin/login/"), url
