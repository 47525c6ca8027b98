"""Every write of the crisisplans app's state, including the access record
each read of plan content leaves. Views, tasks, receivers and the apps above
call these.

Split by topic; import from here (``from crisisplans import actions``).
"""

from __future__ import annotations

from crisisplans.actions.account import do_delete_account, do_rotate_master_key
from crisisplans.actions.coauthors import (
    do_end_co_authorships_without_shared_network,
    do_invite_co_author,
    do_remove_co_author,
)
from crisisplans.actions.consent import MIN_BREAK_GLASS_REASON, do_open_break_glass, do_set_consent
from crisisplans.actions.exports import fhir_care_plan, my_data, printable_html, register_export_section
from crisisplans.actions.library import do_add_coping_strategy, do_set_plan_policy
from crisisplans.actions.notices import (
    do_deliver_owner_notice,
    do_prompt_due_reviews,
    do_prompt_review_after_crisis,
    do_tell_owner,
)
from crisisplans.actions.plans import (
    PlanAlreadyExists,
    do_add_comment,
    do_create_plan,
    do_propose_revision,
    do_sign_off_revision,
)
from crisisplans.actions.reading import (
    Aftercare,
    CommentView,
    ContactRouting,
    PlanReading,
    aftercare_for,
    contact_routing_for,
    decrypt_revision,
    read_break_glass_reason,
    read_comments,
    read_for_the_service,
    read_plan_content,
    record_alert_details_read,
)
from crisisplans.actions.shares import (
    NewShare,
    ShareOpening,
    do_create_share,
    do_revoke_share,
    do_update_share,
    do_wipe_expired_share_codes,
    open_share,
    share_care_plan,
)

__all__ = [
    "MIN_BREAK_GLASS_REASON",
    "Aftercare",
    "CommentView",
    "ContactRouting",
    "NewShare",
    "PlanAlreadyExists",
    "PlanReading",
    "ShareOpening",
    "aftercare_for",
    "contact_routing_for",
    "decrypt_revision",
    "do_add_comment",
    "do_add_coping_strategy",
    "do_create_plan",
    "do_create_share",
    "do_delete_account",
    "do_deliver_owner_notice",
    "do_end_co_authorships_without_shared_network",
    "do_invite_co_author",
    "do_open_break_glass",
    "do_prompt_due_reviews",
    "do_prompt_review_after_crisis",
    "do_propose_revision",
    "do_remove_co_author",
    "do_revoke_share",
    "do_rotate_master_key",
    "do_set_consent",
    "do_set_plan_policy",
    "do_sign_off_revision",
    "do_tell_owner",
    "do_update_share",
    "do_wipe_expired_share_codes",
    "fhir_care_plan",
    "my_data",
    "open_share",
    "printable_html",
    "read_break_glass_reason",
    "read_comments",
    "read_for_the_service",
    "read_plan_content",
    "record_alert_details_read",
    "register_export_section",
    "share_care_plan",
]
