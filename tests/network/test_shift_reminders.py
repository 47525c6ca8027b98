"""Shift reminders (issue 15): the person on an occurrence is told
SHIFT_REMINDER_BEFORE_MINUTES before it starts and when it ends, once, by a
sweep that reads what is due from the database; a cancelled occurrence has
nobody, a swapped one its taker, someone no longer ready is not reminded, and
a reminder found too late is recorded as skipped, not sent.

Push goes through the production Web Push backend; only pywebpush's HTTP call
is faked, recording what each push service would receive."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import jsonschema
import pytest
import yaml

from messaging.actions.push import do_subscribe_push
from messaging.asyncapi import server_schema
from messaging.models import Event
from messaging.selectors.events import event_frame
from network import actions
from network.actions.rota import do_accept_swap_request, do_ask_for_cover
from network.models import Membership, ShiftReminder
from network.reminders import do_send_due_shift_reminders
from tests.conftest import run_concurrently
from tests.factories import make_ready, nightly_shift

DOCUMENT = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml").read_text())
MINUTE = timedelta(minutes=1)
FIRST_NIGHT = date(2027, 1, 10)


def subscribe(*people):
    for person in people:
        do_subscribe_push(
            person=person, endpoint=f"https://push.example.test/{person.pk}", p256dh="k", auth="a"
        )


def endpoint(person) -> str:
    return f"https://push.example.test/{person.pk}"


@pytest.fixture
def rota(network, member, peer, navigator):
    """Amara on call every night 20:00 to 08:00 (London) from 10 January 2027;
    Ben ready to cover; both have push."""
    make_ready(member, network)
    make_ready(peer, network)
    subscribe(member, peer)
    return nightly_shift(network, member, actor=navigator, start_date=FIRST_NIGHT)


def night(network, day: date = FIRST_NIGHT, at: time = time(20, 0)) -> datetime:
    return datetime.combine(day, at, tzinfo=network.tzinfo)


def sweep(capture, now: datetime) -> dict[str, int]:
    with capture(execute=True):
        return do_send_due_shift_reminders(now=now)


def events(person, kind: str) -> list[Event]:
    return list(Event.objects.filter(person=person, type=kind).order_by("seq"))


def check_frame(event: Event) -> None:
    jsonschema.validate(
        event_frame(event),
        server_schema(DOCUMENT, event.type),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


pytestmark = pytest.mark.django_db


def test_the_reminder_half_an_hour_before_goes_once_and_matches_its_schema(
    network, member, peer, rota, pushes, django_capture_on_commit_callbacks
):
    start = night(network)
    assert sweep(django_capture_on_commit_callbacks, start - timedelta(minutes=31)) == {
        "sent": 0,
        "skipped": 0,
    }
    assert events(member, "shift.starting") == []

    assert sweep(django_capture_on_commit_callbacks, start - timedelta(minutes=30)) == {
        "sent": 1,
        "skipped": 0,
    }
    (event,) = events(member, "shift.starting")
    assert event.data == {
        "network": {"id": network.pk, "name": "Croydon SUN"},
        "shift_id": rota.pk,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=12)).isoformat(),
    }
    assert datetime.fromisoformat(event.data["start"]) == datetime(2027, 1, 10, 20, 0, tzinfo=UTC)
    check_frame(event)
    assert pushes == [
        (
            endpoint(member),
            {
                "title": "On-call rota",
                "body": "Your on-call shift in Croydon SUN starts at 20:00.",
                "url": "/#/rota",
            },
        )
    ]
    row = ShiftReminder.objects.get()
    assert (row.person, row.shift, row.occurrence_start, row.kind, row.state) == (
        member,
        rota,
        start,
        "starting",
        "sent",
    )

    # The next sweeps, and the same sweep again, find it recorded.
    for later in (
        start - timedelta(minutes=30),
        start - timedelta(minutes=29),
        start - timedelta(minutes=20),
    ):
        assert sweep(django_capture_on_commit_callbacks, later) == {"sent": 0, "skipped": 0}
    assert len(events(member, "shift.starting")) == 1
    assert len(pushes) == 1
    assert events(peer, "shift.starting") == []


def test_the_end_note_goes_to_the_person_when_the_shift_ends(
    network, member, rota, pushes, django_capture_on_commit_callbacks
):
    end = night(network) + timedelta(hours=12)
    sweep(django_capture_on_commit_callbacks, night(network) - timedelta(minutes=30))
    pushes.clear()
    assert sweep(django_capture_on_commit_callbacks, end - MINUTE) == {"sent": 0, "skipped": 0}
    assert sweep(django_capture_on_commit_callbacks, end + MINUTE) == {"sent": 1, "skipped": 0}
    (event,) = events(member, "shift.ended")
    assert event.data["start"] == night(network).isoformat()
    assert event.data["end"] == end.isoformat()
    check_frame(event)
    assert [p["body"] for _, p in pushes] == ["Your shift has ended. Thank you."]
    assert sweep(django_capture_on_commit_callbacks, end + 2 * MINUTE) == {"sent": 0, "skipped": 0}
    assert len(events(member, "shift.ended")) == 1
    assert ShiftReminder.objects.filter(kind="ended", person=member, state="sent").count() == 1


def test_a_cancelled_occurrence_is_reminded_to_nobody(
    network, member, peer, navigator, rota, pushes, django_capture_on_commit_callbacks
):
    start = night(network)
    actions.do_cancel_occurrence(shift=rota, occurrence_start=start, actor=navigator)
    sweep(django_capture_on_commit_callbacks, start - timedelta(minutes=30))
    sweep(django_capture_on_commit_callbacks, start + timedelta(hours=12))
    assert Event.objects.filter(type__startswith="shift.").count() == 0
    assert pushes == []
    assert ShiftReminder.objects.count() == 0
    # The next night is still reminded.
    sweep(
        django_capture_on_commit_callbacks,
        night(network, FIRST_NIGHT + timedelta(days=1)) - timedelta(minutes=30),
    )
    assert [e.data["start"] for e in events(member, "shift.starting")] == [
        night(network, FIRST_NIGHT + timedelta(days=1)).isoformat()
    ]


def test_a_swapped_occurrence_is_reminded_to_whoever_took_it(
    network, member, peer, rota, pushes, django_capture_on_commit_callbacks
):
    start = night(network)
    request = do_ask_for_cover(shift=rota, occurrence_start=start, asked=peer, actor=member)
    do_accept_swap_request(request=request)
    sweep(django_capture_on_commit_callbacks, start - timedelta(minutes=30))
    sweep(django_capture_on_commit_callbacks, start + timedelta(hours=12))
    assert events(member, "shift.starting") == events(member, "shift.ended") == []
    assert [e.data["start"] for e in events(peer, "shift.starting")] == [start.isoformat()]
    assert [e.data["end"] for e in events(peer, "shift.ended")] == [(start + timedelta(hours=12)).isoformat()]
    assert [(url, p["body"]) for url, p in pushes] == [
        (endpoint(peer), "Your on-call shift in Croydon SUN starts at 20:00."),
        (endpoint(peer), "Your shift has ended. Thank you."),
    ]


def test_someone_no_longer_ready_or_no_longer_a_member_is_not_reminded(
    network, member, peer, navigator, rota, pushes, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(person=member, network=network, left_at__isnull=True)
    actions.do_set_readiness(membership=membership, actor=navigator, ready=False)
    start = night(network)
    sweep(django_capture_on_commit_callbacks, start - timedelta(minutes=30))
    sweep(django_capture_on_commit_callbacks, start + timedelta(hours=12))
    assert Event.objects.filter(type__startswith="shift.").count() == 0
    assert pushes == []

    make_ready(member, network)
    actions.do_leave_network(membership=Membership.objects.get(person=member, left_at__isnull=True))
    second = night(network, FIRST_NIGHT + timedelta(days=1))
    sweep(django_capture_on_commit_callbacks, second - timedelta(minutes=30))
    assert Event.objects.filter(type__startswith="shift.").count() == 0
    assert pushes == []


def test_a_reminder_found_too_late_is_recorded_as_skipped_and_never_sent(
    network, member, rota, pushes, django_capture_on_commit_callbacks
):
    start = night(network)
    # The beat was down from 19:20 until 19:46: sixteen minutes late.
    assert sweep(django_capture_on_commit_callbacks, start - timedelta(minutes=14)) == {
        "sent": 0,
        "skipped": 1,
    }
    assert sweep(django_capture_on_commit_callbacks, start - timedelta(minutes=13)) == {
        "sent": 0,
        "skipped": 0,
    }
    assert events(member, "shift.starting") == []
    assert pushes == []
    row = ShiftReminder.objects.get()
    assert (row.kind, row.state, row.due_at) == ("starting", "skipped", start - timedelta(minutes=30))

    # Fifteen minutes late still goes (the next night).
    second = night(network, FIRST_NIGHT + timedelta(days=1))
    assert sweep(django_capture_on_commit_callbacks, second - timedelta(minutes=15)) == {
        "sent": 1,
        "skipped": 0,
    }
    assert [p["body"] for _, p in pushes] == ["Your on-call shift in Croydon SUN starts at 20:00."]


def test_the_lead_time_is_a_setting(
    network, member, rota, pushes, settings, django_capture_on_commit_callbacks
):
    settings.SHIFT_REMINDER_BEFORE_MINUTES = 60
    start = night(network)
    assert sweep(django_capture_on_commit_callbacks, start - timedelta(minutes=61))["sent"] == 0
    assert sweep(django_capture_on_commit_callbacks, start - timedelta(minutes=60))["sent"] == 1


def test_across_the_clock_change_a_20_00_shift_is_reminded_at_19_30_local(
    network, member, peer, navigator, pushes, django_capture_on_commit_callbacks
):
    """The clocks go forward at 01:00 GMT on Sunday 28 March 2027: the night of
    the 27th is GMT (reminded 19:30 UTC), the night of the 28th BST (18:30 UTC);
    the 27th's shift ends at 08:00 BST, 07:00 UTC, after 11 hours."""
    make_ready(member, network)
    subscribe(member)
    shift = nightly_shift(network, member, actor=navigator, start_date=date(2027, 3, 20))
    assert network.timezone == "Europe/London"
    utc = lambda *args: datetime(2027, 3, *args, tzinfo=UTC)  # noqa: E731

    assert sweep(django_capture_on_commit_callbacks, utc(27, 19, 29))["sent"] == 0
    assert sweep(django_capture_on_commit_callbacks, utc(27, 19, 30))["sent"] == 1
    assert sweep(django_capture_on_commit_callbacks, utc(28, 6, 59))["sent"] == 0
    assert sweep(django_capture_on_commit_callbacks, utc(28, 7, 0))["sent"] == 1
    assert sweep(django_capture_on_commit_callbacks, utc(28, 18, 29))["sent"] == 0
    assert sweep(django_capture_on_commit_callbacks, utc(28, 18, 30))["sent"] == 1

    starting = events(member, "shift.starting")
    assert [datetime.fromisoformat(e.data["start"]) for e in starting] == [utc(27, 20, 0), utc(28, 19, 0)]
    assert [datetime.fromisoformat(e.data["start"]).astimezone(network.tzinfo).hour for e in starting] == [
        20,
        20,
    ]
    (ended,) = events(member, "shift.ended")
    assert datetime.fromisoformat(ended.data["end"]) == utc(28, 7, 0)
    assert [p["body"] for _, p in pushes] == [
        "Your on-call shift in Croydon SUN starts at 20:00.",
        "Your shift has ended. Thank you.",
        "Your on-call shift in Croydon SUN starts at 20:00.",
    ]
    assert {r.shift_id for r in ShiftReminder.objects.all()} == {shift.pk}


def test_the_beat_runs_the_sweep_every_minute(settings):
    from config.celery import app as celery_app

    entry = settings.CELERY_BEAT_SCHEDULE["send-shift-reminders"]
    assert entry["task"] == "network.tasks.send_shift_reminders"
    assert entry["schedule"] == timedelta(minutes=1)
    celery_app.loader.import_default_modules()
    assert "network.tasks.send_shift_reminders" in celery_app.tasks
    assert settings.SHIFT_REMINDER_BEFORE_MINUTES == 30


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_instant_send_the_reminder_once(network, member, rota, pushes):
    """Two workers (threads, each with its own connection) sweep at the same
    moment: the second waits on the first's insert, then finds it taken."""
    now = night(network) - timedelta(minutes=30)
    at_once = threading.Barrier(4)
    results: list[dict[str, int]] = []

    def run(n: int) -> None:
        at_once.wait(10)
        results.append(do_send_due_shift_reminders(now=now))

    assert run_concurrently(run, 4) == []
    assert sorted(r["sent"] for r in results) == [0, 0, 0, 1]
    assert len(events(member, "shift.starting")) == 1
    assert ShiftReminder.objects.count() == 1
    assert [p["body"] for _, p in pushes] == ["Your on-call shift in Croydon SUN starts at 20:00."]


def test_a_one_off_shift_is_reminded_and_ended_too(
    network, member, navigator, pushes, django_capture_on_commit_callbacks
):
    """A bank-holiday override: no rule, 08:00 to 20:00 on 25 December 2026."""
    make_ready(member, network)
    subscribe(member)
    actions.do_create_shift(
        network=network,
        person=member,
        start_date=date(2026, 12, 25),
        start_time=time(8, 0),
        duration=timedelta(hours=12),
        actor=navigator,
    )
    morning = datetime(2026, 12, 25, 8, 0, tzinfo=network.tzinfo)
    assert sweep(django_capture_on_commit_callbacks, morning - timedelta(minutes=30))["sent"] == 1
    assert sweep(django_capture_on_commit_callbacks, morning + timedelta(hours=12))["sent"] == 1
    assert sweep(django_capture_on_commit_callbacks, morning + timedelta(days=3))["sent"] == 0
    assert [p["body"] for _, p in pushes] == [
        "Your on-call shift in Croydon SUN starts at 08:00.",
        "Your shift has ended. Thank you.",
    ]


def test_the_once_a_minute_task_logs_only_when_it_did_something(
    network, member, rota, caplog, django_capture_on_commit_callbacks
):
    """As the other routine sweeps (issue 12): Celery's three lines per run
    are filtered (messaging.logs), and the task says what it did."""
    from messaging.logs import ROUTINE_TASKS

    assert "network.tasks.send_shift_reminders" in ROUTINE_TASKS
    caplog.set_level(logging.INFO, logger="network.reminders")
    sweep(django_capture_on_commit_callbacks, night(network) - timedelta(minutes=40))
    assert [r.getMessage() for r in caplog.records if r.name == "network.reminders"] == []
    sweep(django_capture_on_commit_callbacks, night(network) - timedelta(minutes=30))
    assert [r.getMessage() for r in caplog.records if r.name == "network.reminders"] == [
        "shift reminders: sent=1 skipped=0"
    ]
