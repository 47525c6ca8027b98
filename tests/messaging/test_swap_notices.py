"""Swap requests tell people (issue 15): the asked peer hears of an ask
(swap.requested and a push), whoever asked and the shift's peer hear the
answer (swap.answered and a push), the asked peer hears of a withdrawn ask
(swap.withdrawn). Each tells exactly those people: not the one who acted,
not the rest of the network, nobody from another network.

Through the real API. The push goes from a task after commit: the tasks the
requests published are run here as a worker would, through the production
Web Push backend with only pywebpush's HTTP call faked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import yaml
from celery.signals import after_task_publish

from config.celery import app as celery_app
from messaging.actions.push import do_subscribe_push
from messaging.asyncapi import server_schema
from messaging.models import Event
from messaging.selectors.events import event_frame
from network import actions
from network.models import Membership, SwapRequest
from tests.factories import add_member, make_ready

pytestmark = pytest.mark.django_db

DOCUMENT = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml").read_text())
NIGHT = date(2027, 1, 10)  # a Sunday


@pytest.fixture
def published():
    """Tasks published to the broker: (name, args, queue)."""
    sent: list[tuple[str, list, str]] = []

    def record(sender=None, body=None, routing_key=None, **kwargs):
        sent.append((sender, list(body[0]), routing_key))

    after_task_publish.connect(record, weak=False)
    yield sent
    after_task_publish.disconnect(record)


def run_published(published) -> None:
    """Run the published tasks as the worker would, then forget them."""
    celery_app.loader.import_default_modules()
    for name, args, _ in published:
        celery_app.tasks[name](*args)
    published.clear()


@pytest.fixture
def cast(network, other_network, member, peer, navigator, staff, outsider, outside_navigator):
    """Amara's nightly shift from Sunday 10 January 2027; Ben ready to cover;
    Chidi a ready member not involved; everyone (and the other network's
    people) has push."""
    make_ready(member, network)
    make_ready(peer, network)
    chidi = add_member(network, "Chidi", ready=True)
    everyone = [member, peer, navigator, staff, chidi, outsider, outside_navigator]
    for person in everyone:
        do_subscribe_push(person=person, endpoint=endpoint(person), p256dh="k", auth="a")
    shift = actions.do_create_shift(
        network=network,
        person=member,
        start_date=NIGHT,
        start_time=time(20, 0),
        duration=timedelta(hours=12),
        rrule="FREQ=DAILY",
        actor=navigator,
    )
    return shift, everyone


def endpoint(person) -> str:
    return f"https://push.example.test/{person.pk}"


START = datetime(2027, 1, 10, 20, 0, tzinfo=ZoneInfo("Europe/London"))


def swap_events(person) -> list[Event]:
    return list(Event.objects.filter(person=person, type__startswith="swap.").order_by("seq"))


def told(everyone) -> dict[str, list[str]]:
    """Who got which swap events (by name), for everyone who got any."""
    out = {}
    for person in everyone:
        kinds = [e.type for e in swap_events(person)]
        if kinds:
            out[person.display_name] = kinds
    return out


def pushed(pushes, everyone) -> list[tuple[str, str]]:
    names = {endpoint(p): p.display_name for p in everyone}
    return [(names[url], payload["body"]) for url, payload in pushes]


def check_frames(everyone) -> None:
    for person in everyone:
        for event in swap_events(person):
            jsonschema.validate(
                event_frame(event),
                server_schema(DOCUMENT, event.type),
                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
            )


def ask(api, capture, person, shift, asked):
    body = {"occurrence_start": START.isoformat(), "taken_by": asked.pk}
    with capture(execute=True):
        response = api(person).post(f"/api/v1/shifts/{shift.pk}/swaps/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def answer(api, capture, person, request_id, verb, expect=200):
    with capture(execute=True):
        response = api(person).post(f"/api/v1/swap-requests/{request_id}/{verb}/")
    assert response.status_code == expect, response.content
    return response


def test_an_ask_tells_the_asked_peer_and_nobody_else(
    api, member, peer, cast, pushes, published, django_capture_on_commit_callbacks
):
    shift, everyone = cast
    request_id = ask(api, django_capture_on_commit_callbacks, member, shift, peer)
    assert told(everyone) == {"Ben": ["swap.requested"]}
    (event,) = swap_events(peer)
    assert event.data == {
        "request_id": request_id,
        "network": {"id": shift.network_id, "name": "Croydon SUN"},
        "shift_id": shift.pk,
        "occurrence_start": START.isoformat(),
        "asked": {"id": peer.pk, "display_name": "Ben"},
        "asked_by": {"id": member.pk, "display_name": "Amara"},
        "shift_person": {"id": member.pk, "display_name": "Amara"},
    }
    check_frames(everyone)
    assert [(name, queue) for name, _, queue in published] == [
        ("messaging.tasks.push_swap_notice", "default")
    ]
    assert pushes == []  # not inside the request: from the task
    run_published(published)
    assert pushed(pushes, everyone) == [
        ("Ben", "Amara asked if you can take their shift on Sunday 10 January at 20:00 in Croydon SUN.")
    ]
    assert pushes[0][1]["url"] == "/#/rota"


def test_a_navigator_asking_for_someone_tells_the_asked_peer_and_the_shifts_peer(
    api, member, peer, navigator, cast, pushes, published, django_capture_on_commit_callbacks
):
    shift, everyone = cast
    ask(api, django_capture_on_commit_callbacks, navigator, shift, peer)
    assert told(everyone) == {"Amara": ["swap.requested"], "Ben": ["swap.requested"]}
    check_frames(everyone)
    run_published(published)
    # Amara sees it on her rota screen; only the one asked is pushed.
    assert pushed(pushes, everyone) == [
        ("Ben", "Nadia asked if you can take Amara's shift on Sunday 10 January at 20:00 in Croydon SUN.")
    ]


def test_accepting_tells_whoever_asked(
    api, member, peer, cast, pushes, published, django_capture_on_commit_callbacks
):
    shift, everyone = cast
    request_id = ask(api, django_capture_on_commit_callbacks, member, shift, peer)
    run_published(published)
    pushes.clear()
    answer(api, django_capture_on_commit_callbacks, peer, request_id, "accept")
    assert told(everyone) == {"Amara": ["swap.answered"], "Ben": ["swap.requested"]}
    (event,) = swap_events(member)
    assert (event.data["answer"], event.data["request_id"], event.data["asked"]["display_name"]) == (
        "accepted",
        request_id,
        "Ben",
    )
    check_frames(everyone)
    run_published(published)
    assert pushed(pushes, everyone) == [
        ("Amara", "Ben will take your shift on Sunday 10 January at 20:00 in Croydon SUN.")
    ]


def test_declining_a_navigators_ask_tells_the_navigator_and_the_shifts_peer(
    api, member, peer, navigator, cast, pushes, published, django_capture_on_commit_callbacks
):
    shift, everyone = cast
    request_id = ask(api, django_capture_on_commit_callbacks, navigator, shift, peer)
    run_published(published)
    pushes.clear()
    answer(api, django_capture_on_commit_callbacks, peer, request_id, "decline")
    assert told(everyone) == {
        "Amara": ["swap.requested", "swap.answered"],
        "Ben": ["swap.requested"],
        "Nadia": ["swap.answered"],
    }
    assert {e.data["answer"] for e in Event.objects.filter(type="swap.answered")} == {"declined"}
    check_frames(everyone)
    run_published(published)
    assert sorted(pushed(pushes, everyone)) == [
        ("Amara", "Ben can't take your shift on Sunday 10 January at 20:00 in Croydon SUN."),
        ("Nadia", "Ben can't take Amara's shift on Sunday 10 January at 20:00 in Croydon SUN."),
    ]


def test_withdrawing_tells_the_asked_peer_and_cancels_the_push_not_yet_sent(
    api, member, peer, cast, pushes, published, django_capture_on_commit_callbacks
):
    shift, everyone = cast
    request_id = ask(api, django_capture_on_commit_callbacks, member, shift, peer)
    answer(api, django_capture_on_commit_callbacks, member, request_id, "withdraw")
    assert told(everyone) == {"Ben": ["swap.requested", "swap.withdrawn"]}
    (_, withdrawn) = swap_events(peer)
    assert withdrawn.data["request_id"] == request_id
    check_frames(everyone)
    # The ask's push task runs only now: the ask no longer waits, so no push;
    # the withdrawal itself is not pushed.
    assert [name for name, _, _ in published] == ["messaging.tasks.push_swap_notice"]
    run_published(published)
    assert pushes == []


def test_an_accept_refused_with_409_tells_nobody(
    api, member, peer, staff, cast, pushes, published, django_capture_on_commit_callbacks
):
    shift, everyone = cast
    request_id = ask(api, django_capture_on_commit_callbacks, member, shift, peer)
    run_published(published)
    pushes.clear()
    membership = Membership.objects.get(person=peer, network=shift.network, left_at__isnull=True)
    actions.do_set_readiness(membership=membership, actor=staff, ready=False)
    answer(api, django_capture_on_commit_callbacks, peer, request_id, "accept", expect=409)
    assert SwapRequest.objects.get(pk=request_id).state == "pending"
    assert told(everyone) == {"Ben": ["swap.requested"]}
    assert published == []
    assert pushes == []


def test_an_answer_nobody_may_give_tells_nobody(
    api, member, peer, outsider, cast, pushes, published, django_capture_on_commit_callbacks
):
    shift, everyone = cast
    request_id = ask(api, django_capture_on_commit_callbacks, member, shift, peer)
    run_published(published)
    answer(api, django_capture_on_commit_callbacks, outsider, request_id, "decline", expect=404)
    answer(api, django_capture_on_commit_callbacks, outsider, request_id, "withdraw", expect=404)
    answer(api, django_capture_on_commit_callbacks, member, request_id, "accept", expect=403)
    assert told(everyone) == {"Ben": ["swap.requested"]}
    assert published == []
