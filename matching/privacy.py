"""``matching`` keeps a denormalised copy of each mentor's profile for search; erasure removes it."""

from matching.models import MentorSearchDocument


def erase_matching_data(*, user, pseudonym: str) -> None:
    MentorSearchDocument.objects.filter(mentor__user=user).delete()
