"""Reads for the mentors app: listings, the public profile, the staff queue. Each one a fixed number of queries."""

import datetime as dt
from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from mentors.models import (
    AvailabilityRule,
    Certification,
    Education,
    MentorProfile,
    MentorSlugHistory,
    VerificationEvent,
    VerificationStatus,
    WorkExperience,
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


class ProfileGap(NamedTuple):
    """Something the mentor can add to their profile, and the page where they add it."""

    text: Promise
    url: str


class ProfileCompleteness(NamedTuple):
    percent: int
    gaps: list[ProfileGap]


# A short "about" tells students little: below this many characters we suggest writing more.
ABOUT_MIN_CHARS = 200
PROFILE_SKILLS_MIN = 3


def mentor_profile_completeness(mentor: MentorProfile) -> ProfileCompleteness:
    """How much of what students look at the profile has (one query), and what to add, in the order it helps."""
    facts = (
        MentorProfile.objects.filter(pk=mentor.pk)
        .annotate(
            has_work=Exists(WorkExperience.objects.filter(mentor=OuterRef("pk"))),
            has_education=Exists(Education.objects.filter(mentor=OuterRef("pk"))),
            has_certification=Exists(Certification.objects.filter(mentor=OuterRef("pk"))),
            has_availability=Exists(AvailabilityRule.objects.filter(mentor=OuterRef("pk"))),
            # Payout details belong to payments and hang off the user (mentors imports nothing from payments).
            has_payout=Exists(User.objects.filter(pk=OuterRef("user_id"), payout_details__isnull=False)),
        )
        .values("has_work", "has_education", "has_certification", "has_availability", "has_payout")
        .get()
    )
    edit = reverse("mentors:profile_edit")
    user = mentor.user
    checks = [
        (bool(user.photo), _("Add a profile photo: students choose faces they can see."), reverse("mentors:photo")),
        (
            facts["has_availability"],
            _("Set your weekly availability so students can book you."),
            reverse("mentors:availability"),
        ),
        (
            len(mentor.bio) >= ABOUT_MIN_CHARS,
            _('Write a fuller "About" section: a few sentences on how you help.'),
            edit + "#id_bio",
        ),
        (facts["has_work"], _("Add your work experience."), edit),
        (facts["has_education"], _("Add your education."), edit),
        (len(mentor.skills) >= PROFILE_SKILLS_MIN, _("List at least three skills."), edit),
        (facts["has_certification"], _("Add a certification."), edit),
        (bool(user.city and user.state), _("Add your city and state."), edit + "#id_city"),
        (bool(mentor.linkedin_url), _("Link your LinkedIn profile."), edit),
        (facts["has_payout"], _("Add payout details so we can pay you."), reverse("mentors:payout_details")),
    ]
    gaps = [ProfileGap(text, url) for done, text, url in checks if not done]
    return ProfileCompleteness(percent=round(100 * (len(checks) - len(gaps)) / len(checks)), gaps=gaps)


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
