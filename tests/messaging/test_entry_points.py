"""The REST views and the websocket consumer are thin translators over the
same check_*/do_* entry points in messaging.actions: the consumer imports no
view module (issue 13)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async

import messaging
from messaging.models import Message
from tests.conftest import client_for
from tests.messaging.test_messages_realtime import connect, next_of, start_direct

MESSAGING = Path(messaging.__file__).parent
# The consumer and its mixins: everything a websocket frame runs through.
CONSUMER_MODULES = ("consumers.py", "conversation_frames.py")


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_websocket_consumer_imports_no_view_module():
    for name in CONSUMER_MODULES:
        views = {
            module
            for module in imported_modules(MESSAGING / name)
            # messaging.api and its modules, and any views module beside it (api_*.py)
            if module.startswith("messaging.api")
        }
        assert views == set(), f"messaging/{name} imports view modules: {sorted(views)}"


@pytest.mark.django_db(transaction=True)
async def test_a_text_that_is_not_a_string_is_refused_alike_over_rest_and_the_socket(member, peer):
    conversation = await sync_to_async(start_direct)(member, peer)
    over_rest = await sync_to_async(
        lambda: client_for(member).post(
            f"/api/v1/conversations/{conversation.pk}/messages/",
            {"text": 5},
            format="json",
            HTTP_IDEMPOTENCY_KEY="rest-1",
        )
    )()
    assert over_rest.status_code == 400
    assert [(e["field"], e["detail"]) for e in over_rest.json()["errors"]] == [
        ("text", "Send the text as a string.")
    ]
    comm, _ = await connect(member)
    try:
        await comm.send_json_to(
            {"type": "message.send", "id": "ws-1", "conversation_id": str(conversation.pk), "text": 5}
        )
        refused = await next_of(comm, "error")
    finally:
        await comm.disconnect()
    assert (refused["code"], refused["detail"], refused["ref"]) == (
        "validation_error",
        "text: Send the text as a string.",
        "ws-1",
    )
    assert not await sync_to_async(Message.objects.filter(conversation=conversation).exists)()
