"""Limits on the websocket, through a real daphne: 2,000 typing frames were all
fanned out to the other person, and 300 sockets opened on one device token.
Alert frames and acks are never throttled: a person in crisis is never refused."""

from __future__ import annotations

import json
import time

from messaging.consumers import CLOSE_TOO_MANY_SOCKETS
from messaging.ws_limits import SOCKETS_PER_DEVICE
from tests.messaging.served import close_of, receive, receive_type, served


def frames_within(ws, seconds: float) -> list[dict]:
    """Every frame the socket gets in the next ``seconds``."""
    got, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            got.append(receive(ws, timeout=left))
        except TimeoutError:
            break
    return got


def test_a_typing_flood_reaches_the_other_person_as_a_few_frames():
    with served() as server:
        member = server.socket(server.seed["member_token"])
        bea = server.socket(server.seed["bea_token"])
        typing = {"type": "typing", "conversation_id": server.seed["conversation_id"], "state": "start"}
        started = time.monotonic()
        for _ in range(2000):
            member.send(json.dumps(typing))
        member.send(json.dumps({"type": "ping"}))
        assert receive_type(member, "pong")["type"] == "pong"
        relayed = [f for f in frames_within(bea, 2.0) if f["type"] == "typing"]
        elapsed = time.monotonic() - started
        # A burst of two, then one every two seconds.
        assert 1 <= len(relayed) <= 2 + int(elapsed / 2), (len(relayed), elapsed)
        # Quietly dropped: the sender got no error frames for them.
        assert not [f for f in frames_within(member, 0.3) if f["type"] == "error"]


def test_alert_frames_and_acks_are_never_throttled():
    with served() as server:
        member = server.socket(server.seed["member_token"], query="after=0")
        seqs = [f["seq"] for f in frames_within(member, 1.0) if "seq" in f]
        typing = {"type": "typing", "conversation_id": server.seed["conversation_id"], "state": "start"}
        for _ in range(200):
            member.send(json.dumps(typing))
        for _ in range(50):
            member.send(json.dumps({"type": "ack", "seq": seqs[-1]}))
        answers = [receive_type(member, "acked") for _ in range(50)]
        assert answers == [{"type": "acked", "seq": seqs[-1]}] * 50
        member.send(json.dumps({"type": "alert.raise", "id": "after-the-flood"}))
        assert receive_type(member, "alert.raised")["ref"] == "after-the-flood"


def test_a_presence_query_flood_is_answered_rate_limited():
    with served() as server:
        member = server.socket(server.seed["member_token"])
        for n in range(30):
            member.send(json.dumps({"type": "presence.query", "person_ids": [1, 2], "id": f"p{n}"}))
        errors = [f for f in frames_within(member, 2.0) if f["type"] == "error"]
        assert errors
        assert {f["code"] for f in errors} == {"rate_limited"}
        assert len(errors) >= 20


def test_one_device_opens_at_most_its_share_of_sockets():
    with served() as server:
        token = server.seed["member_token"]
        sockets = [server.socket(token) for _ in range(SOCKETS_PER_DEVICE)]
        refused = server.open(token)
        assert close_of(refused) == (CLOSE_TOO_MANY_SOCKETS, "")
        # Another device of the same server is not affected...
        bea = server.socket(server.seed["bea_token"])
        bea.send(json.dumps({"type": "ping"}))
        assert receive_type(bea, "pong")["type"] == "pong"
        # ...and a socket closed frees its place.
        sockets.pop().close()
        time.sleep(0.5)
        again = server.socket(token)
        again.send(json.dumps({"type": "ping"}))
        assert receive_type(again, "pong")["type"] == "pong"
