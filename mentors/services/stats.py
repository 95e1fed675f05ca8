"""The derived numbers on a mentor's profile, recomputed from the apps that own the facts."""

from django.db import transaction

from mentors.hooks import announce_profile_changed, collected_stats
from mentors.models import MentorProfile


def mentor_stats_refresh(*, mentor_id: int) -> MentorProfile:
    """Ask every registered stats provider (sessions, reviews) and store what they report."""
    stats = collected_stats(mentor_id)
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().get(pk=mentor_id)
        if stats:
            for name, value in stats.items():
                setattr(mentor, name, value)
            mentor.save(update_fields=[*stats, "updated_at"])
            announce_profile_changed(mentor.pk)
    return mentor
