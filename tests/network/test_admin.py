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


def _sealed_field_names(model) -> set[str]:
    from foundation.sealing import SealedTextField

    return {f.name for f in model._meta.get_fields() if isinstance(f, SealedTextField)}


SEALED_ADMINS = [
    pytest.param(m, a, id=m.__name__) for m, a in admin.site._registry.items() if _sealed_field_names(m)
]


@pytest.mark.parametrize(("model", "model_admin"), SEALED_ADMINS)
def test_the_admin_never_shows_a_persons_sealed_words(rf, model, model_admin):
    """Operators see metadata, never the personal text sealed at rest (issue 12
    item 10; DESIGN.md: the admin shows no plan or message content)."""
    superuser = Person.objects.create_superuser("+447700840002", "Admin", password="a long admin password")
    request = rf.get("/admin/")
    request.user = superuser
    sealed = _sealed_field_names(model)
    shown = set(model_admin.get_list_display(request)) | set(model_admin.get_fields(request))
    assert not shown & sealed


def test_a_tie_page_in_the_admin_holds_no_label(client, member):
    from network.models import Tie

    tie = Tie.objects.create(owner=member, kind=Tie.Kind.PERSON, label="canary-tie-label-7f3a")
    superuser = Person.objects.create_superuser("+447700840003", "Admin", password="a long admin password")
    client.force_login(superuser)
    for url in ("/admin/network/tie/", f"/admin/network/tie/{tie.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        assert b"canary-tie-label-7f3a" not in response.content
