"""What a text (or a key pressed on a voice page) coming in from a phone does
(issue 17): "1" takes the alert the sender was texted, as "I've got this"
does, or acknowledges their test page; a raise word (SMS_RAISE_WORDS) raises
an alert as the button does; anything else gets a short help text. A voice
page (messaging.actions.paging places the call) says what is waiting and
"1" on the keypad does what a texted "1" does. The webhooks (messaging.hooks)
check Twilio's signature, drop retries and limit replies; this module decides.

Every reply is the text to send back ("" for none). None of them carries
crisis content or a member's name (DESIGN.md invariant 6), and a sender
who is not an active person in a network gets no reply at all: they learn
nothing, not even that the number is known.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from phonenumber_field.phonenumber import PhoneNumber
from phonenumbers import NumberParseException

from messaging.actions.alerts import AlertNotOpen, check_raise_alert, do_accept_alert
from messaging.actions.paging import do_acknowledge_test_page
from messaging.models import Alert, Delivery, Offer, TestPage
from messaging.models.escalation import EscalationPolicy
from messaging.selectors.paging import pending_test_page_for
from network.models import Person
from network.selectors import current_memberships

logger = logging.getLogger(__name__)

TAKEN = "It's yours. Open the app to see what they've asked for."
TAKEN_BY_SOMEONE_ELSE = "Someone else has already taken it. Thank you for answering."
NOTHING_WAITING = "There is nothing waiting for you to take."
TEST_PAGE_REACHED = "Thanks: your test page reached you."
FINDING_SOMEONE = "We're finding someone for you now."
ALREADY_TAKEN_FOR_YOU = "Someone has taken your alert and will be in touch."

# "1", "1." and " 1 " all mean "I'll take it".
TAKE_REPLY = re.compile(r"^\s*1\s*\.?\s*$")


def help_text() -> str:
    return f"Reply 1 to take an alert you were sent, or text {raise_words()[0]} if you need support."


def raise_words() -> list[str]:
    return [word.strip().upper() for word in settings.SMS_RAISE_WORDS if word.strip()]


def sender_of(from_number: str) -> Person | None:
    """The active person in a network whose registered number sent this
    (Twilio's From, normally E.164 already), or None."""
    try:
        number = PhoneNumber.from_string(from_number)
    except NumberParseException:
        return None
    if not number.is_valid():
        return None
    person = Person.objects.filter(phone_number=number.as_e164, is_active=True).first()
    if person is None or not current_memberships(person=person).exists():
        return None
    return person


def do_answer_text(*, from_number: str, text: str, message_sid: str, now: datetime | None = None) -> str:
    """Act on one inbound text and return the reply ("" for none)."""
    sender = sender_of(from_number)
    if sender is None:
        return ""
    if TAKE_REPLY.match(text):
        return do_take_by_reply(person=sender, now=now)
    if text.strip().upper() in raise_words():
        return do_raise_by_text(person=sender, message_sid=message_sid)
    return help_text()


# --- "1": take the alert -------------------------------------------------------------


def _wanted() -> Q:
    """An offer the person may still take: pending on an open alert, or a
    pending handover of a taken one (do_accept_alert re-checks under lock)."""
    return Q(state=Offer.State.PENDING) & (
        Q(alert__state=Alert.State.OPEN) | Q(kind=Offer.Kind.HANDOVER, alert__state=Alert.State.TAKEN)
    )


def do_take_by_reply(*, person: Person, now: datetime | None = None) -> str:
    """The sender's most recently notified offer that was texted to them,
    accepted exactly as "I've got this". Only texted offers: a reply is an
    answer to a text, and an offer they were never texted is not one they
    could be answering."""
    texted = Offer.objects.filter(person=person, sms_sent_at__isnull=False)
    offer = texted.filter(_wanted()).order_by("-notified_at").first()
    if offer is not None:
        return _take(offer=offer, person=person, now=now)
    test_page = pending_test_page_for(person)
    if test_page is not None:
        do_acknowledge_test_page(test_page=test_page, via=TestPage.Via.SMS, now=now)
        return TEST_PAGE_REACHED
    # Their text came too late: someone else holds an alert they were texted.
    if (
        texted.filter(state=Offer.State.WITHDRAWN, alert__state=Alert.State.TAKEN)
        .exclude(alert__taken_by=person)
        .exists()
    ):
        return TAKEN_BY_SOMEONE_ELSE
    return NOTHING_WAITING


def _take(*, offer: Offer, person: Person, now: datetime | None) -> str:
    try:
        do_accept_alert(alert_id=offer.alert_id, person=person, now=now)
    except AlertNotOpen:
        return TAKEN_BY_SOMEONE_ELSE
    logger.info("alert %s taken by person %s from their phone", offer.alert_id, person.pk)
    return TAKEN


# --- a raise word: raise an alert ----------------------------------------------------


def do_raise_by_text(*, person: Person, message_sid: str) -> str:
    """Raise an alert in the sender's default network through the button's
    own path: the key comes from Twilio's MessageSid, so a retried webhook
    raises nothing twice, and an alert already open is returned (nobody new
    is paged). The reply gives the emergency routes of that alert's network."""
    raised = check_raise_alert(person=person, body={}, client_key=f"sms:{message_sid}")
    alert = raised.alert
    logger.info("alert %s raised by text (new: %s)", alert.pk, raised.created)
    first = ALREADY_TAKEN_FOR_YOU if alert.state == Alert.State.TAKEN else FINDING_SOMEONE
    return f"{first} {emergency_routes_text(alert=alert)}"


def emergency_routes_text(*, alert: Alert) -> str:
    """ "If you are in danger now: Emergency services 999; ...". All of them,
    however long: the defaults fit two SMS segments, and a route left out to
    save a segment could be the one the member needed."""
    routes = [
        f"{route.label}, text {route.number}" if route.how == "text" else f"{route.label} {route.number}"
        for route in EscalationPolicy.of(alert).emergency_routes
    ]
    if not routes:
        return ""
    return "If you are in danger now: " + "; ".join(routes) + "."


# --- a voice page ----------------------------------------------------------------------

PAGE_ENDED = "This page has ended. Thank you."
TEST_PAGE_PROMPT = "This is a test page from CrisisNet. Press 1 to say it reached you."


def _still_wanted(offer: Offer) -> bool:
    return Offer.objects.filter(pk=offer.pk).filter(_wanted()).exists()


def voice_prompt(*, delivery: Delivery | None) -> str:
    """What the call asks, or "" when nothing is waiting any more (unknown
    token, an offer taken, withdrawn or cancelled, a test page already
    acknowledged): then it only says PAGE_ENDED."""
    if delivery is None:
        return ""
    if delivery.offer is not None:
        if not _still_wanted(delivery.offer):
            return ""
        return f"Someone in {delivery.offer.network.name} needs support. Press 1 to take it."
    if delivery.test_page is not None and delivery.test_page.acknowledged_at is None:
        return TEST_PAGE_PROMPT
    return ""


def do_answer_voice_key(*, delivery: Delivery | None, digits: str, now: datetime | None = None) -> str:
    """What pressing ``digits`` on the call does, as the words said back; ""
    for anything but 1 (the caller asks once more)."""
    if digits.strip() != "1":
        return ""
    if delivery is None:
        return PAGE_ENDED
    if delivery.test_page is not None:
        do_acknowledge_test_page(test_page=delivery.test_page, via=TestPage.Via.VOICE, now=now)
        return TEST_PAGE_REACHED
    offer = delivery.offer
    if offer is None:
        return PAGE_ENDED
    if _still_wanted(offer):
        return _take(offer=offer, person=delivery.person, now=now)
    alert = Alert.objects.only("state", "taken_by_id").get(pk=offer.alert_id)
    if alert.state == Alert.State.TAKEN and alert.taken_by_id == delivery.person_id:
        return TAKEN
    if alert.state in (Alert.State.TAKEN, Alert.State.RESOLVED) and alert.taken_by_id != delivery.person_id:
        return TAKEN_BY_SOMEONE_ELSE
    return PAGE_ENDED
