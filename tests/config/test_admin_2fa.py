"""The operators' admin asks for a second factor and locks out after failed
attempts (config/admin_site.py): django-otp's TOTP and backup codes, django-axes'
lockout by phone number and by client address, for 1 hour after 5 failures."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.admin_site import NO_DEVICE
from network.models import Person

pytestmark = pytest.mark.django_db

NUMBER = "+447700840401"
PASSWORD = "a long admin password"
LOGIN_URL = "/admin/login/?next=/admin/"


@pytest.fixture
def operator_account() -> Person:
    return Person.objects.create_superuser(NUMBER, "Operator", password=PASSWORD)


@pytest.fixture
def authenticator(operator_account) -> TOTPDevice:
    return TOTPDevice.objects.create(user=operator_account, name="Authenticator app", confirmed=True)


def code_of(device: TOTPDevice) -> str:
    """The code the operator's app shows now."""
    return str(TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()).zfill(
        device.digits
    )


def wrong_code_of(device: TOTPDevice) -> str:
    return str((int(code_of(device)) + 1) % 10**device.digits).zfill(device.digits)


def sign_in(
    client,
    *,
    code: str,
    username: str = NUMBER,
    password: str = PASSWORD,
    address: str = "203.0.113.5",
    **extra,
):
    return client.post(
        LOGIN_URL,
        {"username": username, "password": password, "otp_token": code, "next": "/admin/"},
        REMOTE_ADDR=address,
        **extra,
    )


def assert_signed_in(client, response) -> None:
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    assert b"For operators only" in index.content


def assert_not_signed_in(client) -> None:
    page = client.get("/admin/")
    assert page.status_code == 302
    assert page["Location"].startswith("/admin/login/")


def assert_locked_out(response) -> None:
    assert response.status_code == 429
    text = response.content.decode()
    assert "Signing in is locked after 5 failed attempts" in text
    assert re.search(r"Try again after <strong>\d\d:\d\d</strong>", text)
    # An hour from the last failure, give or take the test's own run time.
    assert 3500 < int(response["Retry-After"]) <= 3601


def test_the_sign_in_form_asks_for_a_code(client):
    page = client.get("/admin/login/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="otp_token"' in text
    assert "Code from your authenticator app, or a backup code" in text


def test_the_right_password_and_code_open_the_admin(client, authenticator):
    assert_signed_in(client, sign_in(client, code=code_of(authenticator)))


def test_the_right_password_and_a_wrong_code_are_refused(client, authenticator):
    response = sign_in(client, code=wrong_code_of(authenticator))
    assert response.status_code == 200
    assert "Invalid token" in response.content.decode()
    assert_not_signed_in(client)


def test_the_right_password_without_a_code_is_refused(client, authenticator):
    response = sign_in(client, code="")
    assert response.status_code == 200
    assert_not_signed_in(client)


def test_staff_without_a_device_cannot_get_in_and_are_told_to_ask_an_operator(client, operator_account):
    response = sign_in(client, code="123456")
    assert response.status_code == 200
    assert NO_DEVICE in response.content.decode()
    assert_not_signed_in(client)


def test_a_password_session_without_a_verified_code_opens_no_admin_page(
    client, authenticator, operator_account
):
    client.force_login(operator_account)
    assert_not_signed_in(client)
    assert client.get("/admin/network/person/").status_code == 302


def test_a_backup_code_opens_the_admin_once(client, operator_account, authenticator):
    call_command("operator_totp", NUMBER, "--backup-codes-only", stdout=_Sink())
    backup = StaticDevice.objects.get(user=operator_account).token_set.first().token
    assert_signed_in(client, sign_in(client, code=backup))
    client.logout()
    again = sign_in(client, code=backup)
    assert again.status_code == 200
    assert_not_signed_in(client)


def test_five_failures_lock_out_even_the_right_password_and_code(client, authenticator):
    for _ in range(3):
        assert sign_in(client, code=code_of(authenticator), password="not the password").status_code == 200
    assert sign_in(client, code=wrong_code_of(authenticator)).status_code == 200
    assert_locked_out(sign_in(client, code=""))
    assert_locked_out(sign_in(client, code=code_of(authenticator)))
    assert_not_signed_in(client)


def test_the_lock_on_a_number_holds_from_another_address(client, authenticator):
    for attempt in range(5):
        sign_in(client, code=wrong_code_of(authenticator), address=f"198.51.100.{attempt + 1}")
    assert_locked_out(sign_in(client, code=code_of(authenticator), address="192.0.2.77"))
    assert_not_signed_in(client)


def test_the_number_is_one_lock_however_it_is_written(client, authenticator):
    for written in ("07700 840401", "+44 7700 840401", "447700840401", "(07700) 840-401", "07700840401"):
        sign_in(client, code="000000", password="wrong", username=written, address="198.51.100.9")
    assert AccessAttempt.objects.filter(username=NUMBER).count() == 1
    assert_locked_out(sign_in(client, code=code_of(authenticator), address="192.0.2.78"))


def test_the_lock_on_an_address_holds_for_another_number(client, authenticator):
    for attempt in range(5):
        sign_in(client, code="000000", password="wrong", username=f"+4477008409{attempt:02d}")
    assert_locked_out(sign_in(client, code=code_of(authenticator)))


def test_a_forged_forwarded_for_is_not_a_fresh_address(client, authenticator):
    """With no proxy in front (NUM_PROXIES 0) X-Forwarded-For is the
    client's own writing: every failure counts against the socket's address."""
    for attempt in range(5):
        sign_in(
            client,
            code="0",
            password="wrong",
            username=f"+4477008408{attempt:02d}",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    assert_locked_out(sign_in(client, code=code_of(authenticator), HTTP_X_FORWARDED_FOR="10.9.9.9"))


def test_behind_a_trusted_proxy_the_lock_is_on_the_address_it_saw(client, authenticator, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for attempt in range(5):
        forwarded = f"10.0.0.{attempt}, 198.51.100.20"  # the client wrote the first hop; the proxy the last
        sign_in(
            client,
            code="0",
            password="wrong",
            username=f"+4477008407{attempt:02d}",
            HTTP_X_FORWARDED_FOR=forwarded,
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.20"}
    assert_locked_out(sign_in(client, code=code_of(authenticator), HTTP_X_FORWARDED_FOR="198.51.100.20"))
    # Another client behind the same proxy is not locked out by that address.
    other = sign_in(
        client,
        code=code_of(authenticator),
        username="+447700840499",
        password="wrong",
        HTTP_X_FORWARDED_FOR="198.51.100.21",
    )
    assert other.status_code == 200


def test_the_lockout_lifts_an_hour_after_the_last_failure(client, authenticator):
    for _ in range(5):
        sign_in(client, code=wrong_code_of(authenticator))
    assert_locked_out(sign_in(client, code=code_of(authenticator)))
    # The locked-out try counts too (axes restarts the cool-off on a failure
    # during lockout); an hour and a minute later, all of them have expired.
    attempt = AccessAttempt.objects.get()
    attempt.attempt_time -= timedelta(hours=1, minutes=1)
    attempt.save(update_fields=["attempt_time"])
    # django-otp slows a device down after wrong codes (2**n seconds); that
    # too is long over an hour later.
    authenticator.refresh_from_db()
    authenticator.throttling_failure_timestamp -= timedelta(hours=1, minutes=1)
    authenticator.save(update_fields=["throttling_failure_timestamp"])
    assert_signed_in(client, sign_in(client, code=code_of(authenticator)))


def test_a_locked_number_still_signs_in_to_the_app_by_text(client, api, authenticator):
    """The members' sign-in (SMS codes, device tokens) is not axes' business:
    a lock on the number in the admin leaves the app's sign-in as it was."""
    from foundation.transports import sms

    for _ in range(5):
        sign_in(client, code=wrong_code_of(authenticator))
    asked = api(None).post(
        "/api/v1/auth/code/", {"phone_number": NUMBER}, format="json", REMOTE_ADDR="203.0.113.5"
    )
    assert asked.status_code == 202
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)
    signed = api(None).post(
        "/api/v1/auth/sign-in/",
        {"phone_number": NUMBER, "code": code},
        format="json",
        REMOTE_ADDR="203.0.113.5",
    )
    assert signed.status_code == 201


# --- enrolment: manage.py operator_totp ---------------------------------------------


class _Sink:
    """A stdout for call_command that keeps what was written."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        pass

    @property
    def text(self) -> str:
        return "".join(self.parts)


def test_enrolment_prints_the_uri_a_qr_code_and_backup_codes_and_logs_no_secret(
    operator_account, client, caplog
):
    out = _Sink()
    with caplog.at_level(logging.DEBUG):
        call_command("operator_totp", "07700 840401", stdout=out)
    device = TOTPDevice.objects.get(user=operator_account)
    assert device.confirmed
    secret = re.search(r"otpauth://totp/\S+secret=([A-Z2-7]+)", out.text).group(1)
    assert "issuer=CrisisNet%20operators" in out.text
    assert "▀" in out.text or "█" in out.text  # the QR code, in block characters
    backup_codes = list(
        StaticDevice.objects.get(user=operator_account).token_set.values_list("token", flat=True)
    )
    assert len(backup_codes) == 10
    assert all(code in out.text for code in backup_codes)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert secret not in logged
    assert not any(code in logged for code in backup_codes)
    # What was printed works: the app's code opens the admin.
    assert_signed_in(client, sign_in(client, code=code_of(device)))


def test_enrolment_refuses_an_account_that_is_not_staff(member):
    with pytest.raises(CommandError, match="not an active staff account"):
        call_command("operator_totp", str(member.phone_number), stdout=_Sink())
    assert not TOTPDevice.objects.filter(user=member).exists()


def test_enrolment_keeps_an_existing_authenticator_unless_told_to_replace_it(operator_account, authenticator):
    with pytest.raises(CommandError, match="already has an authenticator"):
        call_command("operator_totp", NUMBER, stdout=_Sink())
    call_command("operator_totp", NUMBER, "--replace", stdout=_Sink())
    assert list(TOTPDevice.objects.filter(user=operator_account)) != [authenticator]
    assert TOTPDevice.objects.filter(user=operator_account).count() == 1


def test_new_backup_codes_end_the_old_ones(operator_account, authenticator):
    call_command("operator_totp", NUMBER, "--backup-codes-only", stdout=_Sink())
    first = set(StaticDevice.objects.get(user=operator_account).token_set.values_list("token", flat=True))
    call_command("operator_totp", NUMBER, "--backup-codes-only", stdout=_Sink())
    second = set(StaticDevice.objects.get(user=operator_account).token_set.values_list("token", flat=True))
    assert not first & second
    assert TOTPDevice.objects.get(user=operator_account) == authenticator


def test_no_admin_page_shows_a_device_secret_or_backup_code(operator, operator_account, authenticator):
    call_command("operator_totp", NUMBER, "--backup-codes-only", stdout=_Sink())
    backup = StaticDevice.objects.get(user=operator_account).token_set.first().token
    pages = [
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{authenticator.pk}/change/",
        "/admin/otp_static/staticdevice/",
        f"/admin/otp_static/staticdevice/{StaticDevice.objects.get(user=operator_account).pk}/change/",
    ]
    for url in pages:
        page = operator.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert authenticator.key not in text, url
        assert backup not in text, url
    assert operator.get(f"/admin/otp_totp/totpdevice/{authenticator.pk}/config/").status_code in {403, 404}
