"""Reads of the recommender for pages: a student's stored list as cards, the live fallback, reasons as text.

Two queries for a stored list (the rows, then the listed mentors' card columns); a mentor who stopped being listed
or whom the student dismissed never shows, whatever the stored list still holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User
from matching import ranking, scoring, selectors
from matching.models import MentorSearchDocument, NotInterested, Recommendation
from matching.recommender.hybrid import MIN_SHARED_LANGUAGE
from outbox.services import enqueue

PANEL_SIZE = 6
UNLISTED_SLACK = 4
GROUP_COUNT = 3
PAGE_SIZE = 50
CARD_REASONS = 2
# A student without a stored list asks for one at most this often (page views must not flood the queue).
REFRESH_REQUEST_SECONDS = 60


@dataclass
class Recommended:
    result: selectors.MentorResult
    rank: int
    reasons: list[str]

    @property
    def card_reasons(self) -> list[str]:
        return self.reasons[:CARD_REASONS]


def reason_text(reason: dict, names: dict[str, str]) -> str | None:
    """One stored reason (code and parameters) in the active language; None for a code this version does not know."""
    code = reason.get("code")
    if code == "speaks":
        language = reason.get("language", "")
        return gettext("Speaks %(language)s") % {"language": names.get(language, language)}
    if code == "level":
        if reason.get("level") == "school":
            return gettext("Teaches school students")
        if reason.get("level") == "college":
            return gettext("Teaches college students")
        return gettext("Teaches students at your level")
    if code == "specializes":
        return gettext("Specializes in %(field)s") % {"field": reason.get("field", "")}
    if code == "expert_in":
        return gettext("Expert in %(field)s") % {"field": reason.get("field", "")}
    if code == "helps_with":
        return gettext("Helps with %(topic)s") % {"topic": reason.get("topic", "")}
    if code == "co_booked":
        return gettext("Students who booked your mentors also booked this mentor")
    if code == "similar_students":
        return gettext("Students with goals like yours booked this mentor")
    if code == "rated":
        count = int(reason.get("count", 0))
        return ngettext(
            "Rated %(rating)s out of 5 by %(count)d student",
            "Rated %(rating)s out of 5 by %(count)d students",
            count,
        ) % {"rating": reason.get("rating"), "count": count}
    if code == "new_mentor":
        return gettext("New mentor in your field")
    if code == "same_city":
        return gettext("Same city")
    if code == "same_state":
        return gettext("Same state")
    return None


def _facts(user: User) -> scoring.StudentFacts | None:
    """`selectors.student_facts_for`, read once per user object: a page with several panels asks more than once."""
    if "_matching_student_facts" not in user.__dict__:
        user.__dict__["_matching_student_facts"] = selectors.student_facts_for(user)
    return user.__dict__["_matching_student_facts"]


def recommendations_for(user: User, *, limit: int = PANEL_SIZE, now: dt.datetime | None = None) -> list[Recommended]:
    """The student's best mentors: the stored list, or (none stored yet) the live compatibility ranking while a
    list is computed. Empty for anyone who is not a student."""
    facts = _facts(user)
    if facts is None:
        return []
    options = selectors.filter_options()
    names = options.language_names
    # A few rows more than shown: a mentor unlisted since the list was computed is dropped by the documents' read
    # (no join here, so the rows come straight from the (student, rank) index).
    rows = list(
        Recommendation.objects.filter(student=user)
        .exclude(mentor__in=NotInterested.objects.filter(student=user).values("mentor"))
        .order_by("rank")
        .values_list("mentor_id", "rank", "reasons")[: limit + UNLISTED_SLACK]
    )
    if not rows:
        _ask_for_list(user)
        return _live(user, facts, options, limit=limit, now=now or timezone.now())
    documents = {
        document.mentor_id: document
        for document in MentorSearchDocument.objects.filter(pk__in=[row[0] for row in rows]).only(
            *selectors._CARD_FIELDS
        )
    }
    cards: list[Recommended] = []
    for mentor_id, rank, reasons in rows:
        document = documents.get(mentor_id)
        if document is None:
            continue
        if len(cards) == limit:
            break
        texts = [text for text in (reason_text(reason, names) for reason in reasons) if text]
        result = selectors.MentorResult(document=document, language_names=selectors._spoken_names(document, names))
        cards.append(Recommended(result=result, rank=rank, reasons=texts))
    if not cards:  # every stored mentor left the catalogue: answer live until the list is recomputed
        _ask_for_list(user)
        return _live(user, facts, options, limit=limit, now=now or timezone.now())
    return cards


def _live(user: User, facts: scoring.StudentFacts, options, *, limit: int, now: dt.datetime) -> list[Recommended]:
    """The §7.2 ranking in SQL over every listed mentor (no popularity cut), with the language rule."""
    documents = MentorSearchDocument.objects.exclude(
        mentor__in=NotInterested.objects.filter(student=user).values("mentor")
    )
    if facts.spoken:
        sharing = documents.filter(languages__overlap=sorted(facts.spoken))
        if sharing[:MIN_SHARED_LANGUAGE].count() >= MIN_SHARED_LANGUAGE:
            documents = sharing
    score = ranking.compatibility_expression(facts, mentor_time_zones=options.time_zones, at=now)
    rows = (
        documents.annotate(score=score)
        .order_by("-score", "-popularity", "mentor_id")
        .only(*selectors._CARD_FIELDS)[:limit]
    )
    names = options.language_names
    cards = []
    for rank, document in enumerate(rows, start=1):
        compatibility = selectors.compatibility_with(facts, document, at=now, names=names)
        result = selectors.MentorResult(
            document=document, language_names=selectors._spoken_names(document, names), compatibility=compatibility
        )
        cards.append(Recommended(result=result, rank=rank, reasons=[r.text for r in compatibility.top_reasons()]))
    return cards


def _ask_for_list(user: User) -> None:
    from matching import tasks

    if cache.add(f"matching:recommendations-requested:{user.pk}", 1, REFRESH_REQUEST_SECONDS):
        enqueue(tasks.refresh_recommendations, [user.pk])


def for_you_page(
    user: User,
    *,
    filters: selectors.SearchFilters,
    student: scoring.StudentFacts,
    page: int,
    at: dt.datetime,
    options: selectors.FilterOptions,
) -> selectors.SearchPage:
    """`/mentors/?sort=for_you`: the filtered mentors in the order of the student's stored list, then every other
    match by compatibility. Scores every filtered mentor (no popularity cut-off), without the dismissed ones."""
    stored_rank = Recommendation.objects.filter(student=user, mentor=OuterRef("mentor_id")).values("rank")[:1]
    score = ranking.compatibility_expression(student, mentor_time_zones=options.time_zones, at=at)
    offset = (page - 1) * selectors.PAGE_SIZE
    rows = list(
        selectors._filtered(filters, student, options, at)
        .exclude(mentor__in=NotInterested.objects.filter(student=user).values("mentor"))
        .annotate(stored_rank=Subquery(stored_rank), score=score)
        .order_by(F("stored_rank").asc(nulls_last=True), F("score").desc(), F("popularity").desc(), "mentor_id")
        .only(*selectors._CARD_FIELDS)[offset : offset + selectors.PAGE_SIZE + 1]
    )
    names = options.language_names
    results = [
        selectors.MentorResult(
            document=document,
            language_names=selectors._spoken_names(document, names),
            compatibility=selectors.compatibility_with(student, document, at=at, names=names),
        )
        for document in rows[: selectors.PAGE_SIZE]
    ]
    return selectors.SearchPage(results=results, number=page, has_next=len(rows) > selectors.PAGE_SIZE)


def recommended_group_sessions(user: User, *, now: dt.datetime, tz: dt.tzinfo, limit: int = GROUP_COUNT) -> list:
    """Upcoming group sessions for a student: those of their recommended mentors (best-ranked mentor first), then
    sessions in a language they speak, soonest first. Two queries; empty for anyone but a student."""
    from sessions_app.selectors import GroupSessionFilters, group_sessions_listing

    facts = _facts(user)
    if facts is None:
        return []
    stored = Recommendation.objects.filter(student=user).exclude(
        mentor__in=NotInterested.objects.filter(student=user).values("mentor")
    )
    rank = stored.filter(mentor__user=OuterRef("mentor_id")).values("rank")[:1]
    listing = group_sessions_listing(GroupSessionFilters(), now=now, tz=tz).filter(starts_at__gt=now)
    chosen: list = list(
        listing.filter(mentor__mentor_profile__in=stored.values("mentor"))
        .annotate(mentor_rank=Subquery(rank))
        .order_by("mentor_rank", "starts_at", "pk")[:limit]
    )
    if len(chosen) < limit and facts.spoken:
        chosen += list(
            listing.filter(language__code__in=sorted(facts.spoken)).exclude(pk__in=[s.pk for s in chosen])[
                : limit - len(chosen)
            ]
        )
    return chosen
