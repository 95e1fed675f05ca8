import datetime as dt

import pytest

from matching.scoring import (
    WEIGHTS,
    MentorFacts,
    StudentFacts,
    compatibility,
    language_match,
    location_match,
    terms,
    time_zones_compatible,
)

AT = dt.datetime(2025, 1, 15, 6, 0, tzinfo=dt.UTC)
NAMES = {"te": "Telugu", "hi": "Hindi", "en": "English", "ta": "Tamil", "ml": "Malayalam"}


def student(**overrides):
    facts = {
        "primary_language": "te",
        "languages": frozenset({"en"}),
        "academic_level": "school",
        "fields": ("Biology", "Chemistry"),
        "career_goals": ("Medicine",),
        "city": "Hyderabad",
        "state": "Telangana",
        "time_zone": "Asia/Kolkata",
    }
    return StudentFacts(**{**facts, **overrides})


def mentor(**overrides):
    facts = {
        "primary_language": "hi",
        "languages": frozenset(),
        "levels_served": frozenset(),
        "specializations": (),
        "expertise_areas": (),
        "industry_focus": (),
        "city": "",
        "state": "",
        "time_zone": None,
        "average_rating": None,
        "response_time_hours": None,
        "experience_years": 0,
    }
    return MentorFacts(**{**facts, **overrides})


def test_weights_follow_the_seed_and_sum_to_one():
    assert WEIGHTS == {
        "language": 0.30,
        "academic_level": 0.25,
        "field": 0.20,
        "location": 0.10,
        "career_goals": 0.10,
        "rating": 0.03,
        "availability": 0.01,
        "experience": 0.01,
    }
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


# --- language: the five tiers of seed 000 §7.2


def test_same_primary_language_scores_one():
    assert language_match(student(), mentor(primary_language="te")) == (1.0, "te")


def test_mentor_speaking_the_students_primary_language_scores_point_nine():
    assert language_match(student(), mentor(primary_language="hi", languages=frozenset({"te"}))) == (0.9, "te")


def test_a_common_regional_language_scores_point_seven():
    learner = student(primary_language="ml", languages=frozenset({"hi", "en"}))
    assert language_match(learner, mentor(primary_language="hi", languages=frozenset({"en"}))) == (0.7, "hi")


def test_a_common_additional_language_of_both_scores_point_seven():
    learner = student(primary_language="ml", languages=frozenset({"ta"}))
    assert language_match(learner, mentor(primary_language="hi", languages=frozenset({"ta"}))) == (0.7, "ta")


def test_english_as_the_only_shared_language_scores_point_six():
    learner = student(primary_language="te", languages=frozenset({"en"}))
    assert language_match(learner, mentor(primary_language="hi", languages=frozenset({"en"}))) == (0.6, "en")


def test_english_as_the_mentors_primary_language_counts_for_the_english_tier():
    learner = student(primary_language="ta", languages=frozenset({"en"}))
    assert language_match(learner, mentor(primary_language="en")) == (0.6, "en")


def test_no_shared_language_scores_point_two():
    learner = student(primary_language="te", languages=frozenset())
    assert language_match(learner, mentor(primary_language="hi", languages=frozenset({"en"}))) == (0.2, None)


def test_student_without_a_primary_language_still_matches_on_spoken_languages():
    learner = student(primary_language=None, languages=frozenset({"hi"}))
    assert language_match(learner, mentor(primary_language="hi")) == (0.7, "hi")
    assert language_match(student(primary_language=None, languages=frozenset()), mentor()) == (0.2, None)


# --- the other components


def test_academic_level_counts_only_when_the_mentor_serves_the_students_level():
    served = compatibility(student(), mentor(levels_served=frozenset({"school"})), at=AT)
    other = compatibility(student(), mentor(levels_served=frozenset({"college"})), at=AT)
    unknown = compatibility(student(academic_level=None), mentor(levels_served=frozenset({"school"})), at=AT)
    assert (served.components["academic_level"], other.components["academic_level"]) == (1.0, 0.0)
    assert unknown.components["academic_level"] == 0.0
    assert "Teaches school students" in [reason.text for reason in served.reasons]


def test_field_matches_a_specialization_fully_and_an_expertise_area_by_half():
    learner = student(fields=("Physics", "Maths"))
    special = compatibility(learner, mentor(specializations=("JEE Physics",)), at=AT)
    expert = compatibility(learner, mentor(expertise_areas=("Physics olympiad coaching",)), at=AT)
    none = compatibility(learner, mentor(specializations=("Data Science",)), at=AT)
    assert (special.components["field"], expert.components["field"], none.components["field"]) == (1.0, 0.5, 0.0)
    assert "Specializes in JEE Physics" in [reason.text for reason in special.reasons]
    assert "Expert in Physics olympiad coaching" in [reason.text for reason in expert.reasons]


def test_generic_words_do_not_make_fields_match():
    learner = student(fields=("Exam preparation",))
    assert compatibility(learner, mentor(specializations=("NEET preparation",)), at=AT).components["field"] == 0.0


def test_career_goals_match_expertise_or_industry_focus():
    learner = student(career_goals=("Software engineering", "Product management"))
    by_expertise = compatibility(learner, mentor(expertise_areas=("Software architecture",)), at=AT)
    by_industry = compatibility(learner, mentor(industry_focus=("Product",)), at=AT)
    unrelated = compatibility(learner, mentor(expertise_areas=("Medicine",)), at=AT)
    assert by_expertise.components["career_goals"] == by_industry.components["career_goals"] == 1.0
    assert unrelated.components["career_goals"] == 0.0
    assert "Experience in Software architecture" in [reason.text for reason in by_expertise.reasons]


def test_location_prefers_same_city_then_same_state_then_a_nearby_time_zone():
    learner = student()
    assert location_match(learner, mentor(city="hyderabad", state="TELANGANA"), AT) == (1.0, "city")
    assert location_match(learner, mentor(city="Warangal", state="Telangana"), AT) == (0.7, "state")
    # A city of the same name in another state is not the same city.
    assert location_match(learner, mentor(city="Hyderabad", state="Sindh"), AT) == (0.0, None)
    assert location_match(learner, mentor(state="Dubai", time_zone="Asia/Dubai"), AT) == (0.3, "time_zone")
    assert location_match(learner, mentor(state="California", time_zone="America/Los_Angeles"), AT) == (0.0, None)


def test_time_zone_compatibility_follows_daylight_saving_time():
    # London is UTC+0 in January and UTC+1 in July: only in summer is it within 3 hours of Dubai (UTC+4 all year).
    july = dt.datetime(2025, 7, 15, 6, 0, tzinfo=dt.UTC)
    assert not time_zones_compatible("Europe/London", "Asia/Dubai", AT)
    assert time_zones_compatible("Europe/London", "Asia/Dubai", july)
    assert not time_zones_compatible(None, "Asia/Dubai", AT)


def test_quality_components_follow_the_seed():
    rated = compatibility(student(), mentor(average_rating=4.0, response_time_hours=3, experience_years=4), at=AT)
    slow = compatibility(student(), mentor(average_rating=None, response_time_hours=30, experience_years=25), at=AT)
    unknown = compatibility(student(), mentor(response_time_hours=None), at=AT)
    assert rated.components["rating"] == pytest.approx(0.8)
    assert rated.components["availability"] == 1.0
    assert rated.components["experience"] == pytest.approx(0.4)
    assert (slow.components["rating"], slow.components["availability"], slow.components["experience"]) == (0, 0.5, 1)
    assert unknown.components["availability"] == 0.5


def test_score_is_the_weighted_sum_of_the_components():
    learner = student()
    teacher = mentor(
        primary_language="hi",
        languages=frozenset({"te", "en"}),  # speaks the student's primary: 0.9
        levels_served=frozenset({"school"}),  # 1
        specializations=("NEET preparation", "Biology"),  # 1
        expertise_areas=("Medicine admissions",),  # goals: 1
        city="Warangal",
        state="Telangana",  # 0.7
        average_rating=4.6,  # 0.92
        response_time_hours=2,  # 1
        experience_years=7,  # 0.7
    )
    expected = 0.30 * 0.9 + 0.25 * 1 + 0.20 * 1 + 0.10 * 0.7 + 0.10 * 1 + 0.03 * 0.92 + 0.01 * 1 + 0.01 * 0.7
    result = compatibility(learner, teacher, at=AT, language_names=NAMES)
    assert result.score == pytest.approx(expected)
    assert result.percent == round(expected * 100) == 93


def test_reasons_are_readable_and_strongest_first():
    teacher = mentor(
        primary_language="te",
        levels_served=frozenset({"school"}),
        specializations=("NEET preparation", "Biology"),
        city="Hyderabad",
        state="Telangana",
        average_rating=4.8,
        response_time_hours=5,
        experience_years=12,
    )
    result = compatibility(student(fields=("NEET",)), teacher, at=AT, language_names=NAMES)
    assert [reason.text for reason in result.reasons] == [
        "Speaks Telugu",
        "Teaches school students",
        "Specializes in NEET preparation",
        "Same city",
        "Rated 4.8 out of 5",
        "Usually replies within a day",
        "12 years of experience",
    ]
    assert [reason.text for reason in result.top_reasons(2)] == ["Speaks Telugu", "Teaches school students"]


def test_weak_matches_give_a_low_score_and_no_flattering_reasons():
    learner = student(primary_language="ta", languages=frozenset(), fields=(), career_goals=(), state="", city="")
    result = compatibility(learner, mentor(primary_language="hi", average_rating=3.0, experience_years=1), at=AT)
    assert result.score == pytest.approx(0.30 * 0.2 + 0.03 * 0.6 + 0.01 * 0.5 + 0.01 * 0.1)
    assert result.reasons == ()


def test_terms_lower_case_split_and_drop_generic_words():
    assert terms(["JEE Physics & Maths", "Engineering entrance"]) == {"jee", "physics", "maths", "engineering"}
    assert terms(["Class 12 Chemistry"]) == {"12", "chemistry"}


def test_reasons_follow_the_active_language_whatever_was_asked_before():
    from django.utils import translation

    near = mentor(city="Hyderabad", state="Telangana", experience_years=6)
    texts = {}
    for language in ("en", "hi", "te", "hi", "en"):
        with translation.override(language):
            reasons = compatibility(student(), near, at=AT).reasons
            texts.setdefault(language, set()).add(tuple(reason.text for reason in reasons))
    assert texts["en"] == {("Same city", "6 years of experience")}
    assert texts["hi"] == {("एक ही शहर", "6 साल का अनुभव")}
    assert len(texts["te"]) == 1 and next(iter(texts["te"]))[0] == "అదే నగరం"
