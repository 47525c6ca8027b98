"""Reads for the crisisplans app, with permission checks built in (``access_*``
helpers answer 404 for plans the person may not know of). None of them
decrypts plan content or writes an access record: reading content is logged,
so it is an action (``crisisplans.actions.reading``).

Split by topic; import from here (``from crisisplans import selectors``).
"""

from __future__ import annotations

from crisisplans.selectors.access import (
    AcceptedAlert,
    AlertAccessProvider,
    Purpose,
    ReadDecision,
    Standing,
    decide_sections,
    grace_period_for,
    may_read_section,
    register_alert_access_provider,
    relationship,
    unregister_alert_access_provider,
)
from crisisplans.selectors.coauthors import current_co_authors, person_to_invite
from crisisplans.selectors.consent import consents_of
from crisisplans.selectors.library import coping_strategies_for
from crisisplans.selectors.notices import notices_due_for_text, notices_for
from crisisplans.selectors.plans import (
    access_co_written_plan_by_id,
    access_exportable_plan_by_id,
    access_log_of,
    access_own_plan_by_id,
    access_plan_by_id,
    access_revision_by_number,
    display_names_of,
    plans_for,
    revisions_of,
)
from crisisplans.selectors.shares import (
    access_own_share_by_id,
    access_plan_to_share_by_id,
    opens_of,
    share_labels_of,
    shares_of,
)

__all__ = [
    "AcceptedAlert",
    "AlertAccessProvider",
    "Purpose",
    "ReadDecision",
    "Standing",
    "access_co_written_plan_by_id",
    "access_exportable_plan_by_id",
    "access_log_of",
    "access_own_plan_by_id",
    "access_own_share_by_id",
    "access_plan_by_id",
    "access_plan_to_share_by_id",
    "access_revision_by_number",
    "consents_of",
    "coping_strategies_for",
    "current_co_authors",
    "decide_sections",
    "display_names_of",
    "grace_period_for",
    "may_read_section",
    "notices_due_for_text",
    "notices_for",
    "opens_of",
    "person_to_invite",
    "plans_for",
    "register_alert_access_provider",
    "relationship",
    "revisions_of",
    "share_labels_of",
    "shares_of",
    "unregister_alert_access_provider",
]
