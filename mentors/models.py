"""Mentors: the LinkedIn-style profile, its verification pipeline and documents, and availability.

Derived numbers on `MentorProfile` (rating, sessions, response time, no-shows) are written only by
`mentors.services.mentor_stats_refresh`, which asks the providers registered in `mentors.hooks`.
A mentor's languages and time zone live on the user (`user.primary_language`, `user.languages`, `user.time_zone`).
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.fields import EncryptedTextField
from accounts.privacy.crypto import mask

OFFERED_DURATION_CHOICES = (30, 60, 90)
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


class VerificationStatus(models.TextChoices):
    """Seed 000 §3.2; the allowed moves between them are in `mentors.services.verification.STAFF_TRANSITIONS`."""

    PENDING = "pending", _("Pending")
    DOCUMENTS_UNDER_REVIEW = "documents_under_review", _("Documents under review")
    BACKGROUND_CHECK_IN_PROGRESS = "background_check_in_progress", _("Background check in progress")
    INTERVIEW_SCHEDULED = "interview_scheduled", _("Interview scheduled")
    TRIAL_SESSION_REQUIRED = "trial_session_required", _("Trial session required")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    REAPPLICATION_REQUIRED = "reapplication_required", _("Reapplication required")


class StudentLevel(models.TextChoices):
    SCHOOL = "school", _("School students")
    COLLEGE = "college", _("College students")


def _private_storage():
    return storages["private"]


def verification_document_path(instance: "VerificationDocument", filename: str) -> str:
    # The stored name never reuses the uploader's file name: it is not trusted and may leak personal data.
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(instance.content_type, "bin")
    return f"verification/{instance.mentor_id}/{uuid.uuid4().hex}.{extension}"


class MentorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="mentor_profile"
    )
    slug = models.SlugField(_("profile address"), max_length=80, unique=True)

    title = models.CharField(_("professional title"), max_length=120)
    university = models.CharField(_("university"), max_length=150, blank=True)
    company = models.CharField(_("company"), max_length=150, blank=True)
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), default=0, validators=[MaxValueValidator(60)]
    )
    bio = models.TextField(_("about"), max_length=5000)
    expertise_areas = ArrayField(
        models.CharField(max_length=80), verbose_name=_("expertise areas"), default=list, blank=True
    )
    specializations = ArrayField(
        models.CharField(max_length=80),
        verbose_name=_("academic specializations"),
        default=list,
        blank=True,
        help_text=_("For example NEET preparation, JEE Physics, Data Science."),
    )
    industry_focus = ArrayField(
        models.CharField(max_length=80), verbose_name=_("industry focus"), default=list, blank=True
    )
    subjects = ArrayField(models.CharField(max_length=80), verbose_name=_("subjects"), default=list, blank=True)
    skills = ArrayField(models.CharField(max_length=80), verbose_name=_("skills"), default=list, blank=True)
    levels_served = ArrayField(
        models.CharField(max_length=16, choices=StudentLevel.choices),
        verbose_name=_("student levels served"),
        default=list,
    )
    hourly_rate_paise = models.BigIntegerField(
        _("hourly rate (paise)"), validators=[MinValueValidator(0), MaxValueValidator(100_000_00)]
    )
    linkedin_url = models.URLField(_("LinkedIn profile"), blank=True)

    verification_status = models.CharField(
        _("verification status"),
        max_length=32,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
    )
    # The latest decision's reason shown to the mentor (rejection, suspension or a request to reapply).
    decision_reason = models.TextField(_("reason given to the mentor"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive mentors are hidden even when approved.")
    )
    submitted_at = models.DateTimeField(_("application submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    # Derived by services from sessions and reviews; never edited by hand.
    average_rating = models.DecimalField(_("average rating"), max_digits=3, decimal_places=2, default=0)
    rating_count = models.PositiveIntegerField(_("number of ratings"), default=0)
    total_sessions = models.PositiveIntegerField(_("completed sessions"), default=0)
    response_time_minutes = models.PositiveIntegerField(_("typical response time (minutes)"), null=True, blank=True)
    no_show_count = models.PositiveIntegerField(_("no-shows"), default=0)
    # Of the students who completed a session with the mentor, the share who came back for another (public
    # reliability); None before the mentor's first completed session.
    repeat_student_percent = models.PositiveSmallIntegerField(
        _("returning students (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )

    # Availability settings; the weekly hours are AvailabilityRule rows in the user's time zone.
    buffer_before_minutes = models.PositiveSmallIntegerField(
        _("buffer before sessions (minutes)"), default=0, validators=[MaxValueValidator(120)]
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        _("buffer after sessions (minutes)"), default=0, validators=[MaxValueValidator(120)]
    )
    minimum_notice_hours = models.PositiveSmallIntegerField(
        _("minimum notice (hours)"), default=12, validators=[MaxValueValidator(24 * 14)]
    )
    booking_horizon_days = models.PositiveSmallIntegerField(
        _("booking horizon (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    offered_durations = ArrayField(
        models.PositiveSmallIntegerField(choices=[(d, d) for d in OFFERED_DURATION_CHOICES]),
        verbose_name=_("offered session lengths (minutes)"),
        default=list,
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor profiles")
        indexes = [
            models.Index(fields=["verification_status", "submitted_at"], name="mentor_status_submitted_idx"),
            models.Index(
                fields=["-average_rating", "-total_sessions"],
                name="mentor_listed_rating_idx",
                condition=Q(is_active=True, verification_status="approved"),
            ),
            GinIndex(fields=["specializations"], name="mentor_specializations_gin"),
            GinIndex(fields=["expertise_areas"], name="mentor_expertise_gin"),
            GinIndex(fields=["industry_focus"], name="mentor_industry_gin"),
            GinIndex(fields=["subjects"], name="mentor_subjects_gin"),
            GinIndex(fields=["levels_served"], name="mentor_levels_gin"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(hourly_rate_paise__gte=0), name="mentor_rate_not_negative"),
            models.CheckConstraint(
                condition=Q(average_rating__gte=0, average_rating__lte=5), name="mentor_rating_range"
            ),
            models.CheckConstraint(
                condition=Q(offered_durations__contained_by=list(OFFERED_DURATION_CHOICES)),
                name="mentor_offered_durations_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_verification_status_display()})"

    @property
    def is_listed(self) -> bool:
        """Shown to students: approved and active (the one rule every listing applies)."""
        return self.is_active and self.verification_status == VerificationStatus.APPROVED

    @property
    def hourly_rate_rupees(self) -> int:
        return self.hourly_rate_paise // 100


class MentorSlugHistory(models.Model):
    """A slug the mentor had before; `/mentor/<old>/` redirects permanently to the current one."""

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("former profile address")
        verbose_name_plural = _("former profile addresses")

    def __str__(self) -> str:
        return self.slug


class WorkExperience(models.Model):
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="work_experiences")
    title = models.CharField(_("role"), max_length=120)
    organization = models.CharField(_("organisation"), max_length=150)
    location = models.CharField(_("location"), max_length=120, blank=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True, help_text=_("Leave empty if you work there now."))
    description = models.TextField(_("what you did"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-start_date", "id"]
        verbose_name = _("work experience")
        verbose_name_plural = _("work experience")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="work_experience_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.organization}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class Education(models.Model):
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="education_entries")
    institution = models.CharField(_("institution"), max_length=150)
    degree = models.CharField(_("degree"), max_length=120)
    field_of_study = models.CharField(_("field of study"), max_length=120, blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("start year"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("end year"), null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )

    class Meta:
        ordering = ["-start_year", "id"]
        verbose_name = _("education")
        verbose_name_plural = _("education")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=models.F("start_year")),
                name="education_years_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.degree}, {self.institution}"


class Certification(models.Model):
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="certifications")
    name = models.CharField(_("certification"), max_length=150)
    issuer = models.CharField(_("issued by"), max_length=150)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    credential_url = models.URLField(_("credential link"), blank=True)

    class Meta:
        ordering = ["-issued_on", "id"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer})"


class VerificationDocument(models.Model):
    class DocumentType(models.TextChoices):
        ID_PROOF = "id_proof", _("ID proof")
        EDUCATION_CERTIFICATE = "education_certificate", _("Education certificate")
        EXPERIENCE_LETTER = "experience_letter", _("Experience letter")

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(_("document type"), max_length=32, choices=DocumentType.choices)
    file = models.FileField(_("file"), upload_to=verification_document_path, storage=_private_storage, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    # Detected from the file's first bytes, not from its name or the browser's claim.
    content_type = models.CharField(_("content type"), max_length=64)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"), validators=[MaxValueValidator(MAX_DOCUMENT_BYTES)])
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("verification document")
        verbose_name_plural = _("verification documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="verification_document_allowed_type",
            ),
            models.CheckConstraint(
                condition=Q(size_bytes__lte=MAX_DOCUMENT_BYTES), name="verification_document_max_size"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()}: {self.original_name}"


class VerificationEvent(models.Model):
    """One move through the pipeline (or the submission itself): who, when, why."""

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="verification_events")
    from_status = models.CharField(_("from"), max_length=32, choices=VerificationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=32, choices=VerificationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    scheduled_for = models.DateTimeField(_("interview at"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("verification event")
        verbose_name_plural = _("verification events")
        indexes = [models.Index(fields=["mentor", "-created_at"], name="verification_event_mentor_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering, so rules match dates without translation.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class AvailabilityRule(models.Model):
    """Weekly open hours, as wall-clock times in the mentor's time zone (so they follow DST)."""

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="availability_rules")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start_time"]
        verbose_name = _("weekly availability")
        verbose_name_plural = _("weekly availability")
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="availability_rule_ordered"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_rule_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class AvailabilityOverride(models.Model):
    """A change for one date in the mentor's zone: blocked (the whole day, or from–until) or extra hours."""

    class Kind(models.TextChoices):
        BLOCKED = "blocked", _("Not available")
        EXTRA = "extra", _("Extra hours")

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="availability_overrides")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["date", "start_time"]
        verbose_name = _("date override")
        verbose_name_plural = _("date overrides")
        indexes = [models.Index(fields=["mentor", "date"], name="availability_override_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start_time__isnull=True) & Q(end_time__isnull=True) & Q(kind="blocked"))
                | (Q(start_time__isnull=False) & Q(end_time__gt=models.F("start_time"))),
                name="availability_override_times",
            )
        ]

    def __str__(self) -> str:
        if self.start_time is None:
            return f"{self.date}: {self.get_kind_display()}"
        return f"{self.date} {self.start_time:%H:%M}–{self.end_time:%H:%M}: {self.get_kind_display()}"

    @property
    def is_whole_day(self) -> bool:
        return self.start_time is None


class MentorPayoutDetails(models.Model):
    """Where payouts go: a bank account (with IFSC) or a UPI id, and the PAN for tax deducted at source.

    Set only with two-factor sign-in on. Account number, IFSC, UPI id and PAN are encrypted at rest.
    """

    mentor = models.OneToOneField(MentorProfile, on_delete=models.CASCADE, related_name="payout_details")
    account_holder_name = models.CharField(_("account holder name"), max_length=150)
    bank_account_number = EncryptedTextField(_("bank account number"), max_length=18, blank=True)
    ifsc = EncryptedTextField(_("IFSC"), max_length=11, blank=True)
    upi_id = EncryptedTextField(_("UPI id"), max_length=100, blank=True)
    pan = EncryptedTextField(_("PAN"), max_length=10, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payout details")
        verbose_name_plural = _("payout details")
        constraints = [
            models.CheckConstraint(
                condition=(~Q(bank_account_number="") & ~Q(ifsc="")) | ~Q(upi_id=""),
                name="payout_details_bank_or_upi",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_holder_name} ({self.masked_destination})"

    @property
    def masked_destination(self) -> str:
        if self.bank_account_number:
            return f"A/c {mask(self.bank_account_number)} · {self.ifsc[:4]}•••••••"
        name, _at, bank = self.upi_id.partition("@")
        return f"{name[:2]}••••@{bank}"

    @property
    def masked_pan(self) -> str:
        return mask(self.pan)
