"""The "Similar mentors" of a profile: mentors co-booked with this one, then mentors teaching the same things.

Reads the interaction log and the search documents (three queries, the ids cached per mentor for a while); the
profile-view log entry is written from the same profile hook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext

from matching import selectors
from matching.models import Interaction, MentorSearchDocument

SIMILAR_COUNT = 4
CACHE_SECONDS = 600
BOOKED = [Interaction.Kind.BOOKING, Interaction.Kind.COMPLETED]


@dataclass
class SimilarMentor:
    result: selectors.MentorResult
    reason: str


def similar_mentor_ids(mentor_id: int) -> list[tuple[int, str]]:
    """(mentor id, "co_booked" or "content"), best first."""
    key = f"matching:similar:{mentor_id}"
    found = cache.get(key)
    if found is not None:
        return found
    bookers = Interaction.objects.filter(mentor_id=mentor_id, kind__in=BOOKED).values("student")
    co_booked = list(
        Interaction.objects.filter(student__in=bookers, kind__in=BOOKED, mentor__search_document__isnull=False)
        .exclude(mentor_id=mentor_id)
        .values("mentor_id")
        .annotate(students=Count("student", distinct=True))
        .order_by("-students", "mentor_id")
        .values_list("mentor_id", flat=True)[:SIMILAR_COUNT]
    )
    found = [(other, "co_booked") for other in co_booked]
    document = (
        MentorSearchDocument.objects.filter(pk=mentor_id)
        .values("specialization_terms", "expertise_terms", "languages", "levels_served")
        .first()
    )
    if document is not None and len(found) < SIMILAR_COUNT:
        terms = document["specialization_terms"] or document["expertise_terms"]
        alike = (
            MentorSearchDocument.objects.filter(
                specialization_terms__overlap=terms,
                languages__overlap=document["languages"],
                levels_served__overlap=document["levels_served"],
            )
            .exclude(mentor_id__in=[mentor_id, *co_booked])
            .order_by("-popularity", "mentor_id")
            .values_list("mentor_id", flat=True)[: SIMILAR_COUNT - len(found)]
        )
        found += [(other, "content") for other in alike] if terms else []
    cache.set(key, found, CACHE_SECONDS)
    return found


def similar_mentors(mentor_id: int) -> list[SimilarMentor]:
    ids = similar_mentor_ids(mentor_id)
    if not ids:
        return []
    documents = {
        document.mentor_id: document
        for document in MentorSearchDocument.objects.filter(pk__in=[other for other, _ in ids]).only(
            *selectors._CARD_FIELDS
        )
    }
    names = selectors.language_names()
    similar = []
    for other, why in ids:
        document = documents.get(other)
        if document is None:
            continue
        if why == "co_booked":
            reason = gettext("Students who booked this mentor also booked")
        else:
            reason = gettext("Also teaches %(field)s") % {"field": ", ".join(document.specializations[:2])}
        result = selectors.MentorResult(document=document, language_names=selectors._spoken_names(document, names))
        similar.append(SimilarMentor(result=result, reason=reason))
    return similar


def profile_context(request: HttpRequest, mentor: Any) -> dict[str, Any]:
    """`mentors.hooks` profile provider: similar mentors for everyone; a student's visit goes to the log."""
    from matching import services

    if request.user.is_authenticated:
        services.interaction_record(student=request.user, mentor_id=mentor.pk, kind=Interaction.Kind.VIEW)
    return {"similar_mentors": similar_mentors(mentor.pk)}
