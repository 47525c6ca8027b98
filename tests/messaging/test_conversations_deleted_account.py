"""A member who deletes their account leaves the people they talked with a
working history: "a deleted account" in place of their name and words, and
no server error anywhere the others read or write."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from messaging.consumers import CLOSE_SESSION_ENDED
from tests.conftest import sign_in
from tests.messaging.conftest import send_message
from tests.messaging.test_websocket import communicator, connected

pytestmark = pytest.mark.django_db


def delete_account(client) -> None:
    response = client.post("/api/v1/my-account/delete/", {"confirm": "delete my account"}, format="json")
    assert response.status_code == 204


@pytest.fixture
def talked(api, network, member, peer):
    """Amara and Ben wrote to each other directly and in the network's group."""
    amara, ben = api(member), api(peer)
    direct_id = amara.post("/api/v1/conversations/direct/", {"person_id": peer.pk}, format="json").json()[
        "id"
    ]
    send_message(amara, direct_id, "are you around tonight?", "a-1")
    send_message(ben, direct_id, "yes, after eight", "b-1")
    send_message(amara, direct_id, "thank you", "a-2")
    group_id = amara.get(f"/api/v1/networks/{network.pk}/conversation/").json()["id"]
    send_message(amara, group_id, "hello everyone", "a-3")
    amara.post(f"/api/v1/conversations/{direct_id}/receipts/", {"read_through": 2}, format="json")
    return direct_id, group_id


def test_the_other_person_reads_the_history_after_a_member_deletes_their_account(api, member, peer, talked):
    direct_id, _ = talked
    delete_account(api(member))

    ben = api(peer)
    history = ben.get(f"/api/v1/conversations/{direct_id}/messages/")
    assert history.status_code == 200
    shown = [(m["order"], m["author"], m["author_deleted"], m["text"]) for m in history.json()["results"]]
    assert shown == [
        (3, None, True, None),
        (2, {"id": peer.pk, "display_name": "Ben"}, False, "yes, after eight"),
        (1, None, True, None),
    ]
    catch_up = ben.get(f"/api/v1/conversations/{direct_id}/messages/?after=0")
    assert catch_up.status_code == 200
    assert [m["text"] for m in catch_up.json()["results"]] == [None, "yes, after eight", None]


def test_nothing_the_other_person_does_in_the_conversation_fails(api, network, member, peer, talked):
    direct_id, group_id = talked
    delete_account(api(member))

    ben = api(peer)
    listed = ben.get("/api/v1/conversations/")
    assert listed.status_code == 200
    assert {c["id"]: c["unread"] for c in listed.json()} == {direct_id: 1, group_id: 1}
    assert ben.get(f"/api/v1/conversations/{direct_id}/").status_code == 200
    receipts = ben.post(f"/api/v1/conversations/{direct_id}/receipts/", {"read_through": 3}, format="json")
    assert receipts.status_code == 200
    group = ben.get(f"/api/v1/networks/{network.pk}/conversation/")
    assert group.status_code == 200
    group_history = ben.get(f"/api/v1/conversations/{group_id}/messages/?after=0")
    assert group_history.status_code == 200
    assert [(m["author_deleted"], m["text"]) for m in group_history.json()["results"]] == [(True, None)]
    assert ben.get(f"/api/v1/conversations/{direct_id}/").json()["unread"] == 0


def test_the_schema_documents_the_deleted_author_field(api, member):
    schema = api(member).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    message = schema["components"]["schemas"]["MessageOut"]["properties"]
    assert "a deleted account" in message["author_deleted"]["description"]


@pytest.mark.django_db(transaction=True)
async def test_deleting_an_account_closes_its_devices_sockets_at_once(member, peer):
    _, token = await sync_to_async(sign_in)(member)
    _, tablet_token = await sync_to_async(sign_in)(member, "tablet")
    _, peer_token = await sync_to_async(sign_in)(peer)
    phone, tablet, other = (
        communicator(token=token),
        communicator(token=tablet_token),
        communicator(token=peer_token),
    )
    try:
        for comm in (phone, tablet, other):
            await connected(comm)
        from crisisplans.actions import do_delete_account

        await sync_to_async(do_delete_account)(person=member)
        for comm in (phone, tablet):
            closed = await comm.receive_output(timeout=3)
            assert closed["type"] == "websocket.close"
            assert closed["code"] == CLOSE_SESSION_ENDED
        await other.send_json_to({"type": "ping"})
        assert (await other.receive_json_from(timeout=3))["type"] == "pong"
    finally:
        for comm in (phone, tablet, other):
            await comm.disconnect()
