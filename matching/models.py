"""Matching's own tables: the search document of every listed mentor, and the search vocabulary.

`MentorSearchDocument` is a denormalised, read-only copy of what discovery needs about one listed mentor (the
profile, the user's name, place and languages, the comparable words of `matching.scoring.terms`), so the search
page filters, scores, sorts and renders its cards from one table in one query, with indexes made for it.
Only `matching.services.search_document_refresh` writes it: a row exists exactly while the mentor is listed.
"""


from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _


def _text_array() -> ArrayField:
    return ArrayField(models.TextField(), default=list, blank=True)


class MentorSearchDocument(models.Model):
    mentor = models.OneToOneField(
        "mentors.MentorProfile", primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    slug = models.SlugField(max_length=80)
    full_name = models.CharField(max_length=150)
    title = models.CharField(max_length=120)
    university = models.CharField(max_length=150, blank=True)
    company = models.CharField(max_length=150, blank=True)
    photo = models.CharField(max_length=255, blank=True)
    hourly_rate_paise = models.BigIntegerField()
    # The cheapest session the mentor offers (the shortest duration, priced from the hourly rate).
    price_from_paise = models.BigIntegerField()
    average_rating = models.FloatField()
    rating_count = models.PositiveIntegerField()
    total_sessions = models.PositiveIntegerField()
    years_experience = models.PositiveSmallIntegerField()
    response_time_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Ratings shrunk towards a prior, so five stars from one session do not outrank 4.8 from two hundred.
    popularity = models.FloatField()

    primary_language = models.CharField(max_length=8, blank=True)
    # Every language spoken, the primary one included (codes).
    languages = _text_array()
    levels_served = _text_array()
    specializations = _text_array()
    expertise_areas = _text_array()
    industry_focus = _text_array()
    subjects = _text_array()
    # `matching.scoring.terms` of the labels above, for the compatibility score in SQL.
    specialization_terms = _text_array()
    expertise_terms = _text_array()
    goal_terms = _text_array()

    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    # Case- and space-folded place names, compared with the student's.
    city_key = models.CharField(max_length=100, blank=True)
    state_key = models.CharField(max_length=100, blank=True)
    time_zone = models.CharField(max_length=64)
    # The start (UTC) of the mentor's first bookable slot within `NEXT_OPEN_DAYS`, None when there is none; kept
    # current by `matching.services` when the mentor's hours or bookings change and by a sweep once it has passed.
    next_open_at = models.DateTimeField(null=True, blank=True)

    search_vector = SearchVectorField()
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mentor search document")
        verbose_name_plural = _("mentor search documents")
        indexes = [
            GinIndex(fields=["search_vector"], name="msd_search_vector_gin"),
            # No index on levels_served: with two levels each matches half the mentors or more, and building that
            # bitmap cost more than filtering the rows the other conditions find.
            GinIndex(fields=["languages"], name="msd_languages_gin"),
            GinIndex(fields=["specializations"], name="msd_specializations_gin"),
            GinIndex(fields=["subjects"], name="msd_subjects_gin"),
            # Popularity order with the columns the usual filters and the compatibility score read: the scored
            # candidates of a best-match search come from an index-only scan of this, however many mentors there are.
            models.Index(
                fields=["-popularity", "-total_sessions", "mentor"],
                include=[
                    "languages",
                    "primary_language",
                    "levels_served",
                    "average_rating",
                    "hourly_rate_paise",
                    "years_experience",
                    "time_zone",
                    "state_key",
                    "city_key",
                    "specialization_terms",
                    "expertise_terms",
                    "goal_terms",
                    "response_time_minutes",
                ],
                name="msd_popularity_idx",
            ),  # fmt: skip
            models.Index(fields=["-average_rating", "-rating_count", "mentor"], name="msd_rating_idx"),
            models.Index(fields=["hourly_rate_paise", "mentor"], name="msd_price_idx"),
            models.Index(fields=["-years_experience", "mentor"], name="msd_experience_idx"),
            models.Index(fields=["state_key", "city_key"], name="msd_place_idx"),
            models.Index(fields=["next_open_at"], name="msd_next_open_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def photo_url(self) -> str:
        return storages["default"].url(self.photo) if self.photo else ""


class SearchTerm(models.Model):
    """A word that occurs in some listed mentor's searchable text: the vocabulary typo tolerance corrects towards.

    Matching a misspelt query word against this small table (trigram similarity, GIN index) and then searching the
    documents' full-text index for the corrected words keeps a search's cost independent of how long the texts are.
    Words are added as documents are written and never removed: a stale word only widens a query harmlessly.
    """

    word = models.CharField(max_length=64, primary_key=True)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        indexes = [GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="search_term_word_trgm")]

    def __str__(self) -> str:
        return self.word


class Interaction(models.Model):
    """One thing a student did with a mentor: the append-only log the recommender learns from.

    Views, clicks and "not interested" are written by `matching.services` after the request's commit; bookings,
    completions, ratings and tips are copied from their own apps' tables by the sweep task (`source_key` makes that
    copy idempotent). Rows are never updated; `interactions_prune` deletes those past their kind's retention.
    """

    class Kind(models.TextChoices):
        VIEW = "view", _("Profile view")
        CLICK = "click", _("Card click")
        BOOKING = "booking", _("Booking")
        COMPLETED = "completed", _("Completed session")
        RATING = "rating", _("Rating")
        TIP = "tip", _("Tip")
        NOT_INTERESTED = "not_interested", _("Not interested")

    id = models.BigAutoField(primary_key=True)
    student = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("mentors.MentorProfile", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Stars of a rating; unused (0) for the other kinds.
    value = models.SmallIntegerField(default=0)
    # Where a click came from ("search", "recommendations", "similar") and the card's 1-based rank there.
    source = models.CharField(max_length=16, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    source_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["student", "created_at"], name="interaction_student_idx"),
            models.Index(fields=["created_at", "kind"], name="interaction_created_idx"),
            # "Students who booked this mentor also booked …" (similar mentors).
            models.Index(fields=["mentor", "kind"], name="interaction_mentor_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.kind} {self.mentor_id}"


class NotInterested(models.Model):
    """A mentor the student asked never to be recommended again."""

    student = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("mentors.MentorProfile", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("not interested")
        verbose_name_plural = _("not interested")
        constraints = [models.UniqueConstraint(fields=["student", "mentor"], name="not_interested_once")]

    def __str__(self) -> str:
        return f"{self.student_id} ✗ {self.mentor_id}"


class PersonalisationOptOut(models.Model):
    """A student who turned personalisation off: nothing of theirs is logged, they get the plain compatibility
    ranking. The row's presence is the setting."""

    student = models.OneToOneField("accounts.User", on_delete=models.CASCADE, primary_key=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("personalisation opt-out")
        verbose_name_plural = _("personalisation opt-outs")

    def __str__(self) -> str:
        return str(self.student_id)


class Recommendation(models.Model):
    """One of a student's precomputed top mentors. Reasons are codes with parameters, rendered in the viewer's
    language at display time (`matching.recommender.reasons`)."""

    id = models.BigAutoField(primary_key=True)
    student = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("mentors.MentorProfile", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    model_version = models.CharField(max_length=32)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(fields=["student", "rank"], name="recommendation_student_rank"),
            models.UniqueConstraint(fields=["student", "mentor"], name="recommendation_student_mentor"),
        ]
        indexes = [models.Index(fields=["mentor"], name="recommendation_mentor_idx")]

    def __str__(self) -> str:
        return f"{self.student_id} #{self.rank} {self.mentor_id}"


class PrecomputeRun(models.Model):
    """A full precompute pass over every student, chunked by student id; `cursor` is the last id written, so a
    crashed run resumes where it stopped. Also holds the sweep's watermark (kind "sweep")."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full precompute")
        SWEEP = "sweep", _("Event sweep")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    model_version = models.CharField(max_length=32)
    cursor = models.BigIntegerField(default=0)
    # The sweep: events up to this instant have been handled.
    watermark = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    students_done = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("precompute run")
        verbose_name_plural = _("precompute runs")
        indexes = [models.Index(fields=["kind", "-started_at"], name="precompute_run_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"


class SuggestionTerm(models.Model):
    """How often a term is used in one vocabulary by the profiles of one context (a level, a field; "" for any):
    the "most common for your level and field" half of the skill suggestions. Rebuilt whole by
    `matching.services.suggestion_statistics_refresh`."""

    class Vocabulary(models.TextChoices):
        SUBJECTS = "subjects", _("Subjects")
        TOPICS = "topics", _("Interests and skills")
        ROLES = "roles", _("Roles")

    vocabulary = models.CharField(max_length=16, choices=Vocabulary.choices)
    level = models.CharField(max_length=16, blank=True)
    field = models.CharField(max_length=32, blank=True)
    key = models.CharField(max_length=100)
    label = models.CharField(max_length=100)
    uses = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("suggestion term")
        verbose_name_plural = _("suggestion terms")
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "level", "field", "key"], name="suggestion_term_once")
        ]
        indexes = [models.Index(fields=["vocabulary", "level", "field", "-uses"], name="suggestion_term_context_idx")]

    def __str__(self) -> str:
        return f"{self.vocabulary}:{self.label} ({self.uses})"


class SuggestionPair(models.Model):
    """How many profiles use both `key` (in any vocabulary) and `other_key` (in `vocabulary`): the "goes with what
    you typed" half of the skill suggestions. Only each term's strongest companions are kept."""

    key = models.CharField(max_length=100)
    vocabulary = models.CharField(max_length=16, choices=SuggestionTerm.Vocabulary.choices)
    other_key = models.CharField(max_length=100)
    other_label = models.CharField(max_length=100)
    uses = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("suggestion pair")
        verbose_name_plural = _("suggestion pairs")
        constraints = [models.UniqueConstraint(fields=["key", "vocabulary", "other_key"], name="suggestion_pair_once")]
        indexes = [models.Index(fields=["key", "vocabulary"], name="suggestion_pair_key_idx")]

    def __str__(self) -> str:
        return f"{self.key} → {self.vocabulary}:{self.other_label} ({self.uses})"
