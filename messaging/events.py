"""Group names for the channel layer, built in one place.

Channels group names must match ``^[a-zA-Z0-9._-]+$`` and stay under 100
characters; every name is built here so that stays true.
"""

from __future__ import annotations


def group_for_person(person_id: int) -> str:
    return f"person.{person_id}"


def group_for_device(device_digest: str) -> str:
    # A prefix of the token hash: unique in practice, short, and no secret.
    return f"device.{device_digest[:40]}"
