"""The student dashboard shows what the other apps know about the student: sessions, matches and progress."""

import pytest
from django.urls import reverse

from matching.services import search_document_refresh
from tests.factories import BookingFactory, FollowUpTaskFactory, MentorProfileFactory, language

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies["peerlearn_language"] = "en"
    return client


def test_dashboard_lists_the_students_next_sessions(english, onboarded_student, django_assert_max_num_queries):
    booking = BookingFactory(student=onboarded_student, session__title="Optics doubt clinic")
    english.force_login(onboarded_student)
    # 30: the recommended mentors and group sessions panels (matching) read the stored list and the sessions; the
    # learning panel reads weekly hours, the next session and the activity feed; the credits panel its packages and
    # scholarship balance.
    with django_assert_max_num_queries(30):
        html = english.get(reverse("accounts:dashboard")).content.decode()
    assert 'data-testid="upcoming-sessions"' in html and "Optics doubt clinic" in html
    assert reverse("sessions_app:booking_detail", args=[booking.uuid]) in html
    assert "No sessions yet" not in html


def test_dashboard_recommends_mentors_who_speak_the_students_language(english, onboarded_student):
    telugu_mentor = MentorProfileFactory(user__languages=["te", "en"], user__full_name="Lakshmi Rao")
    search_document_refresh(mentor_id=telugu_mentor.pk)
    english.force_login(onboarded_student)
    html = english.get(reverse("accounts:dashboard")).content.decode()
    assert 'data-testid="recommended-mentors"' in html and "Lakshmi Rao" in html
    assert f"Speaks {language('te').name}" in html


def test_dashboard_shows_tasks_due_from_mentors(english, onboarded_student):
    FollowUpTaskFactory(student=onboarded_student, title="Finish the optics worksheet")
    english.force_login(onboarded_student)
    html = english.get(reverse("accounts:dashboard")).content.decode()
    assert 'data-testid="student-progress"' in html and "Finish the optics worksheet" in html


def test_dashboard_query_count_does_not_grow_with_sessions_and_mentors(
    english, onboarded_student, django_assert_max_num_queries
):
    for _ in range(6):
        BookingFactory(student=onboarded_student)
        search_document_refresh(mentor_id=MentorProfileFactory(user__languages=["te"]).pk)
        FollowUpTaskFactory(student=onboarded_student)
    english.force_login(onboarded_student)
    # 30: the recommended mentors and group sessions panels (matching) read the stored list and the sessions; the
    # learning panel reads weekly hours, the next session and the activity feed; the credits panel its packages and
    # scholarship balance.
    with django_assert_max_num_queries(30):
        assert english.get(reverse("accounts:dashboard")).status_code == 200
