"""The person, their devices, login codes and websocket tickets."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone as dj_timezone
from knox.models import AbstractAuthToken
from phonenumber_field.modelfields import PhoneNumberField


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def create_user(
        self, phone_number: str, display_name: str = "", password: str | None = None, **extra: Any
    ) -> Person:
        person = self.model(phone_number=phone_number, display_name=display_name, **extra)
        if password:
            person.set_password(password)
        else:
            # People sign in with SMS codes; a password exists only for staff
            # who use the admin site.
            person.set_unusable_password()
        person.save(using=self._db)
        return person

    def create_superuser(
        self, phone_number: str, display_name: str = "", password: str | None = None, **extra: Any
    ) -> Person:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(phone_number, display_name, password, **extra)


class Person(AbstractBaseUser, PermissionsMixin):
    """One account per person, identified by their mobile number (E.164).

    Roles are per network (see Membership); ``is_staff`` only opens the admin.
    """

    phone_number = PhoneNumberField(unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=dj_timezone.now)

    objects = PersonManager()

    USERNAME_FIELD = "phone_number"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.display_name or f"Person {self.pk}"


class Device(AbstractAuthToken):
    """A signed-in device: a knox token (stored hashed) with a name the person
    recognises, so they can see their devices and revoke one."""

    name = models.CharField(max_length=80, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    # The public id is a prefix of the token's hash: safe to show, never part of the token.
    PUBLIC_ID_LENGTH = 20

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name or 'device'} of {self.user_id}"

    @property
    def public_id(self) -> str:
        return self.digest[: self.PUBLIC_ID_LENGTH]


class LoginCode(models.Model):
    """A one-time code sent by SMS. Only a keyed hash of the code is stored."""

    phone_number = PhoneNumberField(db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField()
    failed_guesses = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone_number", "-created_at"])]

    def __str__(self) -> str:
        return f"login code {self.pk}"


class WebsocketTicket(models.Model):
    """A short-lived single-use ticket a browser trades for a websocket, so no
    long-lived token ever appears in a URL. Only a hash is stored."""

    ticket_hash = models.CharField(max_length=64, unique=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"websocket ticket {self.pk}"
