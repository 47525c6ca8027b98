"""Rewrap every member's data key under the current (first) master key.

Rotation: put the new key FIRST in PLAN_MASTER_KEYS and keep the old one
after it, deploy, run this command, then remove the old key. Ciphertexts do
not change; only the wrapped data keys do.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from crisisplans import actions, crypto


class Command(BaseCommand):
    help = "Rewrap all plan data keys under the current master key (the first in PLAN_MASTER_KEYS)."

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = actions.do_rotate_master_key()
        self.stdout.write(
            f"Rewrapped {rotated} data key(s) under master key {crypto.current_master_key_id()!r}."
        )
