"""Reactions to signals from the lower apps, and from messaging's lower topics."""

from __future__ import annotations

import contextlib
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone

from crisisplans.signals import owner_notice_created, owner_notice_ready
from foundation.transports.sms import send_sms
from messaging import scheduling
from messaging.actions.events import send_event_on_commit
from messaging.actions.notifications import SHIFT_ENDED_TEXT, push_to_person, shift_starting_text
from messaging.event_types import (
    MEMBERSHIP_CHANGED,
    PLAN_NOTICE,
    RULES_PROPOSAL,
    SHIFT_ENDED,
    SHIFT_STARTING,
    SWAP_ANSWERED,
    SWAP_REQUESTED,
    SWAP_WITHDRAWN,
    network_ref,
    person_ref,
)
from messaging.realtime import group_for_device
from messaging.signals import alert_holder_wrote
from network.models import Membership, Person, ShiftReminder, SwapRequest
from network.signals import (
    device_revoked,
    membership_changed,
    rule_proposal_changed,
    shift_reminder_due,
    swap_request_changed,
)


@receiver(device_revoked)
def close_sockets_of_revoked_device(
    sender: Any, *, person_id: int, device_digest: str, **kwargs: Any
) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group_for_device(device_digest), {"type": "session.revoked"})


@receiver(membership_changed)
def announce_membership_change(sender: Any, *, change: Any, **kwargs: Any) -> None:
    """The person concerned and the network's navigators and facilitators hear
    of every membership change (a join request needs someone to answer it)."""
    network, person = change.network, change.person
    managers = Membership.objects.filter(
        network=network,
        left_at__isnull=True,
        role__in=[Membership.Role.NAVIGATOR, Membership.Role.FACILITATOR],
    ).values_list("person_id", flat=True)
    recipients = set(managers)
    role = None
    if person is not None:
        recipients.add(person.pk)
        role = (
            Membership.objects.filter(network=network, person=person, left_at__isnull=True)
            .values_list("role", flat=True)
            .first()
        )
    data = {
        "network": {"id": network.pk, "name": network.name},
        "person": None if person is None else {"id": person.pk, "display_name": person.display_name},
        "change": change.kind,
        "role": role,
    }
    with transaction.atomic():
        send_event_on_commit(event_type=MEMBERSHIP_CHANGED, data=data, person_ids=recipients)


BREAK_GLASS_TEXT = "Someone on your support team opened your crisis plan. Open the app to see who and why."


@receiver(owner_notice_created)
def announce_plan_notice(sender: Any, *, notice_id: int, owner_id: int, kind: str, **kwargs: Any) -> None:
    """Inside the notice's own transaction: its event commits with it."""
    send_event_on_commit(
        event_type=PLAN_NOTICE, data={"notice_id": notice_id, "kind": kind}, person_ids=[owner_id]
    )


@receiver(owner_notice_ready)
def text_owner(sender: Any, *, notice_id: int, owner_id: int, kind: str, **kwargs: Any) -> None:
    """The content-free text for a break-glass read. Raises TransportError so
    crisisplans records a permanent refusal or tries a temporary one again."""
    owner = Person.objects.filter(pk=owner_id, is_active=True).first()
    if owner is not None:
        send_sms(to=owner.phone_number.as_e164, body=BREAK_GLASS_TEXT)


@receiver(pre_delete, sender=Person)
def release_alerts_of_departing_person(sender: Any, *, instance: Person, **kwargs: Any) -> None:
    """An account being deleted holds no alert and is asked about none: what
    it held goes back to escalation at once, before the rows go."""
    from messaging.actions.alerts import do_release_alerts_of_departing_person

    do_release_alerts_of_departing_person(person=instance)


@receiver(alert_holder_wrote)
def confirm_first_contact(sender: Any, *, alert_id: Any, person: Person, now: Any, **kwargs: Any) -> None:
    """The holder's first message is the contact the alert waits for. If they
    stopped holding it since the caller looked, there is nothing to confirm."""
    from messaging.actions.alerts import NotYours, do_confirm_contact

    with contextlib.suppress(NotYours):
        do_confirm_contact(alert_id=alert_id, person=person, now=now)


@receiver(shift_reminder_due)
def remind_of_shift(sender: Any, *, reminder: ShiftReminder, start: Any, end: Any, **kwargs: Any) -> None:
    """Inside the transaction that records the reminder: the event commits with
    the row (so it is sent once), the push goes after commit, at most once."""
    network = reminder.shift.network
    starting = reminder.kind == ShiftReminder.Kind.STARTING
    data = {
        "network": network_ref(network),
        "shift_id": reminder.shift_id,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    send_event_on_commit(
        event_type=SHIFT_STARTING if starting else SHIFT_ENDED, data=data, person_ids=[reminder.person_id]
    )
    body = shift_starting_text(network=network, start=start) if starting else SHIFT_ENDED_TEXT
    person_id = reminder.person_id
    transaction.on_commit(
        lambda: push_to_person(person_id=person_id, title="On-call rota", body=body, url="/#/rota"),
        robust=True,
    )


def swap_request_data(request: SwapRequest) -> dict[str, Any]:
    shift = request.shift
    return {
        "request_id": request.pk,
        "network": network_ref(shift.network),
        "shift_id": shift.pk,
        "occurrence_start": request.occurrence_start.isoformat(),
        "asked": person_ref(request.asked),
        "asked_by": person_ref(request.asked_by),
        "shift_person": person_ref(shift.person),
    }


@receiver(swap_request_changed)
def announce_swap_request(sender: Any, *, request: SwapRequest, change: str, **kwargs: Any) -> None:
    """Inside the change's transaction. Asked: the asked peer (and the shift's
    peer, when a navigator or facilitator asked for them). Accepted or
    declined: whoever asked and the shift's peer. Withdrawn: the asked peer.
    The push (asked, answered) goes from a task after commit."""
    request = SwapRequest.objects.select_related("shift__network", "shift__person", "asked", "asked_by").get(
        pk=request.pk
    )
    data = swap_request_data(request)
    owner_id = request.shift.person_id
    if change == "requested":
        event_type, recipients = SWAP_REQUESTED, {request.asked_id}
        if request.asked_by_id != owner_id:
            recipients.add(owner_id)
    elif change == "withdrawn":
        event_type, recipients = SWAP_WITHDRAWN, {request.asked_id}
    else:
        event_type, recipients = SWAP_ANSWERED, {request.asked_by_id, owner_id} - {request.asked_id}
        data["answer"] = change
    recipients.discard(None)
    send_event_on_commit(event_type=event_type, data=data, person_ids=recipients)  # type: ignore[arg-type]
    if change != "withdrawn":
        request_id = request.pk
        transaction.on_commit(
            lambda: scheduling._enqueue("push_swap_notice", (request_id, change), timezone.now())
        )


@receiver(rule_proposal_changed)
def announce_rule_proposal(sender: Any, *, proposal: Any, change: str, **kwargs: Any) -> None:
    """Every current member of the network hears of a proposal to change its rules,
    its count and a facilitator's decision (inside the change's transaction)."""
    members = Membership.objects.filter(network_id=proposal.network_id, left_at__isnull=True).values_list(
        "person_id", flat=True
    )
    data = {
        "proposal_id": proposal.pk,
        "network": network_ref(proposal.network),
        "change": change,
        "state": proposal.state,
        "proposer": person_ref(proposal.proposer),
    }
    send_event_on_commit(event_type=RULES_PROPOSAL, data=data, person_ids=set(members))


# --- A plan share was opened (issue 18) -------------------------------------------
from crisisplans.signals import plan_share_opened  # noqa: E402
from messaging.event_types import PLAN_SHARE_OPENED  # noqa: E402


@receiver(plan_share_opened)
def announce_plan_share_opened(
    sender: Any, *, share_id: int, owner_id: int, opened_at: Any, **kwargs: Any
) -> None:
    """Inside the transaction that records the open: the event commits with
    the access record. Only the share's id and the time."""
    send_event_on_commit(
        event_type=PLAN_SHARE_OPENED,
        data={"share_id": share_id, "opened_at": opened_at.isoformat()},
        person_ids=[owner_id],
    )


@receiver(rule_proposal_changed)
def open_rule_proposal_discussion(sender: Any, *, proposal: Any, change: str, **kwargs: Any) -> None:
    """A proposal is made: its discussion opens, in the same transaction, for the
    network's current members (and whoever joins while it is talked over)."""
    if change != "proposed":
        return
    from messaging.actions.conversations import do_open_proposal_discussion

    do_open_proposal_discussion(proposal=proposal)
