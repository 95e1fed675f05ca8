"""After a session: reviews (once per booking, editable for 7 days), notes, tasks, milestones, progress."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentors.models import MentorProfile
from sessions_app.models import ProgressMilestone, Review
from sessions_app.room import feedback
from sessions_app.room.selectors import mentor_profile_reviews_context, mentor_reviews, student_progress
from tests.factories import BookingFactory, FollowUpTaskFactory, GroupSessionFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed_booking():
    return BookingFactory(status="completed", session=GroupSessionFactory(status="completed"))


def test_a_review_is_written_once_per_booking_in_the_sessions_language(
    completed_booking, django_capture_on_commit_callbacks
):
    student = completed_booking.student
    with django_capture_on_commit_callbacks(execute=True):
        review = feedback.review_submit(booking=completed_booking, student=student, rating=4, comment=" Helpful ")
    assert review.language == completed_booking.session.language
    assert review.comment == "Helpful" and review.mentor == completed_booking.session.mentor
    with pytest.raises(ValidationError) as error:
        feedback.review_submit(booking=completed_booking, student=student, rating=5)
    assert error.value.code == "exists"
    assert Review.objects.count() == 1


def test_the_mentors_rating_follows_the_reviews(completed_booking, django_capture_on_commit_callbacks):
    session = completed_booking.session
    other = BookingFactory(session=session, status="completed")
    with django_capture_on_commit_callbacks(execute=True):
        feedback.review_submit(booking=completed_booking, student=completed_booking.student, rating=5)
        review = feedback.review_submit(booking=other, student=other.student, rating=4)
    profile = MentorProfile.objects.get(user=session.mentor)
    assert (profile.average_rating, profile.rating_count) == (Decimal("4.50"), 2)
    with django_capture_on_commit_callbacks(execute=True):
        feedback.review_update(review=review, student=other.student, rating=2)
    profile.refresh_from_db()
    assert profile.average_rating == Decimal("3.50")


def test_only_the_student_of_a_completed_booking_reviews():
    confirmed = BookingFactory()
    with pytest.raises(ValidationError) as error:
        feedback.review_submit(booking=confirmed, student=confirmed.student, rating=5)
    assert error.value.code == "not_completed"
    done = BookingFactory(status="completed")
    with pytest.raises(ValidationError) as error:
        feedback.review_submit(booking=done, student=UserFactory(), rating=5)
    assert error.value.code == "forbidden"
    with pytest.raises(ValidationError):
        feedback.review_submit(booking=done, student=done.student, rating=6)


def test_a_review_can_be_edited_for_seven_days():
    review = ReviewFactory()
    six_days = review.created_at + dt.timedelta(days=6)
    feedback.review_update(review=review, student=review.student, rating=3, comment="Good", now=six_days)
    assert Review.objects.get(pk=review.pk).rating == 3
    with pytest.raises(ValidationError) as error:
        feedback.review_update(
            review=review, student=review.student, rating=1, now=review.created_at + dt.timedelta(days=7, seconds=1)
        )
    assert error.value.code == "locked"
    assert Review.objects.get(pk=review.pk).rating == 3


def test_reviews_for_the_profile_show_first_names_newest_first():
    older = ReviewFactory(created_at=timezone.now() - dt.timedelta(days=3))
    newer = ReviewFactory(
        booking__session__mentor=older.mentor,
        booking__session__starts_at=older.session.starts_at + dt.timedelta(days=1),
        comment="Great",
    )
    newer.student.full_name = "Kiran Kumar"
    newer.student.save(update_fields=["full_name"])
    profile = older.mentor.mentor_profile
    assert list(mentor_reviews(profile, limit=5)) == [newer, older]
    cards = mentor_profile_reviews_context(None, profile)["reviews"]
    assert (cards[0].author_name, cards[0].text, cards[0].rating) == ("Kiran", "Great", 5)


def test_notes_and_tasks_belong_to_the_mentor_and_tasks_to_their_student():
    booking = BookingFactory(status="completed")
    session, mentor, student = booking.session, booking.session.mentor, booking.student
    note = feedback.mentor_note_add(session=session, author=mentor, body="Revise torque", is_shared=True)
    assert note.is_shared
    with pytest.raises(ValidationError):
        feedback.mentor_note_add(session=session, author=student, body="Not mine", is_shared=False)
    with pytest.raises(ValidationError):
        feedback.follow_up_task_add(session=session, mentor=mentor, student_id=UserFactory().pk, title="x", due_on=None)
    task = feedback.follow_up_task_add(
        session=session, mentor=mentor, student_id=student.pk, title="HC Verma 5.1–5.10", due_on=None
    )
    with pytest.raises(ValidationError):
        feedback.follow_up_task_set_done(task=task, student=mentor, done=True)
    assert feedback.follow_up_task_set_done(task=task, student=student, done=True).is_done
    assert not feedback.follow_up_task_set_done(task=task, student=student, done=False).is_done


def test_milestones_come_from_the_student_or_one_of_their_mentors():
    booking = BookingFactory(status="completed")
    student, mentor = booking.student, booking.session.mentor
    mine = feedback.milestone_record(
        student=student, recorded_by=student, kind="exam", title="Scored 180 in JEE mock", next_steps=[" Rotation ", ""]
    )
    assert mine.mentor is None and mine.next_steps == ["Rotation"]
    theirs = feedback.milestone_record(
        student=student, recorded_by=mentor, kind="skill", title="Free-body diagrams", session=booking.session
    )
    assert theirs.mentor == mentor
    with pytest.raises(ValidationError) as error:
        feedback.milestone_record(student=student, recorded_by=UserFactory(), kind="skill", title="Sneaky")
    assert error.value.code == "forbidden"
    assert ProgressMilestone.objects.filter(student=student).count() == 2


def test_progress_counts_hours_of_completed_sessions_and_open_tasks(django_assert_max_num_queries):
    student = UserFactory()
    BookingFactory(student=student, status="completed")  # 90 minutes
    BookingFactory(student=student, status="confirmed")
    open_task = FollowUpTaskFactory(student=student)
    FollowUpTaskFactory(student=student, done_at=timezone.now())
    with django_assert_max_num_queries(3):
        progress = student_progress(student)
    assert progress.hours_learned == 1.5 and progress.sessions_completed == 1
    assert progress.tasks_due == [open_task]
