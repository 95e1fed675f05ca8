"""Hostile input gets a clear 4xx, never a 500: NUL characters, impossible values, and a fuzz of the search page and
the main forms."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import StudentProfileFactory, UserFactory, birth_date_for_age, mentor_with_weekly_hours

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Text as a fuzzer sends it: any Unicode, NUL and other control characters, surrogates left out (not UTF-8).
hostile_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@pytest.fixture
def student(client):
    user = StudentProfileFactory(user__date_of_birth=birth_date_for_age(20)).user
    client.force_login(user)
    return user


def test_a_nul_in_the_search_query_is_a_400(client):
    response = client.get(reverse("matching:search"), {"subject": "maths\x00", "q": "x"})
    assert response.status_code == 400


def test_a_nul_in_a_calendar_feed_token_is_a_400(client):
    assert client.get("/calendar/abc%00def.ics").status_code == 400


def test_a_nul_in_a_profile_text_area_is_a_400_and_saves_nothing(client, student):
    url = reverse("accounts:profile_edit", args=["interests"])
    response = client.post(url, {"interests": "Chess\x00\nRobotics", "challenges": ["confidence"]})
    assert response.status_code == 400
    student.student_profile.refresh_from_db()
    assert "Chess\x00" not in student.student_profile.interests


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "q",
                "level",
                "language",
                "subject",
                "specialization",
                "experience",
                "near",
                "tz",
                "price_min",
                "price_max",
                "rating",
                "sort",
                "page",
                "primary_only",
            ]
        ),
        hostile_text,
        max_size=6,
    )
)
def test_fuzzed_search_querystrings_never_fail_with_a_server_error(client, params):
    assert client.get(reverse("matching:search"), params).status_code < 500


@FUZZ
@given(
    section=st.sampled_from(["basic", "level", "academics", "languages", "goals", "interests"]),
    data=st.dictionaries(
        st.sampled_from(
            [
                "full_name",
                "date_of_birth",
                "city",
                "state",
                "country",
                "time_zone",
                "primary_language",
                "academic_level",
                "school_name",
                "board",
                "class_grade",
                "subjects_0",
                "interests",
                "challenges",
                "career_goals",
                "languages",
            ]
        ),
        hostile_text,
        max_size=8,
    ),
)
def test_fuzzed_profile_forms_never_fail_with_a_server_error(client, student, section, data):
    response = client.post(reverse("accounts:profile_edit", args=[section]), data)
    assert response.status_code < 500


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {"full_name": hostile_text, "email": hostile_text, "password1": hostile_text, "password2": hostile_text}
    )
)
def test_fuzzed_sign_up_and_log_in_never_fail_with_a_server_error(client, data):
    assert client.post(reverse("account_signup"), data).status_code < 500
    assert (
        client.post(reverse("account_login"), {"login": data["email"], "password": data["password1"]}).status_code < 500
    )


@FUZZ
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "duration",
                "date",
                "starts_at",
                "session_type",
                "language",
                "purpose",
                "specific_questions",
                "current_challenges",
                "expected_outcomes",
            ]
        ),
        hostile_text | st.dates().map(str),
        max_size=6,
    )
)
def test_fuzzed_booking_form_never_fails_with_a_server_error(client, student, mentor, data):
    url = reverse("sessions_app:book", args=[mentor.slug])
    assert client.get(url, data).status_code < 500
    assert client.post(url, data).status_code < 500


@pytest.fixture
def mentor(db):
    return mentor_with_weekly_hours()


def test_signing_in_with_a_nul_in_the_password_is_a_400(client):
    user = UserFactory()
    assert client.post(reverse("account_login"), {"login": user.email, "password": "x\x00"}).status_code == 400
