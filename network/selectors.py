"""Reads for the network app, with permission checks built in."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from network.models import Device, Person


def devices_of(*, person: Person) -> QuerySet[Device]:
    return Device.objects.filter(user=person)


def access_device_by_id(*, person: Person, device_id: str) -> Device:
    """A device of this person by its public id; someone
    else's device answers 404 like one that does not exist."""
    if len(device_id) != Device.PUBLIC_ID_LENGTH:
        raise NotFound
    device = devices_of(person=person).filter(digest__startswith=device_id).first()
    if device is None:
        raise NotFound
    return device
