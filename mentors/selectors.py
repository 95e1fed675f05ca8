"""Reads for the mentors app: listings, the public profile, the staff queue. Each one a fixed number of queries."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from mentors.models import (
    MentorProfile,
    MentorSlugHistory,
    VerificationEvent,
    VerificationStatus,
)


def listed_mentors() -> QuerySet[MentorProfile]:
    """The mentors students may see anywhere: approved, active, with an active account."""
    return MentorProfile.objects.filter(
        verification_status=VerificationStatus.APPROVED, is_active=True, user__is_active=True
    )


def public_profile(slug: str) -> MentorProfile:
    """A listed mentor with everything the profile page shows; Http404 otherwise (see `former_slug_target`)."""
    mentor = (
        listed_mentors()
        .select_related("user__primary_language")
        .prefetch_related(
            "user__languages", "work_experiences", "education_entries", "certifications", "availability_rules"
        )
        .filter(slug=slug)
        .first()
    )
    if mentor is None:
        raise Http404
    return mentor


def former_slug_target(slug: str) -> str | None:
    """The current slug of the listed mentor who used to have `slug`, if any."""
    return (
        MentorSlugHistory.objects.filter(slug=slug, mentor__in=listed_mentors())
        .values_list("mentor__slug", flat=True)
        .first()
    )


def mentor_for_user(user: User) -> MentorProfile | None:
    if not user.is_authenticated:
        return None
    return MentorProfile.objects.select_related("user__primary_language").filter(user=user).first()


def mentor_with_entries(mentor_id: int) -> MentorProfile:
    return (
        MentorProfile.objects.select_related("user__primary_language")
        .prefetch_related("user__languages", "work_experiences", "education_entries", "certifications")
        .get(pk=mentor_id)
    )


def verification_history(mentor: MentorProfile) -> QuerySet[VerificationEvent]:
    return mentor.verification_events.select_related("actor")


# --- the staff verification queue ----------------------------------------------------------------


def _missing_location() -> Q:
    return Q(user__city="") | Q(user__state="")


def listed_mentors_missing_location_count() -> int:
    """Mentors students can find who never gave a city or state (they joined before the forms asked), so "In my
    state" search and the "Same state" reason pass them by."""
    return listed_mentors().filter(_missing_location()).count()


def application_status_counts() -> dict[str, int]:
    counts = dict(
        MentorProfile.objects.values_list("verification_status")
        .annotate(n=Count("pk"))
        .values_list("verification_status", "n")
    )
    return {status: counts.get(status, 0) for status in VerificationStatus.values}


def verification_queue(
    *,
    status: str | None = None,
    language_code: str | None = None,
    waiting_days: int | None = None,
    missing_location: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet[MentorProfile]:
    """Applications, oldest submission first. Without a status: every one still in the pipeline."""
    queryset = MentorProfile.objects.all()
    if status:
        queryset = queryset.filter(verification_status=status)
    else:
        queryset = queryset.exclude(verification_status__in=[VerificationStatus.APPROVED, VerificationStatus.REJECTED])
    if language_code:
        speaks = User.languages.through.objects.filter(user_id=OuterRef("user_id"), language__code=language_code)
        queryset = queryset.filter(Q(user__primary_language__code=language_code) | Exists(speaks))
    if waiting_days:
        queryset = queryset.filter(submitted_at__lte=(now or timezone.now()) - dt.timedelta(days=waiting_days))
    if missing_location:
        queryset = queryset.filter(_missing_location())
    return (
        queryset.select_related("user__primary_language")
        .prefetch_related("user__languages")
        .annotate(document_count=Count("documents"))
        .order_by("submitted_at", "pk")
    )


def application_for_review(mentor_id: int) -> MentorProfile:
    return (
        MentorProfile.objects.select_related("user__primary_language")
        .prefetch_related(
            "user__languages",
            "work_experiences",
            "education_entries",
            "certifications",
            "documents",
            Prefetch("verification_events", queryset=VerificationEvent.objects.select_related("actor")),
        )
        .get(pk=mentor_id)
    )


def has_payout_details(mentor: MentorProfile) -> bool:
    """Whether payments knows where to send this mentor's payouts (its model hangs off the user)."""
    return User.objects.filter(pk=mentor.user_id, payout_details__isnull=False).exists()
