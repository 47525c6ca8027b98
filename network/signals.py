"""Signals the higher apps listen to (network imports neither of them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after commit when a device is revoked or expires; args: person_id, device_digest.
# messaging closes that device's open websockets.
device_revoked = Signal()

# Sent inside the transaction of every membership change, with the
# MembershipChange row as ``change``; messaging turns it into events for the
# person and the network's navigators and facilitators.
membership_changed = Signal()
