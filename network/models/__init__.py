"""The network app's models, split by topic; import them from here."""

from __future__ import annotations

from network.models.maps import Asset, AssetReport, Tie
from network.models.networks import (
    ESCALATION_AUDIENCES,
    Invitation,
    JoinRequest,
    Membership,
    MembershipChange,
    Network,
    default_emergency_routes,
    default_escalation_steps,
    time_range_of,
    validate_emergency_routes,
    validate_escalation_steps,
    validate_time_range,
)
from network.models.people import Device, LoginCode, Person, PersonManager, WebsocketTicket
from network.models.rota import AlertOffer, CalendarFeed, Shift, ShiftException, ShiftReminder, SwapRequest
from network.models.rules import RuleChangeProposal, RuleVote

__all__ = [
    "ESCALATION_AUDIENCES",
    "AlertOffer",
    "Asset",
    "AssetReport",
    "CalendarFeed",
    "Device",
    "Invitation",
    "JoinRequest",
    "LoginCode",
    "Membership",
    "MembershipChange",
    "Network",
    "Person",
    "PersonManager",
    "RuleChangeProposal",
    "RuleVote",
    "Shift",
    "ShiftException",
    "ShiftReminder",
    "SwapRequest",
    "Tie",
    "WebsocketTicket",
    "default_emergency_routes",
    "default_escalation_steps",
    "time_range_of",
    "validate_emergency_routes",
    "validate_escalation_steps",
    "validate_time_range",
]
