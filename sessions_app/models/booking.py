"""Sessions (the meetings), bookings of them, and what hangs off a booking.

A `Session` is one meeting at one time with one mentor: a 1:1 session is created together with its only booking
when a student takes a slot; a group session is created by its mentor and booked by up to `capacity` students.

Invariants the database keeps, whatever the code does:

- a mentor never has two overlapping sessions that occupy their time (`session_mentor_no_overlap`): group sessions
  that are scheduled or live, and 1:1 sessions that are held (draft, waiting for payment), scheduled or live;
- a student has at most one active (held or confirmed) booking per session;
- a reminder of a kind goes to a person at most once per session.

Group capacity is kept by `services`: they lock the session row before counting its active bookings.
A held booking (`pending_payment`) occupies its seat / slot until `hold_expires_at`; `tasks.expire_holds` (and any
booking attempt that meets an expired hold) releases it, so the constraint never blocks a free slot for long.
"""

import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_time_zone
from sessions_app import policy


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Session(models.Model):
    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", _("1:1 session")
        GROUP = "group", _("Group session")

    class Status(models.TextChoices):
        # A 1:1 session is a draft while its slot is held for payment; a group session while its mentor edits it.
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class SessionType(models.TextChoices):
        ACADEMIC_GUIDANCE = "academic_guidance", _("Academic guidance")
        CAREER_COUNSELLING = "career_counselling", _("Career counselling")
        EXAM_PREPARATION = "exam_preparation", _("Exam preparation")

    class Category(models.TextChoices):
        SCHOOL_SUBJECTS = "school_subjects", _("School subjects")
        ENGINEERING = "engineering", _("Engineering")
        MEDICINE = "medicine", _("Medicine")
        COMPUTER_SCIENCE = "computer_science", _("Computer science")
        SCIENCE = "science", _("Science")
        COMMERCE = "commerce", _("Commerce and business")
        ARTS = "arts", _("Arts and humanities")
        LAW = "law", _("Law")
        COMPETITIVE_EXAMS = "competitive_exams", _("Competitive exams")
        CAREERS = "careers", _("Careers and jobs")
        STUDY_SKILLS = "study_skills", _("Study and soft skills")
        OTHER = "other", _("Other")

    OCCUPYING_STATUSES = (Status.SCHEDULED, Status.LIVE)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mentor"), on_delete=models.PROTECT, related_name="hosted_sessions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    session_type = models.CharField(
        _("session type"), max_length=24, choices=SessionType.choices, default=SessionType.ACADEMIC_GUIDANCE
    )
    # Typed by the mentor for a group session; empty for 1:1 sessions, whose title is derived for each viewer in
    # their language (selectors.session_heading).
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices, default=Category.OTHER)
    skills = models.CharField(
        _("skills"), max_length=500, blank=True, help_text=_("Comma-separated, for example: algebra, JEE maths.")
    )
    language = models.ForeignKey(
        "accounts.Language", verbose_name=_("language"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The zone the time was chosen in (the mentor's for group sessions, the student's for 1:1).
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    capacity = models.PositiveSmallIntegerField(_("seats"), default=1)
    price_paise = models.BigIntegerField(_("price (paise)"), default=0, help_text=_("0 means free."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    prerequisites = models.TextField(_("prerequisites"), max_length=2000, blank=True)
    learning_objectives = models.TextField(_("learning objectives"), max_length=2000, blank=True)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="session-thumbnails/%Y/%m/", blank=True)
    # Bumped on every change the mentor's calendar must pick up (time moved, cancelled).
    ics_sequence = models.PositiveIntegerField(_("calendar revision"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    went_live_at = models.DateTimeField(_("went live at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancellation_reason = models.TextField(_("cancellation reason"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [
            models.Index(fields=["kind", "status", "starts_at"], name="session_kind_status_start_idx"),
            models.Index(fields=["mentor", "starts_at"], name="session_mentor_start_idx"),
            models.Index(fields=["status", "ends_at"], name="session_status_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at") + policy.MIN_DURATION)
                & Q(ends_at__lte=F("starts_at") + policy.MAX_DURATION),
                name="session_duration_30min_to_3h",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=policy.MAX_GROUP_CAPACITY), name="session_capacity_range"
            ),
            models.CheckConstraint(
                condition=~Q(kind="one_to_one") | Q(capacity=1), name="session_one_to_one_single_seat"
            ),
            models.CheckConstraint(
                condition=Q(price_paise=0) | Q(price_paise__gte=policy.MIN_PAID_PRICE_PAISE),
                name="session_price_free_or_payable",
            ),
            ExclusionConstraint(
                name="session_mentor_no_overlap",
                expressions=[
                    (F("mentor"), RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["scheduled", "live"]) | Q(kind="one_to_one", status="draft"),
                violation_error_message=_("The mentor already has a session at this time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title or self.get_session_type_display()} ({self.starts_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP

    @property
    def is_free(self) -> bool:
        return self.price_paise == 0

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_open(self) -> bool:
        return self.status in self.OCCUPYING_STATUSES


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
        CONFIRMED = "confirmed", _("Confirmed")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        NO_SHOW = "no_show", _("No-show")

    class CancelReason(models.TextChoices):
        STUDENT = "student", _("Cancelled by the student")
        MENTOR = "mentor", _("Cancelled by the mentor")
        SUPPORT = "support", _("Cancelled by support")
        SESSION_CANCELLED = "session_cancelled", _("The session was cancelled")
        HOLD_EXPIRED = "hold_expired", _("Not paid in time")
        PAYMENT_FAILED = "payment_failed", _("Payment failed")
        SLOT_TAKEN = "slot_taken", _("Paid after the slot was released and taken")

    ACTIVE_STATUSES = (Status.PENDING_PAYMENT, Status.CONFIRMED)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.PROTECT, related_name="bookings")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.PROTECT, related_name="bookings"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING_PAYMENT)
    # What the student pays for this booking, fixed when it is made.
    price_paise = models.BigIntegerField(_("price (paise)"))
    hold_expires_at = models.DateTimeField(_("held until"), null=True, blank=True)
    payment = models.ForeignKey(
        "payments.Payment",
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The latest payment attempt for this booking."),
    )

    # The pre-session questionnaire (seed 000 §3.4).
    purpose = models.TextField(_("purpose of the session"), max_length=1000, blank=True)
    specific_questions = models.TextField(_("specific questions"), max_length=2000, blank=True)
    current_challenges = models.TextField(_("current challenges"), max_length=2000, blank=True)
    expected_outcomes = models.TextField(_("expected outcomes"), max_length=2000, blank=True)
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )

    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancellation_reason = models.CharField(
        _("cancellation reason"), max_length=24, choices=CancelReason.choices, blank=True
    )
    cancellation_note = models.TextField(_("cancellation note"), max_length=1000, blank=True)
    # The refund decided at cancellation (or by support); Razorpay pays it back asynchronously.
    refund_paise = models.BigIntegerField(_("refund (paise)"), default=0)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    # Bumped on every change the student's calendar must pick up (moved, cancelled).
    ics_sequence = models.PositiveIntegerField(_("calendar revision"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            models.Index(fields=["student", "status"], name="booking_student_status_idx"),
            models.Index(fields=["session", "status"], name="booking_session_status_idx"),
            models.Index(
                fields=["hold_expires_at"], name="booking_pending_hold_idx", condition=Q(status="pending_payment")
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "student"],
                condition=Q(status__in=["pending_payment", "confirmed"]),
                name="booking_one_active_per_student",
                violation_error_message=_("You have already booked this session."),
            ),
            models.CheckConstraint(
                condition=~Q(status="pending_payment") | Q(hold_expires_at__isnull=False),
                name="booking_pending_has_hold",
            ),
            models.CheckConstraint(condition=Q(price_paise__gte=0), name="booking_price_not_negative"),
            models.CheckConstraint(
                condition=Q(refund_paise__gte=0) & Q(refund_paise__lte=F("price_paise")),
                name="booking_refund_within_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.session} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_paid(self) -> bool:
        return self.price_paise > 0


class WaitlistEntry(models.Model):
    """A student waiting for a seat in a full group session; offered the next freed seat, oldest first."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Seat offered")
        BOOKED = "booked", _("Booked")
        LAPSED = "lapsed", _("Offer lapsed")
        LEFT = "left", _("Left the waitlist")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="waitlist_entries")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.WAITING)
    # The held booking made for the student when a seat was offered.
    offered_booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="waitlist_entry"
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        indexes = [models.Index(fields=["session", "status", "created_at"], name="waitlist_queue_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "student"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_open_entry_per_student",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} waiting for {self.session} ({self.get_status_display()})"


class RescheduleRequest(models.Model):
    """A move of a 1:1 booking to another time: self-service ones are applied at once, emergencies wait for support."""

    class Kind(models.TextChoices):
        SELF_SERVICE = "self_service", _("Within the policy")
        EMERGENCY = "emergency", _("Emergency")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for support")
        APPLIED = "applied", _("Moved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reschedule_requests")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    old_starts_at = models.DateTimeField(_("old start"))
    old_ends_at = models.DateTimeField(_("old end"))
    new_starts_at = models.DateTimeField(_("new start"))
    new_ends_at = models.DateTimeField(_("new end"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reschedule request")
        verbose_name_plural = _("reschedule requests")
        constraints = [
            models.UniqueConstraint(
                fields=["booking"], condition=Q(status="pending"), name="reschedule_one_pending_per_booking"
            ),
            models.CheckConstraint(condition=Q(new_ends_at__gt=F("new_starts_at")), name="reschedule_new_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.booking}: {self.old_starts_at:%Y-%m-%d %H:%M} → {self.new_starts_at:%Y-%m-%d %H:%M}"


class Dispute(models.Model):
    """A problem a student reports about a session (seed 000 `session_conflicts`); holds back auto-completion."""

    class Kind(models.TextChoices):
        MENTOR_ABSENT = "mentor_absent", _("The mentor did not come")
        TECHNICAL = "technical", _("Technical problems")
        QUALITY = "quality", _("The session was not as described")
        CONDUCT = "conduct", _("Inappropriate behaviour")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED_COMPLETED = "resolved_completed", _("Resolved: session counted as held")
        RESOLVED_REFUNDED = "resolved_refunded", _("Resolved: refunded")

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="disputes")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("what went wrong"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("description"), max_length=4000)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    refund_paise = models.BigIntegerField(_("compensation (paise)"), default=0)
    resolution_note = models.TextField(_("resolution note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints = [
            models.UniqueConstraint(fields=["booking"], condition=Q(status="open"), name="dispute_one_open_per_booking")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.booking} ({self.get_status_display()})"


class SentReminder(models.Model):
    """Claimed before a reminder is sent, so each goes out once even if the scheduler or a worker runs twice."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "24h", _("24 hours before")
        HOUR_BEFORE = "1h", _("1 hour before")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="sent_reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(fields=["session", "recipient", "kind"], name="reminder_once_per_person_and_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder of {self.session} to {self.recipient}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret in a user's private calendar subscription URL; regenerating it revokes the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
