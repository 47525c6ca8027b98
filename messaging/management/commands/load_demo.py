"""Load the demo network (idempotent) and print how to use it.

Lives in messaging, the top app, because the demo spans every app.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crisisplans import demo as crisisplans_demo
from messaging import demo as messaging_demo
from network import demo as network_demo
from network.selectors import on_call_candidates


class Command(BaseCommand):
    help = "Create the demo networks and people (safe to run again) and print how to sign in."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        if not settings.SMS_BACKEND.endswith(("ConsoleSmsBackend", "LocmemSmsBackend")):
            raise CommandError("The demo's made-up numbers must not be texted: use the console SMS backend.")
        networks, people = network_demo.load()
        crisisplans_demo.load(people=people)
        messaging_demo.load(networks=networks)
        out = self.stdout.write
        out("")
        out("Demo network loaded.")
        out(f"  The app:             {base_url}/  (sign in as a person below; README: 'Try it in the app')")
        out(f"  The desk:            {base_url}/#/desk  (for navigators and facilitators: Nadia, Fiona)")
        out(
            f"  The report:          {base_url}/api/v1/networks/{networks['croydon-sun'].pk}/report/"
            "  (a year of Croydon SUN's history; sign in first)"
        )
        out(f"  API docs (offline):  {base_url}/api/v1/docs/")
        out(f"  Health:              {base_url}/api/v1/health/ready/")
        out(f"  Websocket:           {base_url.replace('http', 'ws', 1)}/ws/v1/")
        out("")
        out("Demo accounts (sign in with a one-time code; codes are printed below as '[sms to ...]'):")
        for spec in network_demo.PEOPLE:
            roles = ", ".join(f"{role} of {networks[slug].name}" for slug, role in spec.memberships)
            out(f"  {spec.phone_number}  {spec.display_name:<22} {roles}")
        out("")
        now = timezone.now()
        for network in networks.values():
            names = ", ".join(person.display_name for person in on_call_candidates(network=network, at=now))
            out(f"On call in {network.name} now (an alert goes to them first): {names or 'nobody'}")
        out("")
        out("Sign in as Amara:")
        out(
            f"  curl -s -X POST {base_url}/api/v1/auth/code/ -H 'Content-Type: application/json' "
            '-d \'{"phone_number": "+447700800001"}\''
        )
        out(
            f"  curl -s -X POST {base_url}/api/v1/auth/sign-in/ -H 'Content-Type: application/json' "
            '-d \'{"phone_number": "+447700800001", "code": "<the printed code>"}\''
        )
        out(f"  curl -s {base_url}/api/v1/me/ -H 'Authorization: Token <token>'")
        out("")
