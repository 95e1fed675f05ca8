"""The recommender's components on small fixtures with known answers (no database: records in, rankings out)."""

import datetime as dt

import numpy as np
import pytest

from matching import scoring
from matching.recommender import hybrid
from matching.recommender.collaborative import CollaborativeModel
from matching.recommender.compatibility import compatibility_scores
from matching.recommender.content import ContentModel
from matching.recommender.features import Catalogue, Event, MentorRecord, StudentRecord, interaction_matrix
from matching.recommender.popularity import bayesian_ratings, popularity_scores

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def mentor(mentor_id, **fields):
    defaults = {
        "primary_language": "te",
        "languages": frozenset({"te", "en"}),
        "levels": frozenset({"school", "college"}),
        "state": "Telangana",
        "city": "Hyderabad",
        "listed_since": NOW - dt.timedelta(days=400),
    }
    return MentorRecord(id=mentor_id, **{**defaults, **fields})


def student(student_id, *, level="school", languages=("te", "en"), **fields):
    facts = fields.pop("facts", None) or scoring.StudentFacts(
        primary_language=languages[0],
        languages=frozenset(languages),
        academic_level=level,
        fields=tuple(fields.get("subjects", ())) + tuple(fields.get("interests", ())),
        state="Telangana",
        city="Hyderabad",
        time_zone="Asia/Kolkata",
    )
    return StudentRecord(id=student_id, facts=facts, **fields)


def top_ids(model, students, *, histories=None, dismissed=None, **options):
    lists = model.recommend(students, histories=histories or {}, dismissed=dismissed or {}, at=NOW, **options)
    return {student_id: [item.mentor_id for item in items] for student_id, items in lists.items()}


# --- content ------------------------------------------------------------------------------------------------------


def test_school_science_means_board_science_not_data_science():
    catalogue = Catalogue(
        [
            mentor(1, specializations=("Data Science", "Machine Learning"), levels=frozenset({"college"})),
            mentor(2, specializations=("CBSE Class 10 Physics", "Chemistry for boards"), subjects=("Physics",)),
            mentor(3, specializations=("UPSC Civil Services",), levels=frozenset({"college"})),
        ]
    )
    model = ContentModel(catalogue)
    class_10 = student(1, subjects=("Science", "Mathematics"), class_grade=10)
    scores = model.scores([class_10])[0]
    assert scores[1] > scores[0]
    assert scores[0] < 0.05


def test_informative_terms_outweigh_common_ones():
    common = "Exam preparation and career guidance for students"
    catalogue = Catalogue(
        [mentor(index, bio=common, specializations=("Career counselling",)) for index in range(1, 25)]
        + [mentor(30, bio=common, specializations=("NEET Biology",), subjects=("Biology",))]
    )
    model = ContentModel(catalogue)
    neet = student(1, interests=("NEET biology", "exam preparation"), class_grade=12, stream="science_pcb")
    scores = model.scores([neet])[0]
    assert int(np.argmax(scores)) == catalogue.index[30]


def test_mentors_outside_the_students_level_keep_a_fraction_of_their_similarity():
    catalogue = Catalogue(
        [
            mentor(1, specializations=("Python programming",), levels=frozenset({"college"})),
            mentor(2, specializations=("Python programming",), levels=frozenset({"school"})),
        ]
    )
    scores = ContentModel(catalogue).scores([student(1, interests=("Python programming",))])[0]
    assert scores[0] == pytest.approx(scores[1] * 0.3, rel=1e-4)


# --- compatibility --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "student_fields",
    [
        {"languages": ("te", "en"), "level": "school"},
        {"languages": ("hi",), "level": "college"},
        {"languages": ("en", "ta"), "level": "school"},
    ],
)
def test_vectorised_compatibility_equals_the_scoring_module(student_fields):
    mentors = [
        mentor(1, specializations=("JEE Physics",), expertise=("Software Engineering",), average_rating=4.6,
               rating_count=10, response_minutes=60, years_experience=12),
        mentor(2, primary_language="hi", languages=frozenset({"hi"}), levels=frozenset({"college"}), state="Delhi",
               city="New Delhi", industry_focus=("Technology",)),
        mentor(3, primary_language="ta", languages=frozenset({"ta", "en"}), state="Tamil Nadu", city="Chennai",
               time_zone="Asia/Colombo", expertise=("Physics",), years_experience=3),
        mentor(4, primary_language="en", languages=frozenset({"en"}), time_zone="America/New_York"),
    ]  # fmt: skip
    catalogue = Catalogue(mentors)
    facts = scoring.StudentFacts(
        primary_language=student_fields["languages"][0],
        languages=frozenset(student_fields["languages"]),
        academic_level=student_fields["level"],
        fields=("Physics", "Mathematics"),
        career_goals=("Technology and software",),
        city="Hyderabad",
        state="Telangana",
        time_zone="Asia/Kolkata",
    )
    vectorised = compatibility_scores(facts, catalogue, NOW)
    expected = [scoring.compatibility(facts, m.facts(), at=NOW).score for m in mentors]
    assert vectorised == pytest.approx(expected)


# --- collaborative --------------------------------------------------------------------------------------------------


def test_mentors_booked_together_are_recommended_together():
    catalogue = Catalogue([mentor(index) for index in range(1, 6)])
    students = [student(index) for index in range(1, 5)]
    events = [
        Event(1, 1, "booking", NOW), Event(1, 2, "booking", NOW),
        Event(2, 1, "booking", NOW), Event(2, 2, "booking", NOW),
        Event(3, 3, "booking", NOW), Event(3, 4, "booking", NOW),
        Event(4, 1, "booking", NOW),
    ]  # fmt: skip
    index = {s.id: row for row, s in enumerate(students)}
    feedback = interaction_matrix(events, index, catalogue)
    model = CollaborativeModel(feedback, students)
    scores = model.item_scores(feedback[3])[0]
    assert int(np.argmax(scores)) == catalogue.index[2]
    assert scores[catalogue.index[3]] == 0


def test_students_with_the_same_goals_point_a_newcomer_to_what_they_booked():
    catalogue = Catalogue([mentor(index, specializations=("Mentoring",)) for index in range(1, 4)])
    students = [
        student(1, interests=("robotics arduino",)),
        student(2, interests=("robotics drones",)),
        student(3, interests=("painting watercolour",)),
    ]
    events = [Event(1, 2, "booking", NOW), Event(2, 2, "booking", NOW), Event(3, 3, "booking", NOW)]
    feedback = interaction_matrix(events, {s.id: row for row, s in enumerate(students)}, catalogue)
    model = CollaborativeModel(feedback, students)
    scores = model.profile_scores([student(9, interests=("robotics",))])[0]
    assert int(np.argmax(scores)) == catalogue.index[2]


def test_a_low_rating_cancels_the_booking_signal():
    catalogue = Catalogue([mentor(1), mentor(2)])
    events = [Event(1, 1, "booking", NOW), Event(1, 1, "rating", NOW, 1), Event(1, 2, "booking", NOW)]
    feedback = interaction_matrix(events, {1: 0}, catalogue).toarray()
    assert feedback[0, 0] == 0
    assert feedback[0, 1] > 0


# --- popularity -----------------------------------------------------------------------------------------------------


def test_two_lucky_five_star_ratings_do_not_outrank_two_hundred_good_ones():
    catalogue = Catalogue(
        [mentor(1, average_rating=5.0, rating_count=2), mentor(2, average_rating=4.8, rating_count=200)]
    )
    ratings = bayesian_ratings(catalogue)
    assert ratings[1] > ratings[0]


def test_recent_bookings_count_more_than_old_ones():
    catalogue = Catalogue([mentor(1), mentor(2)])
    events = [Event(s, 1, "booking", NOW - dt.timedelta(days=300)) for s in range(3)]
    events += [Event(s, 2, "booking", NOW - dt.timedelta(days=2)) for s in range(3)]
    scores = popularity_scores(catalogue, events, NOW)
    assert scores[1] > scores[0]


# --- hybrid: hard rules, diversity, exploration, reasons --------------------------------------------------------


def test_no_mentor_without_a_shared_language_while_five_who_share_one_are_available():
    sharing = [mentor(index, primary_language="te", languages=frozenset({"te"})) for index in range(1, 6)]
    others = [
        mentor(index, primary_language="ta", languages=frozenset({"ta"}), average_rating=5.0, rating_count=300,
               specializations=("Robotics",))
        for index in range(10, 20)
    ]  # fmt: skip
    model = hybrid.HybridModel(Catalogue(sharing + others), [], [], NOW)
    telugu = student(1, languages=("te",), interests=("Robotics",))
    assert set(top_ids(model, [telugu])[1]) == {1, 2, 3, 4, 5}

    # With fewer than five sharing a language, the others may fill the list.
    fewer = hybrid.HybridModel(Catalogue(sharing[:4] + others), [], [], NOW)
    assert set(top_ids(fewer, [telugu])[1]) > {1, 2, 3, 4}


def test_not_interested_and_booked_mentors_are_never_recommended():
    model = hybrid.HybridModel(Catalogue([mentor(index) for index in range(1, 8)]), [], [], NOW)
    someone = student(1)
    ids = top_ids(model, [someone], dismissed={1: {3}}, histories={1: [Event(1, 5, "booking", NOW)]})[1]
    assert 3 not in ids
    assert 5 not in ids
    assert len(ids) == 5


def test_diversity_reranking_breaks_up_a_top_five_of_one_specialization():
    same = [
        mentor(index, specializations=("JEE Physics",), subjects=("Physics",), bio="JEE physics mechanics")
        for index in range(1, 8)
    ]
    different = mentor(20, specializations=("Olympiad Physics",), subjects=("Astronomy",), bio="Olympiad problems")
    model = hybrid.HybridModel(Catalogue([*same, different]), [], [], NOW)
    physics = student(1, interests=("JEE physics mechanics",), class_grade=12)
    plain = top_ids(model, [physics], diversify=False, explore=False)[1]
    diverse = top_ids(model, [physics], explore=False)[1]
    assert 20 not in plain[:5]
    assert 20 in diverse[:5]


def test_a_new_mentor_who_fits_gets_a_bounded_place_near_the_top():
    established = [
        mentor(index, specializations=("JEE Physics",), average_rating=4.9, rating_count=100) for index in range(1, 20)
    ]
    new = mentor(50, specializations=("JEE Physics",), listed_since=NOW - dt.timedelta(days=3))
    unfit = mentor(
        60, specializations=("Painting",), primary_language="ta", languages=frozenset({"ta"}),
        levels=frozenset({"college"}), listed_since=NOW - dt.timedelta(days=3),
    )  # fmt: skip
    model = hybrid.HybridModel(Catalogue([*established, new, unfit]), [], [], NOW)
    items = model.recommend([student(1, interests=("JEE Physics",))], histories={}, dismissed={}, at=NOW)[1]
    ids = [item.mentor_id for item in items]
    assert ids.index(50) <= hybrid.EXPLORATION_RANKS[0] - 1
    assert {"code": "new_mentor"} in items[ids.index(50)].reasons
    assert 60 not in ids[: max(hybrid.EXPLORATION_RANKS)]


def test_reasons_come_from_the_component_that_drove_the_rank():
    catalogue = Catalogue(
        [
            mentor(1, specializations=("NEET Biology",), subjects=("Biology",)),
            mentor(2, specializations=("Spoken English",)),
        ]
    )
    model = hybrid.HybridModel(catalogue, [], [], NOW)
    neet = student(1, interests=("NEET Biology",), class_grade=12)
    items = model.recommend([neet], histories={}, dismissed={}, at=NOW, weights={"content": 1.0})[1]
    assert items[0].mentor_id == 1
    assert items[0].reasons[0] == {"code": "helps_with", "topic": "NEET Biology"}
    assert {"code": "speaks", "language": "te"} in items[0].reasons
