"""Skill suggestions (seed 002 §6.3.1): terms counted from profiles, ranked for one user, served to the forms."""

import pytest
from django.urls import reverse
from django.utils import translation

from matching import selectors, suggestions
from matching.models import SuggestionPair, SuggestionTerm
from matching.services import suggestion_statistics_refresh
from tests.factories import MentorProfileFactory, listed_mentor, student_with_profile

pytestmark = pytest.mark.django_db

URL = reverse("matching:term_suggestions")


def _students(count, **profile):
    return [student_with_profile(**profile) for _ in range(count)]


def _suggest(user, vocabulary, text="", audience="student"):
    return selectors.term_suggestions(
        context=selectors.suggestion_context(user, audience), vocabulary=vocabulary, text=text
    )


def test_typed_terms_splits_finished_items_from_the_one_being_typed():
    assert suggestions.typed_terms("Robotics,  chess\nmach") == (["Robotics", "chess"], "mach")
    assert suggestions.typed_terms("Robotics, ") == (["Robotics"], "")
    assert suggestions.typed_terms("") == ([], "")


def test_terms_that_go_with_what_was_typed_come_first():
    _students(3, interests=["Robotics", "Electronics"])
    _students(3, interests=["Chess", "Debating"])
    _students(4, interests=["Debating"])
    suggestion_statistics_refresh()
    me = student_with_profile(interests=[])

    after_robotics = _suggest(me, "topics", "Robotics\n")

    assert after_robotics[0] == "Electronics"
    assert "Robotics" not in after_robotics
    # Without anything typed, the most common for the student's level comes first.
    assert _suggest(me, "topics")[0] == "Debating"


def test_a_term_only_a_few_students_typed_is_never_suggested_to_others():
    _students(2, interests=["My cousin Ravi's band"])
    listed_mentor(skills=["Public speaking"])
    suggestion_statistics_refresh()

    shown = _suggest(student_with_profile(interests=[]), "topics")

    assert "My cousin Ravi's band" not in shown
    assert "Public speaking" in shown
    assert not SuggestionTerm.objects.filter(key="my cousin ravi's band").exists()
    assert not SuggestionPair.objects.filter(other_key="my cousin ravi's band").exists()


def test_common_terms_follow_the_students_level_and_field():
    _students(3, interests=["Anatomy"], stream="science_pcb", class_grade=11, industries=["healthcare"])
    _students(5, interests=["Stock markets"], stream="commerce", class_grade=11, industries=["finance"])
    suggestion_statistics_refresh()
    biology_student = student_with_profile(
        interests=[], stream="science_pcb", class_grade=11, industries=["healthcare"]
    )

    assert _suggest(biology_student, "topics")[:2] == ["Anatomy", "Stock markets"]


def test_the_item_being_typed_filters_the_suggestions_by_english_key_or_translated_label():
    _students(3, subjects=["Mathematics", "Physics"])
    suggestion_statistics_refresh()
    me = student_with_profile(subjects=[])

    # Physics is what students take; the fixed list's Physical Education follows.
    assert _suggest(me, "subjects", "phy") == ["Physics", "Physical Education"]
    with translation.override("hi"):
        hindi = _suggest(me, "subjects", "गणि")
    assert hindi == ["गणित"]


def test_subjects_fall_back_to_the_fixed_list_before_any_data():
    me = student_with_profile(subjects=[], class_grade=8)

    assert "Mathematics" in _suggest(me, "subjects")


def test_mentor_suggestions_come_from_mentors_serving_the_same_levels():
    only = {"specializations": [], "subjects": []}
    listed_mentor(levels_served=["college"], expertise_areas=["System design"], skills=["Kubernetes"], **only)
    listed_mentor(levels_served=["school"], expertise_areas=["Board exams"], skills=["Kubernetes"], **only)
    suggestion_statistics_refresh()
    applicant = MentorProfileFactory(levels_served=["college"], expertise_areas=[], skills=[])

    shown = _suggest(applicant.user, "topics", audience="mentor")

    assert shown.index("System design") < shown.index("Board exams")
    assert _suggest(applicant.user, "topics", "Kubernetes, ", audience="mentor")[0] in {"System design", "Board exams"}


def test_refresh_replaces_the_counts_and_is_idempotent():
    _students(3, interests=["Robotics", "Chess"])
    first = suggestion_statistics_refresh()
    second = suggestion_statistics_refresh()

    assert first == second
    assert SuggestionTerm.objects.filter(key="robotics", level="", field="").get().uses == 3


def test_endpoint_renders_buttons_for_the_field_being_typed(client):
    _students(3, interests=["Robotics", "Electronics"])
    suggestion_statistics_refresh()
    client.force_login(student_with_profile(interests=[]))

    response = client.get(
        URL,
        {"vocabulary": "topics", "audience": "student", "field": "interests", "target": "id_interests",
         "interests": "Robotics\nel"},
        headers={"HX-Request": "true"},
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-suggest-term="Electronics"' in html
    assert 'data-suggest-target="id_interests"' in html
    assert "Robotics" not in html


def test_endpoint_renders_datalist_options(client):
    client.force_login(student_with_profile(subjects=[], class_grade=8))

    response = client.get(URL, {"vocabulary": "subjects", "audience": "student", "format": "options"})

    assert '<option value="Mathematics"></option>' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"vocabulary": "passwords", "audience": "student"},
        {"vocabulary": "topics", "audience": "admin"},
        {"vocabulary": "topics", "audience": "student", "target": '"><script>alert(1)</script>'},
        {"vocabulary": "topics", "audience": "student", "field": "a\x00b"},
    ],
)
def test_endpoint_refuses_bad_input_with_a_message(client, query):
    client.force_login(student_with_profile())

    response = client.get(URL, query)

    assert response.status_code == 400
    assert "<script>" not in response.content.decode()


def test_endpoint_needs_a_signed_in_user(client):
    response = client.get(URL, {"vocabulary": "topics", "audience": "student"})

    assert response.status_code == 302


def test_endpoint_reads_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    for index in range(20):
        _students(3, interests=[f"Topic {index}", "Robotics"])
    suggestion_statistics_refresh()
    client.force_login(student_with_profile(interests=[]))

    with django_assert_max_num_queries(8):
        client.get(URL, {"vocabulary": "topics", "audience": "student", "field": "interests", "interests": "Robotics,"})


def test_profile_forms_carry_the_suggestions_widget(client):
    student = student_with_profile(onboarding_step=6, onboarding_completed_at=None)
    client.force_login(student)

    html = client.get(reverse("accounts:onboarding_step", args=["interests"])).content.decode()

    assert 'id="id_interests-suggestions"' in html
    assert "&quot;vocabulary&quot;: &quot;topics&quot;" in html
