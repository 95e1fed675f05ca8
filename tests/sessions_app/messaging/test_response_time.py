"""Response time (the median of a mentor's first replies over 90 days) and the public reliability figures."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from matching.selectors import profile_compatibility_context
from mentors.models import MentorProfile
from mentors.services import mentor_stats_refresh
from sessions_app.messaging import selectors, services
from sessions_app.models import Booking, MessageThread
from tests.factories import (
    BookingFactory,
    GroupSessionFactory,
    MentorProfileFactory,
    UserFactory,
    listed_mentor,
    student_with_profile,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def ask_and_reply(mentor, *, asked_days_ago: float, reply_after: dt.timedelta | None, student=None):
    """A new thread asked ``asked_days_ago`` before NOW and (maybe) answered ``reply_after`` later."""
    student = student or UserFactory()
    asked_at = NOW - dt.timedelta(days=asked_days_ago)
    question = services.thread_ask(student=student, mentor=mentor, text="Can you help?", now=asked_at)
    if reply_after is not None:
        access = selectors.get_thread_for_user(mentor, question.thread.uuid)
        services.message_send(access=access, text="Yes", now=asked_at + reply_after)
    return question


def minutes(mentor) -> int | None:
    return selectors.mentor_response_time_minutes(mentor_id=mentor.pk, now=NOW)


@pytest.fixture
def mentor(db):
    return MentorProfileFactory().user


def test_no_questions_means_no_response_time(mentor):
    assert minutes(mentor) is None


def test_the_median_of_first_replies(mentor):
    for hours in (1, 3, 20):
        ask_and_reply(mentor, asked_days_ago=10, reply_after=dt.timedelta(hours=hours))
    assert minutes(mentor) == 180


def test_an_even_count_takes_the_middle_pair_rounded_up_to_a_minute(mentor):
    for seconds in (30, 90):
        ask_and_reply(mentor, asked_days_ago=5, reply_after=dt.timedelta(seconds=seconds))
    assert minutes(mentor) == 1


def test_questions_asked_more_than_90_days_ago_do_not_count(mentor):
    ask_and_reply(mentor, asked_days_ago=91, reply_after=dt.timedelta(minutes=5))
    # Asked inside the window, answered only after a long while: it counts, with its full wait.
    ask_and_reply(mentor, asked_days_ago=89, reply_after=dt.timedelta(days=2))
    assert minutes(mentor) == 2 * 24 * 60


def test_unanswered_questions_count_once_they_waited_a_day(mentor):
    ask_and_reply(mentor, asked_days_ago=30, reply_after=dt.timedelta(minutes=10))
    ask_and_reply(mentor, asked_days_ago=0.25, reply_after=None)  # six hours: not yet slow, not counted
    assert minutes(mentor) == 10
    ask_and_reply(mentor, asked_days_ago=3, reply_after=None)
    ask_and_reply(mentor, asked_days_ago=4, reply_after=None)
    # Never answering does not look fast: 10 min, 3 days, 4 days → the median is the 3 days waited so far.
    assert minutes(mentor) == 3 * 24 * 60


def test_a_mentor_who_never_replies_gets_the_time_waited_so_far(mentor):
    ask_and_reply(mentor, asked_days_ago=2, reply_after=None)
    assert minutes(mentor) == 2 * 24 * 60


def test_later_messages_in_a_thread_open_no_new_wait(mentor):
    student = UserFactory()
    ask_and_reply(mentor, asked_days_ago=10, reply_after=dt.timedelta(hours=1), student=student)
    services.thread_ask(student=student, mentor=mentor, text="Thanks!", now=NOW - dt.timedelta(days=5))
    assert minutes(mentor) == 60


def test_a_bookings_questions_count_like_a_new_thread(mentor):
    student = UserFactory()
    ask_and_reply(mentor, asked_days_ago=20, reply_after=dt.timedelta(hours=1), student=student)
    booking = BookingFactory(
        student=student, session=GroupSessionFactory(mentor=mentor), specific_questions="Which book first?"
    )
    question = services.booking_question_post(booking_id=booking.pk, now=NOW - dt.timedelta(days=2))
    access = selectors.get_thread_for_user(mentor, question.thread.uuid)
    services.message_send(access=access, text="HC Verma", now=question.created_at + dt.timedelta(hours=5))
    # 1 h and 5 h: the median is 3 h.
    assert minutes(mentor) == 180


def test_a_question_hidden_by_moderation_does_not_count(mentor):
    spam = ask_and_reply(mentor, asked_days_ago=3, reply_after=None)
    services.direct_message_hide(message=spam)
    assert minutes(mentor) is None


def test_the_first_reply_refreshes_the_profile_and_the_daily_job_moves_the_window(
    mentor, django_capture_on_commit_callbacks
):
    student = UserFactory()
    question = services.thread_ask(student=student, mentor=mentor, text="Hi", now=NOW - dt.timedelta(hours=3))
    access = selectors.get_thread_for_user(mentor, question.thread.uuid)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(access=access, text="Hello!", now=NOW - dt.timedelta(hours=1))
    assert MentorProfile.objects.get(user=mentor).response_time_minutes == 120
    later = NOW + dt.timedelta(days=91)
    assert services.response_times_refresh(now=later) == 1
    # The refresh reads the clock itself; a question older than the window no longer counts.
    MessageThread.objects.all().update(created_at=NOW - dt.timedelta(days=100))
    question.thread.messages.update(created_at=NOW - dt.timedelta(days=100))
    services.response_times_refresh()
    assert MentorProfile.objects.get(user=mentor).response_time_minutes is None


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        (1, "Usually replies within 1 minute"),
        (45, "Usually replies within 45 minutes"),
        (60, "Usually replies within 1 hour"),
        (61, "Usually replies within 2 hours"),
        (180, "Usually replies within 3 hours"),
        (47 * 60, "Usually replies within 47 hours"),
        (49 * 60, "Usually replies within 3 days"),
    ],
)
def test_response_time_text(value, text):
    with translation.override("en"):
        assert selectors.response_time_text(value) == text


@pytest.mark.parametrize(
    "language, text",
    [("hi", "आमतौर पर 3 घंटों में जवाब देते हैं"), ("te", "సాధారణంగా 3 గంటల్లో జవాబిస్తారు")],
)
def test_response_time_text_is_translated(language, text, settings):
    from django.core.management import call_command

    call_command("compiletranslations", verbosity=0)  # the .mo files are not committed
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # Django reads the catalogues afresh
    with translation.override(language):
        assert selectors.response_time_text(180) == text


def test_repeat_student_share(mentor):
    returning, once = UserFactory(), UserFactory()
    for day, student in enumerate((returning, returning, once)):
        session = GroupSessionFactory(mentor=mentor, starts_at=NOW + dt.timedelta(days=3 + day))
        BookingFactory(session=session, student=student, status=Booking.Status.COMPLETED)
    assert selectors.mentor_repeat_student_percent(mentor_id=mentor.pk) == 50
    assert selectors.mentor_repeat_student_percent(mentor_id=UserFactory().pk) is None


def test_the_profile_shows_response_time_returning_students_and_no_shows_only_above_zero(
    client, django_assert_max_num_queries
):
    profile = MentorProfileFactory(response_time_minutes=180, repeat_student_percent=40, total_sessions=19)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("mentors:profile", args=[profile.slug])
    page = client.get(url).content.decode()
    assert "Usually replies within 3 hours" in page
    assert "40% booked again" in page
    assert 'data-testid="no-show-rate"' not in page
    MentorProfile.objects.filter(pk=profile.pk).update(no_show_count=1)
    page = client.get(url).content.decode()
    assert "5% of sessions" in page
    # The figures come from the profile row: no query of their own.
    with django_assert_max_num_queries(20):
        client.get(url)


def test_the_profile_offers_a_question_to_students_and_the_thread_once_it_exists(client):
    profile = MentorProfileFactory()
    student = UserFactory()
    client.force_login(student)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("mentors:profile", args=[profile.slug])
    assert reverse("sessions_app:message_ask", args=[profile.slug]) in client.get(url).content.decode()
    question = services.thread_ask(student=student, mentor=profile.user, text="Hi")
    assert reverse("sessions_app:message_thread", args=[question.thread.uuid]) in client.get(url).content.decode()


def test_the_compatibility_availability_component_uses_the_measured_response_time(
    rf, django_capture_on_commit_callbacks
):
    mentor_profile = listed_mentor()
    student = student_with_profile()
    request = rf.get("/")
    request.user = student

    def availability():
        return profile_compatibility_context(request, mentor_profile)["compatibility"].components["availability"]

    assert availability() == 0.5  # not measured yet: the seed's slow default
    question = services.thread_ask(student=UserFactory(), mentor=mentor_profile.user, text="Hi", now=NOW)
    access = selectors.get_thread_for_user(mentor_profile.user, question.thread.uuid)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(access=access, text="Hello", now=NOW + dt.timedelta(hours=2))
    assert availability() == 1.0
    compatibility = profile_compatibility_context(request, mentor_profile)["compatibility"]
    assert any(reason.component == "availability" for reason in compatibility.reasons)

    # A mentor who takes two days is slow again.
    slow = services.thread_ask(student=UserFactory(), mentor=mentor_profile.user, text="Hi", now=NOW)
    slow2 = services.thread_ask(student=UserFactory(), mentor=mentor_profile.user, text="Hi", now=NOW)
    for message in (slow, slow2):
        access = selectors.get_thread_for_user(mentor_profile.user, message.thread.uuid)
        with django_capture_on_commit_callbacks(execute=True):
            services.message_send(access=access, text="Sorry, late", now=NOW + dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        mentor_stats_refresh(mentor_id=mentor_profile.pk)
    assert availability() == 0.5
