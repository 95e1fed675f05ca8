"""A mentor's profile page shows a signed-in student's compatibility (matching's provider for `mentors.hooks`)."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, listed_mentor, student_with_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def telugu_mentor():
    return listed_mentor(
        slug="ravi-kumar", languages=["te", "en"], levels_served=["school"], specializations=["NEET preparation"]
    )


def test_student_sees_score_and_reasons_on_the_profile(client, telugu_mentor):
    client.force_login(student_with_profile(languages=["te", "en"], academic_level="school", subjects=["NEET"]))
    response = client.get(reverse("mentors:profile", args=[telugu_mentor.slug]))
    compatibility = response.context["compatibility"]
    content = response.content.decode()
    assert [reason.text for reason in compatibility.reasons][:3] == [
        "Speaks Telugu",
        "Teaches school students",
        "Specializes in NEET preparation",
    ]
    assert f"{compatibility.percent}% match for you" in content
    assert "Speaks Telugu" in content


@pytest.mark.parametrize("viewer", ["visitor", "mentor"])
def test_no_score_for_visitors_or_mentors(client, telugu_mentor, viewer):
    if viewer == "mentor":
        client.force_login(UserFactory(role="mentor"))
    response = client.get(reverse("mentors:profile", args=[telugu_mentor.slug]))
    assert response.status_code == 200
    assert "compatibility" not in response.context
    assert "match for you" not in response.content.decode()
