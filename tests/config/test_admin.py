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
