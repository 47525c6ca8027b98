"""Enrol an operator's second factor for the admin (config/admin_site.py).

    manage.py operator_totp +447700900123              an authenticator and 10 backup codes
    manage.py operator_totp +447700900123 --replace    a new authenticator (a lost or new phone)
    manage.py operator_totp +447700900123 --backup-codes-only

The secret is printed once, to this terminal only, as an otpauth:// URI and a
QR code to scan; it never goes to a log line. Backup codes are each good once.
The procedure is in docs/operations.md ("The admin")."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from phonenumber_field.phonenumber import to_python

from network.models import Person

BACKUP_CODES = 10


class Command(BaseCommand):
    help = "Give a staff account an authenticator (TOTP) and backup codes for the admin's second factor."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("phone_number", help="the operator's account, by its phone number")
        parser.add_argument(
            "--replace", action="store_true", help="replace the authenticator the account already has"
        )
        parser.add_argument(
            "--backup-codes-only",
            action="store_true",
            help="issue new backup codes (the old ones stop working), leave the authenticator as it is",
        )

    def handle(
        self, *args: Any, phone_number: str, replace: bool, backup_codes_only: bool, **options: Any
    ) -> None:
        person = self._staff_account(phone_number)
        with transaction.atomic():
            if not backup_codes_only:
                self._enrol_authenticator(person, replace=replace)
            codes = self._issue_backup_codes(person)
        self.stdout.write("")
        self.stdout.write(
            f"Backup codes for {person.phone_number}, each good once (keep them apart from the phone):"
        )
        for code in codes:
            self.stdout.write(f"  {code}")
        self.stdout.write("")
        self.stdout.write("Shown once, here only: nothing above is logged or can be shown again.")

    def _staff_account(self, phone_number: str) -> Person:
        number = to_python(phone_number)
        if not number.is_valid():
            raise CommandError(f"{phone_number!r} is not a phone number.")
        person = Person.objects.filter(phone_number=number.as_e164).first()
        if person is None:
            raise CommandError(f"No account has the number {number.as_e164}.")
        if not (person.is_active and person.is_staff):
            raise CommandError(
                f"{number.as_e164} is not an active staff account: only operators sign in to the admin."
            )
        return person

    def _enrol_authenticator(self, person: Person, *, replace: bool) -> None:
        existing = TOTPDevice.objects.filter(user=person)
        if existing.exists() and not replace:
            raise CommandError(
                f"{person.phone_number} already has an authenticator. Use --replace for a lost or new phone "
                "(the old one stops working), or --backup-codes-only."
            )
        existing.delete()
        device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
        uri = device.config_url
        qr = io.StringIO()
        segno.make(uri, error="m").terminal(out=qr, compact=True)
        self.stdout.write(f"Authenticator for {person.phone_number}: scan this with the operator's app")
        self.stdout.write(qr.getvalue(), ending="")
        self.stdout.write("or enter this address in it:")
        self.stdout.write(f"  {uri}")

    def _issue_backup_codes(self, person: Person) -> list[str]:
        StaticDevice.objects.filter(user=person).delete()
        device = StaticDevice.objects.create(user=person, name="Backup codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        return codes
