from __future__ import annotations

import base64

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from crisisplans import crypto
from crisisplans.actions import decrypt_revision
from crisisplans.models import AccessRecord, DataKey, ImmutableRecord, Revision
from tests.crisisplans.factories import CANARY, full_sections, signed_off_plan

pytestmark = pytest.mark.django_db

NEW_KEY = "2026-rotated:" + base64.b64encode(b"n" * 32).decode()


def test_plan_content_is_ciphertext_with_the_data_key_id_beside_it(member):
    plan = signed_off_plan(owner=member, sections=full_sections(text=CANARY))
    revision = Revision.objects.get(plan=plan)
    assert CANARY.encode() not in bytes(revision.ciphertext)
    assert revision.data_key_id == DataKey.objects.get(person=member).key_id
    assert CANARY in decrypt_revision(revision)["when_well"]


def test_a_wrong_master_key_raises_and_never_returns_content(member, settings):
    plan = signed_off_plan(owner=member)
    settings.PLAN_MASTER_KEYS = [NEW_KEY]
    with pytest.raises(crypto.PlanDecryptionError):
        decrypt_revision(plan.active_revision)


def test_tampered_ciphertext_raises(member):
    plan = signed_off_plan(owner=member)
    revision = plan.active_revision
    blob = bytearray(bytes(revision.ciphertext))
    blob[-1] ^= 1
    Revision.objects.filter(pk=revision.pk).update(ciphertext=bytes(blob))
    with pytest.raises(crypto.PlanDecryptionError):
        decrypt_revision(Revision.objects.get(pk=revision.pk))


def test_rotating_the_master_key_keeps_plans_readable_under_the_new_key_alone(member, settings):
    plan = signed_off_plan(owner=member, sections=full_sections(text=CANARY))
    settings.PLAN_MASTER_KEYS = [NEW_KEY, settings.PLAN_DEVELOPMENT_MASTER_KEY]
    call_command("rotate_plan_master_key", verbosity=0)
    assert DataKey.objects.get(person=member).master_key_id == "2026-rotated"
    settings.PLAN_MASTER_KEYS = [NEW_KEY]
    assert CANARY in decrypt_revision(Revision.objects.get(pk=plan.active_revision.pk))["when_well"]


def test_deleting_the_data_key_makes_the_plan_unreadable_and_the_api_does_not_pretend(api, member):
    plan = signed_off_plan(owner=member)
    DataKey.objects.filter(person=member).delete()
    with pytest.raises(crypto.PlanDecryptionError):
        decrypt_revision(plan.active_revision)
    client = api(member)
    client.raise_request_exception = False
    response = client.get(f"/api/v1/plans/{plan.pk}/")
    assert response.status_code == 500
    assert "sections" not in response.json()
    assert not AccessRecord.objects.exists()


def test_access_records_cannot_be_changed_or_deleted_by_the_application(api, member):
    plan = signed_off_plan(owner=member)
    api(member).get(f"/api/v1/plans/{plan.pk}/")
    record = AccessRecord.objects.get()
    record.reason = "break_glass"
    with pytest.raises(ImmutableRecord):
        record.save()
    with pytest.raises(ImmutableRecord):
        record.delete()
    with pytest.raises(ImmutableRecord):
        AccessRecord.objects.all().update(reason="owner")
    with pytest.raises(ImmutableRecord):
        AccessRecord.objects.all().delete()


@pytest.mark.postgresql  # the trigger is PostgreSQL's (SQLite is the development default only)
def test_the_database_refuses_to_change_access_records(member):
    plan = signed_off_plan(owner=member)
    AccessRecord.objects.create(
        plan=plan, owner_id=member.pk, reader=member, reader_role="owner", reason="owner", channel="api"
    )
    for sql in ("UPDATE crisisplans_accessrecord SET reason = 'x'", "DELETE FROM crisisplans_accessrecord"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql)
    assert AccessRecord.objects.get().reason == "owner"


def test_the_owner_lists_who_read_their_plan(api, member, navigator):
    plan = signed_off_plan(owner=member)
    from tests.crisisplans.factories import share

    share(plan, "navigator", "contacts")
    api(navigator).get(f"/api/v1/plans/{plan.pk}/")
    log = api(member).get(f"/api/v1/plans/{plan.pk}/access-log/").json()["results"]
    assert log[0]["reader"] == navigator.display_name
    assert log[0]["reason"] == "navigator"


def test_break_glass_needs_a_written_reason_and_tells_the_owner(api, member, staff):
    plan = signed_off_plan(owner=member)
    short = api(staff).post(f"/api/v1/plans/{plan.pk}/break-glass/", {"reason": "because"}, format="json")
    assert short.status_code == 400
    reason = "She missed group and is not answering her phone"
    opened = api(staff).post(f"/api/v1/plans/{plan.pk}/break-glass/", {"reason": reason}, format="json")
    assert opened.status_code == 201
    assert opened.json()["reading"]["why"]["triggers"].startswith("break_glass")
    notices = api(member).get("/api/v1/plan-notices/").json()["results"]
    assert notices[0]["kind"] == "break_glass"
    assert notices[0]["break_glass_reason"] == reason
    assert notices[0]["break_glass_by"] == staff.display_name
