"""Writes for the mentors app (HackSoft style: keyword-only, one transaction per use case)."""

from mentors.services.availability import (
    availability_override_add,
    availability_override_delete,
    availability_rule_add,
    availability_rule_delete,
    availability_settings_update,
)
from mentors.services.profiles import (
    MentorApplication,
    mentor_application_submit,
    mentor_photo_change,
    mentor_profile_update,
    mentor_slug_change,
)
from mentors.services.stats import mentor_stats_refresh
from mentors.services.verification import (
    STAFF_ACTIONS,
    STAFF_TRANSITIONS,
    verification_transition,
)

__all__ = [
    "STAFF_ACTIONS",
    "STAFF_TRANSITIONS",
    "MentorApplication",
    "availability_override_add",
    "availability_override_delete",
    "availability_rule_add",
    "availability_rule_delete",
    "availability_settings_update",
    "mentor_application_submit",
    "mentor_photo_change",
    "mentor_profile_update",
    "mentor_slug_change",
    "mentor_stats_refresh",
    "verification_transition",
]
