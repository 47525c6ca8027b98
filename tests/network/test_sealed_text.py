"""Personal text sealed at rest (foundation/sealing.py): deleting an account
shreds what is about that person, what others wrote stays readable, and a
sealed text moved onto another person's row never opens."""

from __future__ import annotations

import pytest
from django.db import connection

from messaging.models import AlertDebrief
from network.models import Membership, MembershipChange, Tie
from tests.messaging.conftest import make_crisis

pytestmark = pytest.mark.django_db


def stored(model, pk, column):
    """The column as it is in the database: a backup holds exactly this."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        value = cursor.fetchone()[0]
    return value.encode() if isinstance(value, str) else bytes(value)


def test_deleting_an_account_shreds_the_personal_text_about_them(api):
    crisis = make_crisis()
    member, (bea, _, dan, *_) = crisis.member, crisis.peers
    navigator, network = crisis.navigator, crisis.network
    alert_id = api(member).post("/api/v1/alerts/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k").json()["id"]
    api(bea).post(f"/api/v1/alerts/{alert_id}/accept/")
    api(bea).post(
        f"/api/v1/alerts/{alert_id}/resolve/",
        {"debrief": {"how_it_went": "she was at the bridge", "emergency_services": "avoided"}},
        format="json",
    )
    api(navigator).post(
        f"/api/v1/memberships/{Membership.objects.get(person=dan, network=network).pk}/remove/",
        {"reason": "Dan relapsed"},
        format="json",
    )
    api(navigator).post(
        f"/api/v1/memberships/{Membership.objects.get(person=bea, network=network).pk}/remove/",
        {"reason": "Bea moved away"},
        format="json",
    )
    debrief = AlertDebrief.objects.get()
    removal = MembershipChange.objects.get(kind="removed", person=dan)
    backup = {
        "debrief": stored(AlertDebrief, debrief.pk, "how_it_went"),
        "removal": stored(MembershipChange, removal.pk, "reason"),
    }

    for person in (member, dan):
        deleted = api(person).post(
            "/api/v1/my-account/delete/", {"confirm": "delete my account"}, format="json"
        )
        assert deleted.status_code == 204

    # The debrief was Bea's words about the member's crisis: it went with the member.
    assert AlertDebrief.objects.get(pk=debrief.pk).how_it_went == ""
    # The history keeps the removal, without the reason about Dan; Bea's stays.
    history = api(navigator).get(f"/api/v1/networks/{network.pk}/history/").json()["results"]
    reasons = {row["kind"] + ":" + str(row["person_id"]): row["reason"] for row in history}
    assert reasons["removed:None"] == ""
    assert reasons[f"removed:{bea.pk}"] == "Bea moved away"
    # A backup's copy no longer opens either: the data keys are gone.
    from foundation import sealing

    with pytest.raises(sealing.KeyShredded):
        sealing.open_sealed(
            owner_id=member.pk, purpose="messaging.alertdebrief.how_it_went", blob=backup["debrief"]
        )
    with pytest.raises(sealing.KeyShredded):
        sealing.open_sealed(
            owner_id=dan.pk, purpose="network.membershipchange.reason", blob=backup["removal"]
        )


def test_a_sealed_text_moved_onto_another_persons_row_does_not_open(member, peer):
    from crisisplans.crypto import PlanDecryptionError

    mine = Tie.objects.create(owner=member, kind="person", label="My sister")
    theirs = Tie.objects.create(owner=peer, kind="person", label="Neighbour")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE network_tie SET label = (SELECT label FROM network_tie WHERE id = %s) WHERE id = %s",
            [mine.pk, theirs.pk],
        )
    with pytest.raises(PlanDecryptionError):
        Tie.objects.get(pk=theirs.pk).label  # noqa: B018
    assert Tie.objects.get(pk=mine.pk).label == "My sister"
    assert b"My sister" not in stored(Tie, mine.pk, "label")


def test_plain_text_is_never_a_query_parameter_of_a_sealed_field(member):
    Tie.objects.create(owner=member, kind="person", label="My sister")
    with pytest.raises(ValueError, match="sealed at rest"):
        Tie.objects.filter(label="My sister").exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_rows_and_its_reverse_opens_them():
    from django.db.migrations.executor import MigrationExecutor

    before = [("network", "0002_networks_rota_maps"), ("messaging", "0003_conversations")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        owner = old.get_model("network", "Person").objects.create(phone_number="+447700800001")
        network = old.get_model("network", "Network").objects.create(name="N", slug="n", kind="sun")
        tie = old.get_model("network", "Tie").objects.create(owner=owner, kind="person", label="My sister")
        change = old.get_model("network", "MembershipChange").objects.create(
            network=network, person=owner, kind="left", reason="moving away"
        )
        system = old.get_model("network", "MembershipChange").objects.create(
            network=network, kind="over_size_cap", reason="10 people, soft cap 9"
        )

        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        assert b"My sister" not in stored(Tie, tie.pk, "label")
        assert b"moving away" not in stored(MembershipChange, change.pk, "reason")
        assert Tie.objects.get(pk=tie.pk).label == "My sister"
        assert MembershipChange.objects.get(pk=change.pk).reason == "moving away"
        assert MembershipChange.objects.get(pk=system.pk).reason == ""  # nobody's key to seal it with

        MigrationExecutor(connection).migrate(before)
        assert stored(Tie, tie.pk, "label") == b"My sister"
        assert stored(MembershipChange, change.pk, "reason") == b"moving away"
    finally:
        MigrationExecutor(connection).migrate(latest)
