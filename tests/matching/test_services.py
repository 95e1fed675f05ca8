"""The search documents follow the mentors: written while listed, gone otherwise, refreshed on every change."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command

from matching import demo
from matching.models import MentorSearchDocument, SearchTerm
from matching.selectors import FILTER_OPTIONS_CACHE_KEY, filter_options
from matching.services import search_document_refresh, search_documents_rebuild
from mentors import hooks
from tests.factories import MentorProfileFactory, listed_mentor

pytestmark = pytest.mark.django_db


def test_listed_mentor_document_copies_what_discovery_needs():
    mentor = listed_mentor(
        languages=["te", "hi", "en"],
        user__full_name="Ravi Kumar",
        city="  Hyderabad ",
        state="Telangana",
        specializations=["NEET preparation", "JEE Physics"],
        expertise_areas=["Career counselling"],
        industry_focus=["Healthcare"],
        hourly_rate_paise=90_000,
        offered_durations=[30, 60],
        average_rating=4.5,
        rating_count=20,
    )
    document = MentorSearchDocument.objects.get(pk=mentor.pk)
    assert (document.full_name, document.slug, document.primary_language) == ("Ravi Kumar", mentor.slug, "te")
    assert document.languages == ["en", "hi", "te"]
    assert document.specialization_terms == ["jee", "neet", "physics"]
    assert document.goal_terms == ["career", "counselling", "healthcare"]
    assert (document.city_key, document.state_key) == ("hyderabad", "telangana")
    assert document.price_from_paise == 45_000  # the 30-minute session
    # Twenty ratings of 4.5 blended with five imaginary ratings of 3.5.
    assert document.popularity == pytest.approx((4.5 * 20 + 3.5 * 5) / 25)


def test_the_words_of_listed_mentors_join_the_search_vocabulary():
    listed_mentor(user__full_name="Ravi Kumar", title="Physics lecturer", bio="Friendly NEET coaching.")
    assert {"ravi", "kumar", "physics", "lecturer", "friendly", "neet", "coaching"} <= set(
        SearchTerm.objects.values_list("word", flat=True)
    )


@pytest.mark.parametrize(
    "change",
    [
        {"verification_status": "suspended"},
        {"verification_status": "reapplication_required"},
        {"is_active": False},
    ],
)
def test_document_disappears_when_the_mentor_is_no_longer_listed(change):
    mentor = listed_mentor()
    for field, value in change.items():
        setattr(mentor, field, value)
    mentor.save(update_fields=list(change))
    search_document_refresh(mentor_id=mentor.pk)
    assert not MentorSearchDocument.objects.filter(pk=mentor.pk).exists()


def test_deactivated_account_hides_the_mentor():
    mentor = listed_mentor()
    mentor.user.is_active = False
    mentor.user.save(update_fields=["is_active"])
    search_document_refresh(mentor_id=mentor.pk)
    assert not MentorSearchDocument.objects.filter(pk=mentor.pk).exists()


def test_unapproved_mentor_never_gets_a_document():
    mentor = MentorProfileFactory(pending=True)
    search_document_refresh(mentor_id=mentor.pk)
    assert not MentorSearchDocument.objects.exists()


def test_a_profile_change_announced_by_mentors_refreshes_the_document(django_capture_on_commit_callbacks):
    mentor = listed_mentor(title="Physics teacher")
    mentor.title = "Senior physics lecturer"
    mentor.save(update_fields=["title"])
    with django_capture_on_commit_callbacks(execute=True):
        hooks.announce_profile_changed(mentor.pk)
    assert MentorSearchDocument.objects.get(pk=mentor.pk).title == "Senior physics lecturer"


def test_a_document_with_a_new_filter_value_clears_the_cached_filter_options(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        listed_mentor(languages=["te"], subjects=["Biology"])
    assert filter_options().languages == ["te"]
    with django_capture_on_commit_callbacks(execute=True):
        listed_mentor(languages=["te"], subjects=["Biology"])
    assert cache.get(FILTER_OPTIONS_CACHE_KEY) is not None
    with django_capture_on_commit_callbacks(execute=True):
        listed_mentor(languages=["ta"], subjects=["Biology"])
    assert cache.get(FILTER_OPTIONS_CACHE_KEY) is None
    assert filter_options().languages == ["ta", "te"]


def test_rebuild_writes_every_listed_mentor_and_drops_the_rest():
    listed = [MentorProfileFactory() for _ in range(5)]
    stale = listed_mentor()
    stale.verification_status = "suspended"
    stale.save(update_fields=["verification_status"])
    MentorProfileFactory(pending=True)
    assert search_documents_rebuild(batch_size=2) == 5
    assert set(MentorSearchDocument.objects.values_list("pk", flat=True)) == {mentor.pk for mentor in listed}


def test_demo_step_and_rebuild_command_index_mentors_created_without_the_services():
    first, second = MentorProfileFactory(), MentorProfileFactory()
    demo.seed(stdout=io.StringIO())
    assert set(MentorSearchDocument.objects.values_list("pk", flat=True)) == {first.pk, second.pk}
    third = MentorProfileFactory()
    out = io.StringIO()
    call_command("search_documents_rebuild", stdout=out)
    assert "3 listed mentors indexed" in out.getvalue()
    assert MentorSearchDocument.objects.filter(pk=third.pk).exists()
