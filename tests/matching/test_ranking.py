import datetime as dt
import itertools

import pytest

from matching import ranking, scoring
from matching.models import MentorSearchDocument
from matching.selectors import SearchFilters, filter_options, mentor_facts, mentor_search_page
from tests.factories import listed_mentor

pytestmark = pytest.mark.django_db

AT = dt.datetime(2025, 7, 1, 6, 0, tzinfo=dt.UTC)

STUDENTS = [
    scoring.StudentFacts(
        primary_language="te",
        languages=frozenset({"te", "en"}),
        academic_level="school",
        fields=("Biology", "Exam preparation (boards, JEE, NEET, CUET…)"),
        career_goals=("Medicine and healthcare",),
        city="Hyderabad",
        state="Telangana",
        time_zone="Asia/Kolkata",
    ),
    scoring.StudentFacts(
        primary_language="ta",
        languages=frozenset({"hi"}),
        academic_level="college",
        fields=("Computer Science",),
        career_goals=("Software engineer", "Technology and software"),
        city="Chennai",
        state="Tamil Nadu",
        time_zone="Europe/London",
    ),
    scoring.StudentFacts(primary_language="en", languages=frozenset({"en"}), time_zone="Asia/Dubai"),
    scoring.StudentFacts(),
]


@pytest.fixture
def varied_mentors():
    shapes = [
        {"languages": ["te", "en"], "levels_served": ["school"], "specializations": ["NEET preparation"]},
        {"languages": ["hi", "te"], "levels_served": ["college"], "expertise_areas": ["Biology olympiad"]},
        {"languages": ["hi", "en"], "levels_served": ["school", "college"], "industry_focus": ["Healthcare"]},
        {"languages": ["ta"], "levels_served": ["college"], "specializations": ["Computer Science fundamentals"]},
        {"languages": ["en"], "levels_served": ["school"], "expertise_areas": ["Software engineering"]},
        {"languages": ["bn", "hi"], "levels_served": [], "specializations": []},
        {"languages": ["mr"], "levels_served": ["school"], "specializations": ["JEE Physics"]},
    ]
    places = [
        ("Hyderabad", "Telangana", "Asia/Kolkata"),
        ("Warangal", "telangana ", "Asia/Kolkata"),
        ("Chennai", "Tamil Nadu", "Asia/Kolkata"),
        ("London", "England", "Europe/London"),
        ("Dubai", "Dubai", "Asia/Dubai"),
        ("Seattle", "Washington", "America/Los_Angeles"),
    ]
    quality = [(4.9, 120, 30, 15), (3.2, 4, 2000, 2), (0, 0, None, 0), (4.4, 10, 60 * 23, 9)]
    mentors = []
    for index in range(14):
        shape, (city, state, zone) = shapes[index % len(shapes)], places[index % len(places)]
        average, count, response, years = quality[index % len(quality)]
        mentors.append(
            listed_mentor(
                languages=shape["languages"],
                city=city,
                state=state,
                time_zone=zone,
                levels_served=shape["levels_served"],
                specializations=shape.get("specializations", []),
                expertise_areas=shape.get("expertise_areas", []),
                industry_focus=shape.get("industry_focus", []),
                average_rating=average,
                rating_count=count,
                response_time_minutes=response,
                years_experience=years,
            )
        )
    return mentors


@pytest.mark.parametrize("student", STUDENTS, ids=["telugu-school", "tamil-college-abroad", "english-only", "blank"])
def test_sql_score_equals_python_score_for_every_mentor(varied_mentors, student):
    zones = set(MentorSearchDocument.objects.values_list("time_zone", flat=True))
    expression = ranking.compatibility_expression(student, mentor_time_zones=zones, at=AT)
    documents = MentorSearchDocument.objects.annotate(score=expression)
    assert documents.count() == len(varied_mentors)
    scores = set()
    for document in documents:
        python = scoring.compatibility(student, mentor_facts(document), at=AT).score
        assert document.score == pytest.approx(python, abs=1e-9), document.full_name
        scores.add(round(python, 6))
    # The sample is varied enough to tell mentors apart, so agreeing is not an accident of equal scores.
    assert len(scores) >= 4


def test_best_match_order_in_sql_follows_the_python_scores(varied_mentors):
    student = STUDENTS[0]
    zones = set(MentorSearchDocument.objects.values_list("time_zone", flat=True))
    expression = ranking.compatibility_expression(student, mentor_time_zones=zones, at=AT)
    ordered = list(MentorSearchDocument.objects.annotate(score=expression).order_by("-score", "mentor_id"))
    python = sorted(
        ordered, key=lambda doc: (-scoring.compatibility(student, mentor_facts(doc), at=AT).score, doc.mentor_id)
    )
    assert [doc.mentor_id for doc in ordered] == [doc.mentor_id for doc in python]


def test_search_pages_list_every_mentor_once_best_match_first(varied_mentors):
    student = STUDENTS[0]
    options = filter_options()
    pages = [
        mentor_search_page(filters=SearchFilters(), student=student, page=number, at=AT, options=options)
        for number in (1, 2)
    ]
    results = [result for page in pages for result in page.results]
    assert (pages[0].has_next, pages[1].has_next) == (True, False)
    assert sorted(result.document.mentor_id for result in results) == sorted(mentor.pk for mentor in varied_mentors)
    scores = [result.compatibility.score for result in results]
    assert all(earlier >= later - 1e-9 for earlier, later in itertools.pairwise(scores))
    assert scores[0] > scores[-1]
