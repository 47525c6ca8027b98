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

# Sent inside the transaction that records a ShiftReminder as sent, with the
# row as ``reminder`` and its occurrence's ``start`` and ``end``; messaging
# turns it into a shift.starting or shift.ended event and a push to the person.
shift_reminder_due = Signal()

# Sent inside the transaction of every swap request change, with the
# SwapRequest row (state already changed) as ``request`` and ``change`` one of
# "requested", "accepted", "declined", "withdrawn"; messaging tells the asked
# peer (asked, withdrawn) or the asker and the shift's peer (answered).
swap_request_changed = Signal()

# Sent inside the transaction of every change to a rule proposal, with the
# RuleChangeProposal row (state already changed) as ``proposal`` and ``change``
# one of "proposed", "closed", "ratified", "sent_back"; messaging tells the
# network's current members.
rule_proposal_changed = Signal()
