"""``matching`` keeps a denormalised copy of each mentor's profile for search, and each student's interactions,
dismissals, opt-out and precomputed recommendations; erasure removes them."""

from django.db.models import Q

from matching.models import Interaction, MentorSearchDocument, NotInterested, PersonalisationOptOut, Recommendation


def erase_matching_data(*, user, pseudonym: str) -> None:
    MentorSearchDocument.objects.filter(mentor__user=user).delete()
    Interaction.objects.filter(Q(student=user) | Q(mentor__user=user)).delete()
    NotInterested.objects.filter(Q(student=user) | Q(mentor__user=user)).delete()
    Recommendation.objects.filter(Q(student=user) | Q(mentor__user=user)).delete()
    PersonalisationOptOut.objects.filter(student=user).delete()
