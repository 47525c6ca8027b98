"""Signals other apps may connect to (crisisplans imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that creates an owner notice, with
# ``notice_id``, ``owner_id`` and ``kind``: receivers (messaging) write the
# owner's event in that same transaction, so the notice and its event commit
# or vanish together (persist first, then notify).
owner_notice_created = Signal()

# Sent by a worker when a notice must also be texted (a break-glass read),
# with ``notice_id``, ``owner_id`` and ``kind``. A receiver sends the
# content-free text and raises if it could not: an exception with
# ``permanent=True`` (messaging's TransportError) is recorded and never
# retried; any other is retried by the sweep. The details stay in the app
# behind GET /api/v1/plan-notices/.
owner_notice_ready = Signal()

# Sent inside the transaction that records an open of a plan share in the
# owner's access log, with ``share_id``, ``owner_id`` and ``opened_at``: a
# receiver (messaging) writes the owner's event in that transaction. No
# plan content and no label: the app fetches the share for details.
plan_share_opened = Signal()
