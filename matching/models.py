"""Matching's own tables: the search document of every listed mentor, and the search vocabulary.

`MentorSearchDocument` is a denormalised, read-only copy of what discovery needs about one listed mentor (the
profile, the user's name, place and languages, the comparable words of `matching.scoring.terms`), so the search
page filters, scores, sorts and renders its cards from one table in one query, with indexes made for it.
Only `matching.services.search_document_refresh` writes it: a row exists exactly while the mentor is listed.
"""

from decimal import Decimal

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
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def photo_url(self) -> str:
        return storages["default"].url(self.photo) if self.photo else ""

    @property
    def price_from_rupees(self) -> Decimal:
        return Decimal(self.price_from_paise) / 100


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
