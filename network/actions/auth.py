"""Sign-in, devices and websocket tickets: every write of the person's login state."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from foundation.problems import SmsUnavailable
from foundation.transports.sms import try_send_sms
from network.models import Device, LoginCode, Person, WebsocketTicket
from network.signals import device_revoked

# Writing last_seen_at on every request would turn reads into writes; once a
# minute is enough for a device list.
DEVICE_LAST_SEEN_RESOLUTION = timedelta(minutes=1)


class InvalidLoginCode(Exception):
    """The one answer to a wrong, expired, used or exhausted code: the caller
    learns nothing about which, nor whether the number has an account."""


class LoginLocked(Exception):
    """Too many wrong guesses at this number's code: no sign-in and no new code
    until ``until`` (when the burnt code would have expired), so a guesser
    cannot buy fresh guesses by asking for a new code."""

    def __init__(self, *, until: datetime) -> None:
        super().__init__(until)
        self.until = until


def login_locked_until(*, phone_number: PhoneNumber, now: datetime) -> datetime | None:
    """When the lock on this number ends, or None if it is not locked."""
    return (
        LoginCode.objects.filter(
            phone_number=phone_number,
            failed_guesses__gte=settings.LOGIN_CODE_MAX_GUESSES,
            expires_at__gt=now,
        )
        .order_by("-expires_at")
        .values_list("expires_at", flat=True)
        .first()
    )


def _keyed_hash(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def _code_hash(phone_number: PhoneNumber, code: str) -> str:
    return _keyed_hash(f"login-code:{phone_number.as_e164}:{code}")


def do_request_login_code(*, phone_number: PhoneNumber) -> None:
    """Issue a fresh code and text it, whether or not the number has an account
    (signing in and signing up are the same step). Older codes stop working.
    Raises LoginLocked while wrong guesses have locked the number, and
    SmsUnavailable (a 503 problem) when the SMS provider does not take the text."""
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    locked_until = login_locked_until(phone_number=phone_number, now=now)
    if locked_until is not None:
        raise LoginLocked(until=locked_until)
    with transaction.atomic():
        LoginCode.objects.filter(phone_number=phone_number, used_at__isnull=True).update(used_at=now)
        login_code = LoginCode.objects.create(
            phone_number=phone_number,
            code_hash=_code_hash(phone_number, code),
            created_at=now,
            expires_at=now + settings.LOGIN_CODE_TTL,
        )
    minutes = int(settings.LOGIN_CODE_TTL.total_seconds() // 60)
    failure = try_send_sms(
        to=phone_number.as_e164, body=f"Your sign-in code is {code}. It expires in {minutes} minutes."
    )
    if failure is not None:
        # Nobody received this code: it must not wait to be guessed.
        LoginCode.objects.filter(pk=login_code.pk).update(used_at=timezone.now())
        raise SmsUnavailable(retry_after=None if getattr(failure, "permanent", False) else 60)


@dataclass(frozen=True)
class SignIn:
    person: Person
    device: Device
    token: str
    created_person: bool


def do_sign_in_with_code(
    *, phone_number: PhoneNumber, code: str, display_name: str = "", device_name: str = ""
) -> SignIn:
    """Trade a valid code for a device token, creating the person on first sign-in.
    Raises LoginLocked when wrong guesses have locked the number, including
    on the guess that locks it."""
    now = timezone.now()
    locked_until = login_locked_until(phone_number=phone_number, now=now)
    if locked_until is not None:
        raise LoginLocked(until=locked_until)
    locks = False
    with transaction.atomic():
        login_code = (
            LoginCode.objects.select_for_update()
            .filter(phone_number=phone_number, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if login_code is None:
            raise InvalidLoginCode
        if not hmac.compare_digest(login_code.code_hash, _code_hash(phone_number, code)):
            login_code.failed_guesses += 1
            fields = ["failed_guesses"]
            locks = login_code.failed_guesses >= settings.LOGIN_CODE_MAX_GUESSES
            if locks:
                login_code.used_at = now
                fields.append("used_at")
            login_code.save(update_fields=fields)
            # Refuse only after this block commits the count, or guesses would be free.
            wrong = True
        else:
            wrong = False
            login_code.used_at = now
            login_code.save(update_fields=["used_at"])
            person, created = Person.objects.get_or_create(
                phone_number=phone_number, defaults={"display_name": display_name.strip()}
            )
            if not person.is_active:
                raise InvalidLoginCode
            device, token = Device.objects.create(user=person, name=device_name.strip()[:80])
    if wrong:
        if locks:
            raise LoginLocked(until=login_code.expires_at)
        raise InvalidLoginCode
    return SignIn(person=person, device=device, token=token, created_person=created)


def do_revoke_device(*, device: Device) -> None:
    """Sign a device out: its token stops working and its websockets close."""
    person_id, digest = device.user_id, device.digest
    with transaction.atomic():
        device.delete()
        transaction.on_commit(
            lambda: device_revoked.send(sender=Device, person_id=person_id, device_digest=digest)
        )


def do_note_device_seen(*, device: Device, now: datetime) -> None:
    """Record that the device was just used (at most once a
    ``DEVICE_LAST_SEEN_RESOLUTION``). The token authentication calls it."""
    if device.last_seen_at is None or now - device.last_seen_at > DEVICE_LAST_SEEN_RESOLUTION:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)


def do_update_profile(*, person: Person, display_name: str) -> Person:
    person.display_name = display_name.strip()
    person.save(update_fields=["display_name"])
    return person


def do_issue_websocket_ticket(*, device: Device) -> tuple[str, datetime]:
    ticket = secrets.token_urlsafe(32)
    expires_at = timezone.now() + settings.WEBSOCKET_TICKET_TTL
    WebsocketTicket.objects.create(
        ticket_hash=_keyed_hash(f"ws-ticket:{ticket}"), device=device, expires_at=expires_at
    )
    return ticket, expires_at


def do_redeem_websocket_ticket(*, ticket: str) -> Device | None:
    """Claim a ticket atomically (a conditional update, so two sockets racing
    with one ticket cannot both win) and return the device it was issued to."""
    now = timezone.now()
    ticket_hash = _keyed_hash(f"ws-ticket:{ticket}")
    claimed = WebsocketTicket.objects.filter(
        ticket_hash=ticket_hash, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if claimed != 1:
        return None
    device = WebsocketTicket.objects.select_related("device__user").get(ticket_hash=ticket_hash).device
    if device.expiry is not None and device.expiry <= now:
        return None
    if not device.user.is_active:
        return None
    return device


def do_purge_expired_login_material() -> int:
    """Retention: codes, tickets and device tokens past their use."""
    now = timezone.now()
    removed = LoginCode.objects.filter(expires_at__lt=now).delete()[0]
    removed += WebsocketTicket.objects.filter(expires_at__lt=now).delete()[0]
    removed += Device.objects.filter(expiry__lt=now).delete()[0]
    return removed
