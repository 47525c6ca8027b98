from __future__ import annotations

import pytest
from django.contrib import admin

from network.models import Person

pytestmark = pytest.mark.django_db

NETWORK_MODELS = [model for model in admin.site._registry if model._meta.app_label == "network"]


@pytest.mark.parametrize("model", NETWORK_MODELS, ids=lambda m: m.__name__)
def test_staff_can_open_every_network_admin_list(client, model, member, network):
    superuser = Person.objects.create_superuser("+447700840001", "Admin", password="a long admin password")
    client.force_login(superuser)
    response = client.get(f"/admin/network/{model._meta.model_name}/")
    assert response.status_code == 200
