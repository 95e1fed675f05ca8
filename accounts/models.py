import datetime as dt
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.consent import CONSENT_LINK_MAX_AGE
from accounts.languages import language_label
from accounts.validators import validate_indian_or_international_phone

ADULT_AGE = 18


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class Language(models.Model):
    """A language students and mentors can speak; admins decide which are offered (active)."""

    code = models.CharField(_("code"), max_length=8, unique=True, help_text=_("ISO 639-1 code, e.g. hi"))
    name = models.CharField(_("English name"), max_length=64)
    native_name = models.CharField(_("native name"), max_length=64)
    region = models.CharField(_("region"), max_length=128, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        shown = self.display_name
        if self.native_name and self.native_name != shown:
            return f"{shown} ({self.native_name})"
        return shown

    @property
    def display_name(self) -> str:
        """The language's name in the reader's interface language."""
        return language_label(self.code, self.name)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: object) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: object) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", User.Role.ADMIN)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        STUDENT = "student", _("Student")
        MENTOR = "mentor", _("Mentor")
        ADMIN = "admin", _("Admin")
        SUPPORT = "support", _("Support")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        DEACTIVATED = "deactivated", _("Deactivated")

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(
        _("phone number"), max_length=20, blank=True, validators=[validate_indian_or_international_phone]
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True, default="India")
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.DEFAULT_USER_TIME_ZONE, validators=[validate_time_zone]
    )
    primary_language = models.ForeignKey(
        Language,
        verbose_name=_("primary language"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="primary_speakers",
    )
    languages = models.ManyToManyField(
        Language, verbose_name=_("languages spoken"), blank=True, related_name="speakers"
    )
    photo = models.ImageField(_("profile photo"), upload_to="photos/%Y/%m/", blank=True)
    # The interface language the user picked explicitly; empty means "follow my primary language".
    ui_language = models.CharField(_("interface language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STUDENT, db_index=True)
    status = models.CharField(_("account status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_public_name(self) -> str:
        """How other students see this person: first name and the initial of the last ("Asha R."), never the email."""
        parts = self.full_name.split()
        if not parts:
            return gettext("Participant")
        return f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else parts[0]

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())

    @property
    def is_minor(self) -> bool:
        age = self.age
        return age is not None and age < ADULT_AGE

    @property
    def is_support_staff(self) -> bool:
        return self.is_staff and self.role in {self.Role.ADMIN, self.Role.SUPPORT}

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


def _text_list(max_length: int = 100) -> ArrayField:
    return ArrayField(models.CharField(max_length=max_length), default=list, blank=True)


class StudentProfile(models.Model):
    """A student's academic details, career goals and preferences, filled in by the onboarding wizard."""

    ONBOARDING_STEPS = 7

    class AcademicLevel(models.TextChoices):
        SCHOOL = "school", _("School student")
        COLLEGE = "college", _("College student")

    class Board(models.TextChoices):
        CBSE = "cbse", _("CBSE")
        ICSE = "icse", _("ICSE / ISC")
        STATE = "state", _("State board")
        IB = "ib", _("IB")
        CAMBRIDGE = "cambridge", _("Cambridge (IGCSE / A level)")
        NIOS = "nios", _("NIOS")
        OTHER = "other", _("Other")

    class Stream(models.TextChoices):
        SCIENCE_PCM = "science_pcm", _("Science (PCM)")
        SCIENCE_PCB = "science_pcb", _("Science (PCB)")
        COMMERCE = "commerce", _("Commerce")
        ARTS = "arts", _("Arts / Humanities")
        VOCATIONAL = "vocational", _("Vocational")

    class CareerTimeline(models.TextChoices):
        EXPLORING = "exploring", _("Just exploring")
        WITHIN_6_MONTHS = "6_months", _("Within 6 months")
        WITHIN_1_YEAR = "1_year", _("Within a year")
        WITHIN_2_YEARS = "2_years", _("Within 2 years")
        LATER = "later", _("More than 2 years away")

    class Industry(models.TextChoices):
        TECHNOLOGY = "technology", _("Technology and software")
        ENGINEERING = "engineering", _("Engineering and manufacturing")
        HEALTHCARE = "healthcare", _("Medicine and healthcare")
        FINANCE = "finance", _("Finance, banking and accounting")
        BUSINESS = "business", _("Business, management and consulting")
        GOVERNMENT = "government", _("Civil services and government")
        LAW = "law", _("Law")
        EDUCATION = "education", _("Teaching and education")
        DESIGN_MEDIA = "design_media", _("Design, media and arts")
        RESEARCH = "research", _("Science and research")
        AGRICULTURE = "agriculture", _("Agriculture and environment")
        DEFENCE = "defence", _("Defence services")
        ENTREPRENEURSHIP = "entrepreneurship", _("Starting a business")

    class Challenge(models.TextChoices):
        CAREER_CLARITY = "career_clarity", _("Choosing a career path")
        STREAM_CHOICE = "stream_choice", _("Choosing a stream, course or college")
        EXAM_PREPARATION = "exam_preparation", _("Exam preparation (boards, JEE, NEET, CUET…)")
        STUDY_HABITS = "study_habits", _("Study habits and time management")
        DIFFICULT_SUBJECTS = "difficult_subjects", _("Understanding difficult subjects")
        ADMISSIONS = "admissions", _("Admissions and applications")
        INTERNSHIPS_JOBS = "internships_jobs", _("Finding internships or jobs")
        INTERVIEWS = "interviews", _("Interviews and résumés")
        COMMUNICATION = "communication", _("Communication and spoken English")
        CONFIDENCE = "confidence", _("Confidence and motivation")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="student_profile"
    )
    academic_level = models.CharField(_("academic level"), max_length=16, choices=AcademicLevel.choices, blank=True)

    school_name = models.CharField(_("school name"), max_length=200, blank=True)
    board = models.CharField(_("board"), max_length=16, choices=Board.choices, blank=True)
    class_grade = models.PositiveSmallIntegerField(_("class"), null=True, blank=True)
    stream = models.CharField(_("stream"), max_length=16, choices=Stream.choices, blank=True)
    subjects = _text_list()
    extracurriculars = _text_list()

    university = models.CharField(_("university or college"), max_length=200, blank=True)
    degree = models.CharField(_("degree"), max_length=100, blank=True)
    major = models.CharField(_("major"), max_length=100, blank=True)
    minor = models.CharField(_("minor"), max_length=100, blank=True)
    semester = models.PositiveSmallIntegerField(_("semester"), null=True, blank=True)
    cgpa = models.DecimalField(_("CGPA"), max_digits=4, decimal_places=2, null=True, blank=True)
    projects = _text_list(200)
    internships = _text_list(200)

    industries = _text_list(32)
    target_roles = _text_list()
    target_companies = _text_list()
    desired_locations = _text_list()
    career_timeline = models.CharField(_("career timeline"), max_length=16, choices=CareerTimeline.choices, blank=True)

    interests = _text_list()
    challenges = _text_list(32)
    challenge_details = models.TextField(_("anything else a mentor should know"), max_length=1000, blank=True)

    notify_email = models.BooleanField(_("email notifications"), default=True)
    notify_in_app = models.BooleanField(_("in-app notifications"), default=True)
    notify_sms = models.BooleanField(_("SMS notifications"), default=False)
    notify_reminders = models.BooleanField(_("session reminders"), default=True)

    # The furthest wizard step the student may open (every step before it has been saved).
    onboarding_step = models.PositiveSmallIntegerField(_("onboarding step reached"), default=1)
    onboarding_completed_at = models.DateTimeField(_("onboarding completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("student profile")
        verbose_name_plural = _("student profiles")
        indexes = [models.Index(fields=["academic_level", "class_grade"], name="accounts_sp_level_grade_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(class_grade__isnull=True) | Q(class_grade__gte=6, class_grade__lte=12),
                name="accounts_sp_class_grade_6_12",
            ),
            models.CheckConstraint(
                condition=Q(stream="") | Q(class_grade__in=[11, 12]), name="accounts_sp_stream_only_11_12"
            ),
            models.CheckConstraint(
                condition=Q(semester__isnull=True) | Q(semester__gte=1, semester__lte=10),
                name="accounts_sp_semester_1_10",
            ),
            models.CheckConstraint(
                condition=Q(cgpa__isnull=True) | Q(cgpa__gte=0, cgpa__lte=10), name="accounts_sp_cgpa_0_10"
            ),
            models.CheckConstraint(
                condition=Q(onboarding_step__gte=1, onboarding_step__lte=7), name="accounts_sp_onboarding_step_1_7"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_academic_level_display() or _('level not set')})"

    @property
    def is_onboarded(self) -> bool:
        return self.onboarding_completed_at is not None

    @property
    def steps_done(self) -> int:
        return self.ONBOARDING_STEPS if self.is_onboarded else self.onboarding_step - 1

    @property
    def progress_percent(self) -> int:
        return round(100 * self.steps_done / self.ONBOARDING_STEPS)


class GuardianConsent(models.Model):
    """A guardian's consent for a minor (seed 000 §14.3), with the evidence of when, where and what was agreed."""

    class Relationship(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GUARDIAN = "guardian", _("Legal guardian")
        OTHER = "other", _("Other family member")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        # Not stored: a pending request whose link is older than the link lifetime.
        EXPIRED = "expired", _("Link expired")

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.CASCADE, related_name="guardian_consents"
    )
    guardian_name = models.CharField(_("guardian's name"), max_length=150)
    guardian_email = models.EmailField(_("guardian's email"))
    # Proved by a one-time code before the request is sent (seed 000 §14.4); blank on requests from before then.
    guardian_phone = models.CharField(
        _("guardian's mobile number"), max_length=20, blank=True, validators=[validate_indian_or_international_phone]
    )
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    last_sent_at = models.DateTimeField(_("link last sent at"))
    send_count = models.PositiveSmallIntegerField(_("times sent"), default=1)
    text_version = models.CharField(_("consent text version"), max_length=16, blank=True)
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)
    granted_ip = models.GenericIPAddressField(_("granted from IP"), null=True, blank=True)
    granted_user_agent = models.CharField(_("granted from browser"), max_length=512, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_ip = models.GenericIPAddressField(_("withdrawn from IP"), null=True, blank=True)
    withdrawn_user_agent = models.CharField(_("withdrawn from browser"), max_length=512, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("guardian consent")
        verbose_name_plural = _("guardian consents")
        ordering = ["-created_at"]
        constraints = [
            # History is kept: a withdrawn consent stays, and a new request is a new row.
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(status__in=["pending", "granted"]),
                name="accounts_one_open_consent_per_student",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "granted", "withdrawn"]), name="accounts_consent_stored_status"
            ),
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(granted_at__isnull=False, text_version__gt=""),
                name="accounts_consent_granted_has_evidence",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="accounts_consent_withdrawn_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian_name} for {self.student} ({self.status})"

    def link_expires_at(self) -> dt.datetime:
        return self.last_sent_at + CONSENT_LINK_MAX_AGE

    def current_status(self, now: dt.datetime | None = None) -> str:
        """The stored status, or "expired" for a pending request whose link can no longer be used."""
        if self.status == self.Status.PENDING and (now or timezone.now()) >= self.link_expires_at():
            return self.Status.EXPIRED
        return self.status

    def get_current_status_display(self) -> str:
        return str(self.Status(self.current_status()).label)


# Re-exported so Django registers them with this app (the privacy models live in their own module).
from accounts.models_notifications import (  # noqa: E402, F401
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from accounts.models_privacy import (  # noqa: E402, F401
    AccountDeletion,
    AuditLogEntry,
    ConsentRecord,
    DataExport,
    PhoneVerification,
)
