"""Signals other apps may connect to (crisisplans imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by a worker when an owner must be told something (a break-glass read,
# a prompt to review after a crisis), with ``notice_id``, ``owner_id`` and
# ``kind``. Receivers (messaging's notifications) send a content-free text;
# the details stay in the app behind GET /api/v1/plan-notices/.
owner_notice_ready = Signal()
