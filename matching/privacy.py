"""``matching`` keeps a denormalised copy of each mentor's profile for search, and each student's interactions,
dismissals, opt-out and precomputed recommendations; erasure removes them."""

from django.db.models import Q

from accounts.privacy.registry import ExportPart, rows
from matching.models import Interaction, MentorSearchDocument, NotInterested, PersonalisationOptOut, Recommendation


def export_matching_data(*, user) -> ExportPart:
    """A student's own recommender data (how the recommendations were made for them); other students'
    interactions with a mentor are theirs, not the mentor's."""
    return ExportPart(
        data={
            "interactions": rows(Interaction.objects.filter(student=user).order_by("id"), exclude=["student"]),
            "not_interested": rows(NotInterested.objects.filter(student=user).order_by("id"), exclude=["student"]),
            "recommendations": rows(
                Recommendation.objects.filter(student=user).order_by("rank"), exclude=["student"]
            ),
            "personalisation_opt_out": list(
                PersonalisationOptOut.objects.filter(student=user).values("created_at")
            ),
        }
    )


def erase_matching_data(*, user, pseudonym: str) -> None:
    MentorSearchDocument.objects.filter(mentor__user=user).delete()
    Interaction.objects.filter(Q(student=user) | Q(mentor__user=user)).delete()
    NotInterested.objects.filter(Q(student=user) | Q(mentor__user=user)).delete()
    Recommendation.objects.filter(Q(student=user) | Q(mentor__user=user)).delete()
    PersonalisationOptOut.objects.filter(student=user).delete()
