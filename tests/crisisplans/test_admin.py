"""The admin is for operators: every plan page opens, none shows or decrypts
plan content (sections, comments, break-glass reasons), and nothing is
written there (the actions log each read, check consent and tell the owner)."""

from __future__ import annotations

import pytest
from django.db import models

from crisisplans.models import Plan
from tests.conftest import (
    admin_allows_writes,
    admin_pages_of,
    admin_params,
    admin_shows,
    assert_admin_pages_hide,
    registered_admin_models,
)
from tests.crisisplans.factories import CANARY, full_sections

pytestmark = pytest.mark.django_db

PLAN_ADMINS = admin_params("crisisplans")


PLAN_ADMINS_BY_MODEL = [param.values for param in PLAN_ADMINS]


@pytest.fixture
def lived_plan(api, member, staff, navigator, network):
    """A plan's life through the API: every plan model has rows, and each
    text the owner or staff wrote about the owner holds the canary."""
    owner = api(member)
    plan_id = owner.post("/api/v1/plans/", {"sections": full_sections(text=CANARY)}, format="json").json()[
        "id"
    ]
    assert owner.post(f"/api/v1/plans/{plan_id}/revisions/1/sign-off/", {}, format="json").status_code == 201
    comment = {"revision": 1, "text": f"note {CANARY}"}
    assert owner.post(f"/api/v1/plans/{plan_id}/comments/", comment, format="json").status_code == 201
    assert (
        owner.post(f"/api/v1/plans/{plan_id}/co-authors/", {"person": staff.pk}, format="json").status_code
        == 201
    )
    consent = {"co_authors": ["when_well"], "navigator": ["when_well"], "alert_peer": [], "care_export": []}
    assert owner.put(f"/api/v1/plans/{plan_id}/consent/", consent, format="json").status_code == 200
    assert CANARY in owner.get(f"/api/v1/plans/{plan_id}/").json()["sections"]["when_well"]  # logged read
    reason = {"reason": f"She is not answering her phone {CANARY}"}
    assert api(staff).post(f"/api/v1/plans/{plan_id}/break-glass/", reason, format="json").status_code == 201
    plan_share = {"hours": 1, "sections": ["when_well"], "label": f"A&E {CANARY}"}
    assert owner.post(f"/api/v1/plans/{plan_id}/shares/", plan_share, format="json").status_code == 201
    strategy = {"network": network.pk, "text": "a walk round the block"}
    assert owner.post("/api/v1/coping-strategies/", strategy, format="json").status_code == 201
    policy = api(navigator).put(
        f"/api/v1/networks/{network.pk}/plan-policy/", {"alert_grace_hours": 6}, format="json"
    )
    assert policy.status_code == 200
    return Plan.objects.get(pk=plan_id)


@pytest.mark.parametrize(("model", "model_admin"), PLAN_ADMINS)
def test_every_plan_admin_page_opens_and_shows_no_plan_content(operator, lived_plan, model, model_admin):
    assert_admin_pages_hide(operator, model, CANARY)


def test_every_plan_model_is_in_the_admin():
    assert registered_admin_models() >= {
        "Plan",
        "Revision",
        "SignOff",
        "CoAuthor",
        "Comment",
        "SectionConsent",
        "BreakGlass",
        "OwnerNotice",
        "AccessRecord",
        "DataKey",
        "PlanPolicy",
        "CopingStrategy",
        "PlanShare",
    }


def _ciphertext_fields(model) -> set[str]:
    return {
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "sealed", False) or isinstance(field, models.BinaryField)
    }


@pytest.mark.parametrize(("model", "model_admin"), PLAN_ADMINS)
def test_no_plan_admin_lists_ciphertext_or_key_material(operator_request, model, model_admin):
    shown = admin_shows(model_admin, operator_request)
    assert not shown & _ciphertext_fields(model)


@pytest.mark.parametrize(("model", "model_admin"), PLAN_ADMINS)
def test_nothing_in_plans_is_written_through_the_admin(operator_request, model, model_admin):
    assert not admin_allows_writes(model_admin, operator_request)


def test_the_admin_never_decrypts_a_plan(operator, lived_plan, api, data_key_unwraps):
    """Every read of plan content unwraps the owner's data key first: opening
    every plan page unwraps none."""
    unwrapped = data_key_unwraps
    shown = api(lived_plan.owner).get(f"/api/v1/plans/{lived_plan.pk}/").json()
    assert CANARY in shown["sections"]["when_well"]  # the spy sees a real read
    assert unwrapped
    unwrapped.clear()
    for model, _ in PLAN_ADMINS_BY_MODEL:
        for url in admin_pages_of(model):
            assert operator.get(url).status_code == 200, url
    assert unwrapped == []
