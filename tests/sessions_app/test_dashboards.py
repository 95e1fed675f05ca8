"""The dashboards' figures (sessions_app.dashboards.selectors) on known data, and both dashboard pages."""

import datetime as dt
import json
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.earnings import mentor_earnings_by_month
from payments.ledger import ledger_account
from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction
from sessions_app.dashboards.history import mentor_history_create
from sessions_app.dashboards.selectors import (
    mentor_dashboard,
    mentor_new_bookings,
    student_dashboard,
    week_start,
    week_streak,
)
from sessions_app.messaging.services import thread_ask
from sessions_app.models import Booking, ProgressMilestone
from tests.factories import (
    BookingFactory,
    FollowUpTaskFactory,
    GroupSessionFactory,
    MentorProfileFactory,
    ReviewFactory,
    UserFactory,
    language,
    student_with_profile,
)

pytestmark = pytest.mark.django_db

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
UTC = dt.UTC
# A Wednesday noon in Kolkata: the week began on Monday 2 March 2026 at 00:00 IST (Sunday 18:30 UTC).
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=KOLKATA)


@pytest.fixture
def english(client):
    client.cookies["peerlearn_language"] = "en"
    return client


@pytest.fixture
def mentor(db):
    return MentorProfileFactory(user__time_zone="Asia/Kolkata")


def held(mentor_user, starts_at, *students, status="completed", booking_status="completed", minutes=60, **fields):
    session = GroupSessionFactory(
        mentor=mentor_user,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        status=status,
        **fields,
    )
    for student in students:
        BookingFactory(
            session=session,
            student=student,
            status=booking_status,
            confirmed_at=starts_at - dt.timedelta(days=1),
        )
    return session


def earned(mentor_user, paise, at):
    """A release of `paise` to the mentor's payable account at `at` (balanced against escrow)."""
    txn = LedgerTransaction.objects.create(kind=LedgerTransaction.Kind.RELEASE)
    LedgerTransaction.objects.filter(pk=txn.pk).update(created_at=at)
    LedgerEntry.objects.create(
        transaction=txn, account=ledger_account(LedgerAccount.Kind.ESCROW, mentor_user), amount_paise=paise
    )
    LedgerEntry.objects.create(
        transaction=txn, account=ledger_account(LedgerAccount.Kind.MENTOR_PAYABLE, mentor_user), amount_paise=-paise
    )


# --- calendar cuts --------------------------------------------------------------------------------------------------


def test_week_starts_on_the_viewers_monday():
    sunday_night_utc = dt.datetime(2026, 3, 1, 19, 0, tzinfo=UTC)  # Monday 00:30 in Kolkata
    assert week_start(sunday_night_utc, KOLKATA) == dt.date(2026, 3, 2)
    assert week_start(sunday_night_utc, UTC) == dt.date(2026, 2, 23)


def test_week_streak_counts_back_from_this_or_last_week():
    monday = dt.date(2026, 3, 2)
    weeks = {monday - dt.timedelta(weeks=n) for n in (1, 2, 3, 5)}
    assert week_streak(weeks, monday) == 3  # this week has none yet: the streak ending last week still holds
    assert week_streak(weeks | {monday}, monday) == 4
    assert week_streak({monday - dt.timedelta(weeks=2)}, monday) == 0
    assert week_streak(set(), monday) == 0


# --- the mentor's figures ---------------------------------------------------------------------------------------------


def test_mentor_dashboard_with_no_data_is_all_zeros(mentor):
    board = mentor_dashboard(mentor, now=NOW, zone=KOLKATA)
    assert board.today == board.upcoming == board.new_bookings == []
    assert board.new_bookings_count == board.sessions_this_week == board.earnings_this_month_paise == 0
    assert board.active_students == board.repeat_students == board.students_total == board.student_no_shows == 0
    assert [month for month, _ in board.earnings_by_month] == [
        dt.date(2025, 10, 1),
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
    ]
    assert all(paise == 0 for _, paise in board.earnings_by_month)
    assert all(average is None and count == 0 for _, average, count in board.rating_by_month)
    assert len(board.sessions_by_week) == 12 and board.sessions_by_week[-1] == (dt.date(2026, 3, 2), 0)
    assert board.completeness.percent < 100 and board.completeness.gaps


def test_sessions_this_week_are_cut_at_the_viewers_midnight(mentor):
    user = mentor.user
    held(user, dt.datetime(2026, 3, 1, 23, 30, tzinfo=KOLKATA))  # Sunday night IST: last week
    held(user, dt.datetime(2026, 3, 2, 0, 30, tzinfo=KOLKATA))  # Monday 00:30 IST = Sunday 19:00 UTC: this week
    held(user, dt.datetime(2026, 3, 3, 10, 0, tzinfo=KOLKATA))
    held(user, dt.datetime(2026, 3, 3, 12, 0, tzinfo=KOLKATA), status="cancelled")  # not counted
    board = mentor_dashboard(mentor, now=NOW, zone=KOLKATA)
    assert board.sessions_this_week == 2
    assert board.sessions_by_week[-2:] == [(dt.date(2026, 2, 23), 1), (dt.date(2026, 3, 2), 2)]
    # A viewer in UTC puts the Monday 00:30 IST session in the week before.
    in_utc = mentor_dashboard(mentor, now=NOW, zone=UTC)
    assert in_utc.sessions_this_week == 1
    assert in_utc.sessions_by_week[-2:] == [(dt.date(2026, 2, 23), 2), (dt.date(2026, 3, 2), 1)]


def test_earnings_by_month_in_the_viewers_zone(mentor):
    user = mentor.user
    earned(user, 70_000, dt.datetime(2026, 2, 28, 20, 0, tzinfo=UTC))  # 1 March 01:30 IST
    earned(user, 35_000, dt.datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    earned(user, 14_000, dt.datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    earned(user, 99_000, dt.datetime(2025, 6, 10, 9, 0, tzinfo=UTC))  # before the six months shown
    # A payout moves money out of the payable account: it is not an earning (and not a loss of earnings).
    payout = LedgerTransaction.objects.create(kind=LedgerTransaction.Kind.PAYOUT)
    LedgerEntry.objects.create(
        transaction=payout,
        account=ledger_account(LedgerAccount.Kind.MENTOR_PAYABLE, user),
        amount_paise=100_000,
    )
    LedgerEntry.objects.create(
        transaction=payout, account=ledger_account(LedgerAccount.Kind.PAYOUTS_IN_TRANSIT), amount_paise=-100_000
    )
    board = mentor_dashboard(mentor, now=NOW, zone=KOLKATA)
    assert board.earnings_this_month_paise == 105_000
    assert dict(board.earnings_by_month)[dt.date(2026, 1, 1)] == 14_000
    assert dict(board.earnings_by_month)[dt.date(2026, 2, 1)] == 0
    since = dt.datetime(2026, 2, 1, tzinfo=UTC)
    assert mentor_earnings_by_month(user, since=since, zone=UTC) == {
        dt.date(2026, 2, 1): 70_000,
        dt.date(2026, 3, 1): 35_000,
    }


def test_students_ratings_no_shows_and_new_bookings(mentor):
    user = mentor.user
    regular, once, lapsed, absent = (UserFactory() for _ in range(4))
    held(user, NOW - dt.timedelta(days=200), regular, lapsed)
    held(user, NOW - dt.timedelta(days=150), lapsed)
    held(user, NOW - dt.timedelta(days=20), regular, once)
    held(user, NOW - dt.timedelta(days=10), absent, booking_status="no_show")
    later = held(user, NOW + dt.timedelta(days=2), regular, status="scheduled", booking_status="confirmed", capacity=5)
    Booking.objects.filter(session=later).update(confirmed_at=NOW - dt.timedelta(hours=3))
    ReviewFactory(
        booking=Booking.objects.get(student=regular, session__starts_at__lt=NOW - dt.timedelta(days=100)),
        rating=3,
        created_at=NOW - dt.timedelta(days=60),
    )
    for student, rating in ((regular, 5), (once, 4)):
        ReviewFactory(
            booking=Booking.objects.get(student=student, session__starts_at=NOW - dt.timedelta(days=20)),
            rating=rating,
            created_at=NOW - dt.timedelta(days=19),
        )
    board = mentor_dashboard(mentor, now=NOW, zone=KOLKATA)
    assert board.students_total == 3  # the no-show student never held a session
    assert board.repeat_students == 2  # regular (2 held) and lapsed (2 held)
    assert board.active_students == 2  # regular (booked for Friday) and once; lapsed last came 150 days ago
    assert board.student_no_shows == 1
    assert board.new_bookings_count == 1 and board.new_bookings[0].student == regular
    ratings = {month: (average, count) for month, average, count in board.rating_by_month}
    assert ratings[dt.date(2026, 2, 1)] == (4.5, 2)
    assert ratings[dt.date(2026, 1, 1)] == (3.0, 1)
    assert ratings[dt.date(2025, 12, 1)] == (None, 0)
    assert [s.pk for s in board.upcoming] == [later.pk] and board.today == []


def test_new_bookings_show_the_latest_five_and_count_them_all(mentor, django_assert_num_queries):
    session = GroupSessionFactory(mentor=mentor.user)
    for _ in range(7):
        BookingFactory(session=session, student=UserFactory())
    with django_assert_num_queries(1):
        shown, count = mentor_new_bookings(mentor.user, now=timezone.now())
    assert len(shown) == 5 and count == 7
    assert mentor_new_bookings(MentorProfileFactory().user, now=timezone.now()) == ([], 0)


def test_history_figures_are_cached_briefly_and_computed_without_the_cache(mentor, redis_down):
    held(mentor.user, NOW - dt.timedelta(days=1), UserFactory())
    assert mentor_dashboard(mentor, now=NOW, zone=KOLKATA).sessions_this_week == 1  # Redis down: computed


def test_history_figures_come_from_the_cache_until_it_expires(mentor, django_assert_max_num_queries):
    from django.core.cache import cache

    held(mentor.user, NOW - dt.timedelta(days=1), UserFactory())
    assert mentor_dashboard(mentor, now=NOW, zone=KOLKATA).sessions_this_week == 1
    held(mentor.user, NOW - dt.timedelta(hours=3), UserFactory())
    with django_assert_max_num_queries(6):  # sessions (+ their bookings), new bookings, profile, messages
        assert mentor_dashboard(mentor, now=NOW, zone=KOLKATA).sessions_this_week == 1
    cache.clear()  # as when HISTORY_CACHE_SECONDS have passed
    assert mentor_dashboard(mentor, now=NOW, zone=KOLKATA).sessions_this_week == 2


def test_todays_session_can_be_joined_when_its_room_opens(mentor, settings):
    now = timezone.now()
    soon = held(
        mentor.user,
        now + dt.timedelta(minutes=settings.ROOM_OPENS_MINUTES_BEFORE - 1),
        UserFactory(),
        status="scheduled",
        booking_status="confirmed",
    )
    board = mentor_dashboard(mentor, now=now, zone=timezone.get_default_timezone())
    listed = board.today or board.upcoming  # near local midnight the session may fall on tomorrow
    assert [s.pk for s in listed] == [soon.pk] and listed[0].can_join
    assert len(listed[0].confirmed) == 1


def test_messages_waiting_and_response_time(mentor, english):
    user = mentor.user
    asking = [student_with_profile() for _ in range(2)]
    for student in asking:
        thread_ask(student=student, mentor=user, text="Can you help me plan for JEE Advanced?")
    mentor.response_time_minutes = 150  # as the messaging stats provider stores it
    mentor.save(update_fields=["response_time_minutes"])
    board = mentor_dashboard(mentor, now=timezone.now(), zone=KOLKATA)
    assert board.messages_waiting == 2 and board.response_time_minutes == 150
    english.force_login(user)
    html = english.get(reverse("mentors:dashboard")).content.decode()
    assert 'data-testid="messages-waiting">2<' in html
    assert 'data-testid="response-time">Usually replies within 3 hours<' in html
    assert reverse("sessions_app:message_inbox") in html


def test_new_bookings_list_refreshes_on_the_booking_notification_event(english, mentor):
    english.force_login(mentor.user)
    html = english.get(reverse("mentors:dashboard")).content.decode()
    # The list is fetched again when mentor_dashboard.js turns a "sessions.booking_*" notification into this event.
    assert 'hx-get="' + reverse("sessions_app:mentor_new_bookings") + '"' in html
    assert 'hx-trigger="new-bookings:changed from:body"' in html and "js/mentor_dashboard.js" in html
    assert 'data-testid="response-time">–<' in html  # nothing measured yet


# --- the student's figures ------------------------------------------------------------------------------------------


def test_student_dashboard_with_no_data(db):
    student = student_with_profile()
    board = student_dashboard(student, now=NOW, zone=KOLKATA)
    assert board.streak_weeks == 0 and board.hours_this_week == 0
    assert len(board.hours_by_week) == 12 and all(hours == 0 for _, hours in board.hours_by_week)
    assert board.next_booking is None and board.next_goal == "" and board.activity == []


def test_student_hours_streak_goal_and_activity(mentor):
    student = student_with_profile()
    user = mentor.user
    # This week (Monday 00:30 IST is still Sunday in UTC), last week, the week before: a three-week streak.
    held(user, dt.datetime(2026, 3, 2, 0, 30, tzinfo=KOLKATA), student, minutes=90)
    held(user, dt.datetime(2026, 2, 25, 18, 0, tzinfo=KOLKATA), student)
    held(user, dt.datetime(2026, 2, 17, 18, 0, tzinfo=KOLKATA), student, minutes=120)
    held(user, dt.datetime(2026, 1, 20, 18, 0, tzinfo=KOLKATA), student)  # after a gap
    ProgressMilestone.objects.create(
        student=student,
        mentor=user,
        recorded_by=user,
        title="Finished kinematics",
        next_steps=["Rotational motion problems", "Mock test"],
        achieved_on=dt.date(2026, 2, 26),
    )
    board = student_dashboard(student, now=NOW, zone=KOLKATA)
    assert board.hours_this_week == 1.5
    assert board.hours_by_week[-3:] == [
        (dt.date(2026, 2, 16), 2.0),
        (dt.date(2026, 2, 23), 1.0),
        (dt.date(2026, 3, 2), 1.5),
    ]
    assert board.streak_weeks == 3
    assert board.next_goal == "Rotational motion problems"
    in_utc = student_dashboard(student, now=NOW, zone=UTC)
    # In UTC the Monday 00:30 IST session falls on Sunday: last week has two sessions, this week none, streak 2.
    assert in_utc.hours_this_week == 0 and in_utc.streak_weeks == 2
    assert in_utc.hours_by_week[-2:] == [(dt.date(2026, 2, 23), 2.5), (dt.date(2026, 3, 2), 0.0)]
    kinds = [event.kind for event in board.activity]
    assert "milestone" in kinds and kinds.count("completed") == 4


def test_student_activity_shows_finished_tasks_newest_first(mentor):
    student = student_with_profile()
    task = FollowUpTaskFactory(student=student, title="Revise Newton's laws")
    task.done_at = timezone.now() - dt.timedelta(hours=1)
    task.save(update_fields=["done_at"])
    booking = BookingFactory(student=student)
    board = student_dashboard(student, now=timezone.now(), zone=KOLKATA)
    assert [event.kind for event in board.activity] == ["booked", "task_done"]
    assert board.activity[1].title == "Revise Newton's laws"
    assert board.next_booking == booking and not board.next_can_join


# --- the pages ----------------------------------------------------------------------------------------------------


@pytest.fixture
def busy_mentor(mentor):
    """A mentor with a year of held sessions (three a week, four students each), reviews and earnings, plus a
    session today and new bookings."""
    students = [UserFactory() for _ in range(12)]
    mentor_history_create(mentor_user=mentor.user, students=students, language=language("en"), now=timezone.now())
    upcoming = GroupSessionFactory(mentor=mentor.user)
    for student in students[:3]:
        BookingFactory(session=upcoming, student=student)
    return mentor


def test_mentor_dashboard_page_with_a_year_of_data(english, busy_mentor, django_assert_max_num_queries):
    english.force_login(busy_mentor.user)
    with django_assert_max_num_queries(17):
        response = english.get(reverse("mentors:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    for testid in ("mentor-figures", "hosted-sessions", "new-bookings", "profile-completeness", "chart-earnings"):
        assert f'data-testid="{testid}"' in html
    assert "vendor/chart-4.5.1.umd.min.js" in html and "js/charts.js" in html
    assert 'id="table-earnings"' in html and 'id="table-sessions"' in html and 'id="table-rating"' in html
    specs = json.loads(html.split('<script id="mentor-charts" type="application/json">')[1].split("</script>")[0])
    assert [spec["id"] for spec in specs] == ["earnings", "sessions", "rating"]
    assert sum(specs[0]["datasets"][0]["data"]) > 0
    assert reverse("payments:earnings") in html
    assert html.count('data-testid="new-booking"') == 3


def chart_table_values(html, chart_id):
    table = html.split(f'id="table-{chart_id}"')[1].split("</table>")[0]
    return re.findall(r"<td>([^<]*)</td>", table)


def test_mentor_charts_follow_each_new_read_of_the_history(english, mentor):
    from django.core.cache import cache

    english.force_login(mentor.user)
    held(mentor.user, timezone.now() - dt.timedelta(hours=2), UserFactory())
    first = english.get(reverse("mentors:dashboard")).content.decode()
    assert chart_table_values(first, "sessions")[-1] == "1"
    held(mentor.user, timezone.now() - dt.timedelta(hours=3), UserFactory())
    cache.clear()  # as when HISTORY_CACHE_SECONDS have passed: the figures and their charts are read again
    again = english.get(reverse("mentors:dashboard")).content.decode()
    assert chart_table_values(again, "sessions")[-1] == "2"
    assert 'data-testid="sessions-this-week">2<' in again


def test_mentor_charts_are_cached_per_language(english, mentor):
    english.force_login(mentor.user)
    assert "Sessions per week" in english.get(reverse("mentors:dashboard")).content.decode()
    mentor.user.ui_language = "hi"
    mentor.user.save(update_fields=["ui_language"])
    html = english.get(reverse("mentors:dashboard")).content.decode()
    assert 'lang="hi"' in html and "Sessions per week" not in html


def test_mentor_dashboard_page_renders_its_charts_with_redis_down(english, busy_mentor, redis_down):
    english.force_login(busy_mentor.user)
    html = english.get(reverse("mentors:dashboard")).content.decode()
    assert 'id="table-earnings"' in html and '<script id="mentor-charts" type="application/json">' in html


def test_mentor_dashboard_htmx_status_partial(english, busy_mentor, django_assert_max_num_queries):
    english.force_login(busy_mentor.user)
    with django_assert_max_num_queries(8):
        response = english.get(reverse("mentors:dashboard"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="verification-status"' in html and "<html" not in html and "mentor-figures" not in html


def test_new_bookings_partial(english, busy_mentor, django_assert_max_num_queries):
    english.force_login(busy_mentor.user)
    with django_assert_max_num_queries(6):
        response = english.get(reverse("sessions_app:mentor_new_bookings"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.count('data-testid="new-booking"') == 3 and "3 bookings in the last 7 days" in html


def test_new_bookings_partial_is_for_mentors_only(english):
    english.force_login(student_with_profile())
    assert english.get(reverse("sessions_app:mentor_new_bookings")).status_code == 403


def test_student_dashboard_page(english, django_assert_max_num_queries):
    student = student_with_profile(user_fields={"date_of_birth": dt.date(2004, 1, 1)})
    mentor = MentorProfileFactory()
    mentor_history_create(
        mentor_user=mentor.user, students=[student], language=language("en"), now=timezone.now(), seats=1
    )
    BookingFactory(student=student)
    english.force_login(student)
    # As tests/accounts/test_dashboard_panels.py: the same count with a year of history as with none.
    with django_assert_max_num_queries(30):
        response = english.get(reverse("accounts:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    for testid in ("student-learning", "streak", "next-session", "next-goal", "activity", "chart-hours"):
        assert f'data-testid="{testid}"' in html
    assert 'id="table-hours"' in html and "js/charts.js" in html
    assert re.search(r'data-testid="streak">5[23] weeks<', html)  # a session every week for a year
