"""Signals between messaging's own topics, where the lower one must not
import the higher (conversations sit below alerts: alerts open conversations)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by do_send_message, before it locks the conversation, when the person
# who holds an alert writes in its conversation and the alert still waits for
# first contact; with ``alert_id``, ``person`` and ``now``. The alerts topic
# records the contact (messaging.receivers), under the alert's lock.
alert_holder_wrote = Signal()
