"""A plan holding a canary string: the string appears nowhere in a database
dump, in Redis, in Celery messages or in the logs."""

from __future__ import annotations

import logging
import subprocess

import pytest
import redis
from celery.signals import before_task_publish
from django.apps import apps
from django.conf import settings
from django.db import connection, models

from tests.crisisplans.factories import CANARY, full_sections, share

pytestmark = pytest.mark.django_db(transaction=True)


def database_dump() -> str:
    if connection.vendor == "postgresql":
        params = connection.get_connection_params()
        command = [
            "pg_dump",
            "--no-owner",
            "-h",
            params.get("host", "127.0.0.1"),
            "-p",
            str(params.get("port", 5432)),
            "-U",
            params.get("user", "postgres"),
            connection.settings_dict["NAME"],
        ]
        env = {"PGPASSWORD": params.get("password") or ""}
        result = subprocess.run(command, capture_output=True, text=True, check=True, env=env, timeout=60)
        return result.stdout
    return "\n".join(connection.connection.iterdump())


def redis_contents() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL)
    parts = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        value = {
            "string": lambda k: client.get(k),
            "list": lambda k: client.lrange(k, 0, -1),
            "hash": lambda k: client.hgetall(k),
            "set": lambda k: client.smembers(k),
            "zset": lambda k: client.zrange(k, 0, -1),
        }.get(kind, lambda k: b"")(key)
        parts.append(f"{key!r}={value!r}")
    client.close()
    return "\n".join(parts)


def test_the_canary_is_nowhere_but_in_the_answers_to_those_allowed(api, member, peer, staff, caplog):
    published = []

    def capture(body=None, headers=None, **kwargs):
        published.append(repr((body, headers)))

    before_task_publish.connect(capture, weak=False)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True  # log every SQL statement and its parameters
    try:
        client = api(member)
        created = client.post("/api/v1/plans/", {"sections": full_sections(text=CANARY)}, format="json")
        plan_id = created.json()["id"]
        client.post(f"/api/v1/plans/{plan_id}/revisions/1/sign-off/", {}, format="json")
        client.post(
            f"/api/v1/plans/{plan_id}/comments/", {"revision": 1, "text": f"note {CANARY}"}, format="json"
        )
        from crisisplans.models import Plan

        share(Plan.objects.get(pk=plan_id), "co_authors", "when_well")
        shown = client.get(f"/api/v1/plans/{plan_id}/").json()
        assert CANARY in shown["sections"]["when_well"]  # the member does get their own words back
        api(staff).post(
            f"/api/v1/plans/{plan_id}/break-glass/", {"reason": f"worried: {CANARY}"}, format="json"
        )
        assert CANARY in client.get("/api/v1/my-data/").content.decode()
    finally:
        connection.force_debug_cursor = False
        before_task_publish.disconnect(capture)

    dump = database_dump()
    assert "crisisplans_revision" in dump  # the dump really holds the plan tables
    assert CANARY not in dump
    assert CANARY.encode().hex() not in dump

    assert published, "break-glass should have queued the owner's notice"
    assert CANARY not in "\n".join(published)

    stored = redis_contents()
    assert stored, "Redis holds the queued task, so this inspection is real"
    assert CANARY not in stored

    logged = "\n".join(record.getMessage() + repr(record.args) for record in caplog.records)
    assert "crisisplans_revision" in logged  # SQL statements were captured
    assert CANARY not in logged


# --- every text field of our apps ---------------------------------------------
#
# Personal text is sealed at rest (foundation/sealing.py, crisisplans/crypto.py).
# Every other text-holding field of network, crisisplans and messaging is
# listed here with the reason it may be stored in clear, so a new plaintext
# field fails this test until someone seals it or says why it need not be.
# Fields with ``choices`` hold one of a fixed set of codes, never free text,
# and need no entry.

TEXT_FIELD_TYPES = (
    models.CharField,
    models.TextField,
    models.JSONField,
    models.BinaryField,
)

NOT_PERSONAL = {
    # network: people, devices, sign-in
    "network.Person.phone_number": "the sign-in identity: looked up on every sign-in, SMS goes to it",
    "network.Person.password": "unusable hash (sign-in is by SMS code)",
    "network.Person.display_name": "the name other members are shown; chosen by the person to be shown",
    "network.Device.digest": "a hash of the device token",
    "network.Device.token_key": "the token's lookup prefix",
    "network.Device.name": "a device label the person chose for their own device list",
    "network.LoginCode.phone_number": "the number a code was sent to, looked up on sign-in",
    "network.LoginCode.code_hash": "a hash of a one-time code",
    "network.WebsocketTicket.ticket_hash": "a hash of a one-time ticket",
    "foundation.IdempotencyRecord.key": "a client-made random key",
    "foundation.IdempotencyRecord.scope": "method and path, no content",
    "foundation.IdempotencyRecord.request_fingerprint": "a SHA-256 of the request body",
    # network: networks, membership
    "network.Network.name": "a network's public name",
    "network.Network.slug": "a network's public slug",
    "network.Network.area": "a network's public area",
    "network.Network.description": "a network's public description",
    "network.Network.timezone": "a time-zone name",
    "network.Network.emergency_routes": "public emergency numbers",
    "network.Network.escalation_steps": "the network's escalation policy",
    "network.Network.default_quiet_hours": "the network's default quiet hours, two times of day",
    "network.RuleChangeProposal.changes": "proposed settings: escalation steps, size cap",
    "network.RuleChangeProposal.previous": "the settings a ratified change replaced",
    "network.Invitation.phone_number": "looked up when the invited person signs in",
    "network.MembershipChange.invited_phone_number": "the invitation's number, for the history",
    # network: rota, maps, directory
    "network.Shift.rrule": "a recurrence rule",
    "network.Shift.note": "a rota note for the network's shift list (which slot), shown to the network",
    "network.CalendarFeed.token_hash": "a hash of the feed token",
    "network.Asset.organization_name": "public directory entry",
    "network.Asset.service_name": "public directory entry",
    "network.Asset.description": "public directory entry",
    "network.Asset.location_name": "public directory entry",
    "network.Asset.address": "public directory entry",
    "network.Asset.postal_code": "public directory entry",
    "network.Asset.phone": "public directory entry",
    "network.Asset.url": "public directory entry",
    "network.Asset.opening_times": "public directory entry",
    "network.Asset.categories": "public directory entry",
    "network.AssetReport.note": "about a directory entry (closed, moved, wrong number), not a person",
    "network.AssetReport.resolution_note": "about a directory entry, not a person",
    # crisisplans
    "crisisplans.DataKey.master_key_id": "the id of a master key",
    "crisisplans.DataKey.wrapped_key": "ciphertext: a data key wrapped by a master key",
    "crisisplans.Revision.ciphertext": "ciphertext (crisisplans.crypto)",
    "crisisplans.Comment.ciphertext": "ciphertext (crisisplans.crypto)",
    "crisisplans.BreakGlass.reason_ciphertext": "ciphertext (crisisplans.crypto)",
    "crisisplans.Revision.changed_sections": "section names only, never content",
    "crisisplans.CopingStrategy.text": "the shared coping library: written to be shown to every member",
    "crisisplans.OwnerNotice.alert_id": "an alert id",
    "crisisplans.AccessRecord.reader_role": "a role name",
    "crisisplans.AccessRecord.reason_ref": "an alert id or break-glass id",
    "crisisplans.AccessRecord.sections": "section names only, never content",
    "crisisplans.AccessRecord.reader_agent": "a browser and system, coarsely, never an address",
    "crisisplans.PlanShare.code_hash": "a keyed hash (HMAC) of a share's code",
    "crisisplans.PlanShare.sections": "section names only, never content",
    # messaging
    "messaging.Alert.routing_network_ids": "network ids",
    "messaging.Alert.client_key": "a client-made random key",
    "messaging.Alert.request_fingerprint": "a SHA-256 of the request",
    "messaging.Alert.sealed_details": "ciphertext (crisisplans.crypto, the member's key)",
    "messaging.Alert.policy": "a snapshot of the network's escalation policy",
    "messaging.Message.sealed_text": "ciphertext (crisisplans.crypto, the author's key)",
    "messaging.Message.client_id": "a client-made random key",
    "messaging.Conversation.pair_key": "two person ids",
    "messaging.Event.type": "an event type name",
    "messaging.Event.data": "ids, names and state changes, never text (messaging/event_types.py)",
    "messaging.PushSubscription.endpoint": "a push service URL, needed in clear to send",
    "messaging.PushSubscription.p256dh": "the browser's public key, needed in clear to encrypt pushes",
    "messaging.PushSubscription.auth": "the push auth secret, needed in clear to encrypt pushes",
    "messaging.PulseQuestion.text": "the network's monthly question, set by facilitators for every member",
    "messaging.PulseQuestion.low_label": "what 1 means on the question's scale",
    "messaging.PulseQuestion.high_label": "what 5 means on the question's scale",
    "messaging.Delivery.token": "a random token naming one voice call's TwiML URL",
    "messaging.Delivery.provider_sid": "the provider's id of a text or call",
    "messaging.Delivery.detail": "a provider's short error code or reason, never the text sent",
}


def our_text_fields() -> dict[str, models.Field]:
    found = {}
    for app_label in ("foundation", "network", "crisisplans", "messaging"):
        for model in apps.get_app_config(app_label).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, TEXT_FIELD_TYPES) and not field.choices:
                    found[f"{app_label}.{model.__name__}.{field.name}"] = field
    return found


def test_every_text_field_of_our_apps_is_sealed_or_listed_as_not_personal():
    fields = our_text_fields()
    plaintext = sorted(name for name, field in fields.items() if not getattr(field, "sealed", False))
    unlisted = [name for name in plaintext if name not in NOT_PERSONAL]
    assert unlisted == [], "seal these fields, or list them in NOT_PERSONAL with a reason"
    stale = sorted(set(NOT_PERSONAL) - set(plaintext))
    assert stale == [], "these NOT_PERSONAL entries are gone or sealed now: remove them"


PERSONAL_TEXT = {
    field: f"canary-{field}-5e1d"
    for field in (
        "debrief",
        "decline",
        "join-note",
        "join-decision",
        "invitation-note",
        "removal",
        "tie-label",
        "tie-relationship",
        "replayed",
    )
}


def plant_personal_text(api) -> dict[str, str]:
    """Each canary through the real endpoints; the answers the writers get back."""
    from tests.factories import PersonFactory
    from tests.messaging.conftest import make_crisis

    crisis = make_crisis()
    member, (bea, cleo, dan, *_) = crisis.member, crisis.peers
    navigator, network = crisis.navigator, crisis.network

    raised = api(member).post("/api/v1/alerts/", {"message": "help"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert raised.status_code == 201, raised.content
    alert_id = raised.json()["id"]
    declined = api(cleo).post(
        f"/api/v1/alerts/{alert_id}/decline/", {"reason": PERSONAL_TEXT["decline"]}, format="json"
    )
    assert declined.status_code == 200, declined.content
    assert api(bea).post(f"/api/v1/alerts/{alert_id}/accept/").status_code == 200
    resolved = api(bea).post(
        f"/api/v1/alerts/{alert_id}/resolve/",
        {"debrief": {"how_it_went": PERSONAL_TEXT["debrief"], "emergency_services": "avoided"}},
        format="json",
    )
    assert resolved.status_code == 200, resolved.content

    newcomer, other = PersonFactory(), PersonFactory()
    asked = api(newcomer).post(
        "/api/v1/join-requests/", {"network": network.slug, "note": PERSONAL_TEXT["join-note"]}, format="json"
    )
    assert asked.status_code == 201, asked.content
    api(other).post("/api/v1/join-requests/", {"network": network.slug}, format="json")
    other_request = api(other).get("/api/v1/join-requests/").json()["results"][0]["id"]
    decided = api(navigator).post(
        f"/api/v1/join-requests/{other_request}/decline/",
        {"reason": PERSONAL_TEXT["join-decision"]},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    invited = api(navigator).post(
        f"/api/v1/networks/{network.pk}/invitations/",
        {"phone_number": "+447700810999", "note": PERSONAL_TEXT["invitation-note"]},
        format="json",
    )
    assert invited.status_code == 201, invited.content
    from network.models import Membership

    removed = api(navigator).post(
        f"/api/v1/memberships/{Membership.objects.get(person=dan, network=network).pk}/remove/",
        {"reason": PERSONAL_TEXT["removal"]},
        format="json",
    )
    assert removed.status_code in (200, 204), removed.content
    tie = api(member).post(
        "/api/v1/me/ties/",
        {
            "kind": "person",
            "label": PERSONAL_TEXT["tie-label"],
            "relationship": PERSONAL_TEXT["tie-relationship"],
        },
        format="json",
    )
    assert tie.status_code == 201, tie.content

    # An idempotent create stores its first answer, which echoes the text.
    def create_tie_with_key():
        return api(member).post(
            "/api/v1/me/ties/",
            {"kind": "place", "label": PERSONAL_TEXT["replayed"]},
            format="json",
            HTTP_IDEMPOTENCY_KEY="canary-key",
        )

    first = create_tie_with_key()
    assert first.status_code == 201, first.content

    # Those allowed still read every one of them back, unchanged.
    replay = create_tie_with_key()
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    ties = api(member).get("/api/v1/me/ties/").json()["results"]
    assert {(t["label"], t["relationship"]) for t in ties} == {
        (PERSONAL_TEXT["tie-label"], PERSONAL_TEXT["tie-relationship"]),
        (PERSONAL_TEXT["replayed"], ""),
    }
    history = api(navigator).get(f"/api/v1/networks/{network.pk}/history/").content.decode()
    for field in ("removal", "join-note", "join-decision", "invitation-note"):
        assert PERSONAL_TEXT[field] in history, field
    requests = api(navigator).get(f"/api/v1/networks/{network.pk}/join-requests/").content.decode()
    assert PERSONAL_TEXT["join-note"] in requests
    from messaging.models import AlertDebrief, Offer

    assert Offer.objects.get(person=cleo).decline_reason == PERSONAL_TEXT["decline"]
    assert AlertDebrief.objects.get().how_it_went == PERSONAL_TEXT["debrief"]
    return {"member": member, "bea": bea, "cleo": cleo, "dan": dan, "newcomer": newcomer, "network": network}


def test_no_personal_text_is_stored_in_clear(api):
    plant_personal_text(api)
    dump = database_dump()
    assert "network_tie" in dump  # the dump holds these tables
    assert "messaging_alertdebrief" in dump
    found = [field for field, text in PERSONAL_TEXT.items() if text in dump or text.encode().hex() in dump]
    assert found == []
