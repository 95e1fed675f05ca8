"""Reads for the two dashboards (seed 002 §13.1): a mentor's business and a student's progress.

Every figure is a grouped or conditional aggregate in SQL (weeks and months cut in the viewer's zone by
`TruncWeek`/`TruncMonth`), so a dashboard costs the same number of queries with a week of history as with years.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Prefetch, Q, Sum, Window
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from accounts.models import User
from mentors.models import MentorProfile
from mentors.selectors import ProfileCompleteness, mentor_profile_completeness
from payments.earnings import mentor_earnings_by_month
from sessions_app.messaging.selectors import unread_thread_count
from sessions_app.models import Booking, FollowUpTask, ProgressMilestone, Review, Session
from sessions_app.room.selectors import StudentProgress, student_progress
from sessions_app.selectors import student_upcoming_bookings

WEEKS_SHOWN = 12
MONTHS_SHOWN = 6
# A student counts as active for a mentor with a booked or held session in this many days (or one still to come).
ACTIVE_STUDENT_DAYS = 90
NO_SHOW_DAYS = 90
NEW_BOOKING_DAYS = 7
NEW_BOOKINGS_SHOWN = 5
UPCOMING_DAYS = 14
UPCOMING_SHOWN = 8
ACTIVITY_SHOWN = 8
# A week streak is counted over at most this many weeks of history (ten years).
STREAK_WEEKS_READ = 520


# --- calendar cuts in the viewer's zone -----------------------------------------------------------------------------


def week_start(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The Monday of the week `moment` falls in, in `zone` (what `TruncWeek` gives in SQL)."""
    day = timezone.localtime(moment, zone).date()
    return day - dt.timedelta(days=day.weekday())


def month_start(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return timezone.localtime(moment, zone).date().replace(day=1)


def recent_weeks(now: dt.datetime, zone: dt.tzinfo, count: int) -> list[dt.date]:
    """The Mondays of the last `count` weeks, oldest first, the current week last."""
    this_week = week_start(now, zone)
    return [this_week - dt.timedelta(weeks=back) for back in range(count - 1, -1, -1)]


def recent_months(now: dt.datetime, zone: dt.tzinfo, count: int) -> list[dt.date]:
    """The first days of the last `count` months, oldest first, the current month last."""
    months = [month_start(now, zone)]
    while len(months) < count:
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return months[::-1]


def _local_midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def _by_period(rows, key: str, value: str, zone: dt.tzinfo) -> dict:
    """Rows of a `Trunc…(…, tzinfo=zone)` grouping as {local date: value}."""
    return {timezone.localtime(row[key], zone).date(): row[value] for row in rows}


def room_is_open(session: Session, now: dt.datetime) -> bool:
    """Whether a Join button leads into the room now: from `ROOM_OPENS_MINUTES_BEFORE` before the start until the
    end (the room's own check, `room_access_check`, also lets latecomers in during the grace period)."""
    return session.starts_at - dt.timedelta(minutes=settings.ROOM_OPENS_MINUTES_BEFORE) <= now < session.ends_at


# --- the mentor's dashboard ------------------------------------------------------------------------------------------


@dataclass
class MentorDashboard:
    today: Sequence[Session]
    upcoming: Sequence[Session]
    new_bookings: Sequence[Booking]
    new_bookings_count: int
    earnings_this_month_paise: int
    earnings_by_month: list[tuple[dt.date, int]]
    rating_by_month: list[tuple[dt.date, float | None, int]]
    sessions_by_week: list[tuple[dt.date, int]]
    sessions_this_week: int
    active_students: int
    repeat_students: int
    students_total: int
    student_no_shows: int
    history_computed_at: dt.datetime
    completeness: ProfileCompleteness
    average_rating: float
    rating_count: int
    mentor_no_shows: int
    messages_waiting: int
    response_time_minutes: int | None


def mentor_new_bookings(mentor_user: User, *, now: dt.datetime) -> tuple[Sequence[Booking], int]:
    """Bookings confirmed in the last `NEW_BOOKING_DAYS` days, newest first (at most `NEW_BOOKINGS_SHOWN`), and
    how many there were."""
    recent = Booking.objects.filter(
        session__mentor=mentor_user,
        status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED],
        confirmed_at__gte=now - dt.timedelta(days=NEW_BOOKING_DAYS),
    )
    # The count over all of them rides along on each row (a window over the filtered rows, before the LIMIT).
    shown = list(
        recent.select_related("student", "session__language")
        .annotate(recent_total=Window(Count("pk")))
        .order_by("-confirmed_at", "-pk")[:NEW_BOOKINGS_SHOWN]
    )
    return shown, shown[0].recent_total if shown else 0


def _hosted_sessions(
    mentor_user: User, *, now: dt.datetime, zone: dt.tzinfo
) -> tuple[Sequence[Session], Sequence[Session]]:
    """(today's, later) sessions still to end in the next `UPCOMING_DAYS` days, each with its confirmed bookings
    (`confirmed`, students loaded) and whether its room is open now (`can_join`)."""
    sessions = list(
        Session.objects.filter(
            mentor=mentor_user,
            status__in=Session.OCCUPYING_STATUSES,
            ends_at__gt=now,
            starts_at__lt=now + dt.timedelta(days=UPCOMING_DAYS),
        )
        .select_related("language")
        .prefetch_related(
            Prefetch(
                "bookings",
                queryset=Booking.objects.filter(status=Booking.Status.CONFIRMED).select_related("student"),
                to_attr="confirmed",
            )
        )
        .order_by("starts_at", "pk")[:UPCOMING_SHOWN]
    )
    today = timezone.localtime(now, zone).date()
    for session in sessions:
        session.can_join = room_is_open(session, now)  # type: ignore[attr-defined]  # read by the template
    today_sessions = [s for s in sessions if timezone.localtime(s.starts_at, zone).date() <= today]
    return today_sessions, [s for s in sessions if s not in today_sessions]


@dataclass(frozen=True)
class MentorHistory:
    """The mentor's figures over months and weeks: they change with sessions held, reviews and earnings, not from
    one minute to the next, so they are cached briefly (`HISTORY_CACHE_SECONDS`)."""

    earnings_by_month: list[tuple[dt.date, int]]
    rating_by_month: list[tuple[dt.date, float | None, int]]
    sessions_by_week: list[tuple[dt.date, int]]
    active_students: int
    repeat_students: int
    students_total: int
    student_no_shows: int
    # When these figures were read: what is rendered from them (the charts' HTML) is cached under this moment.
    computed_at: dt.datetime


# How stale the history figures may be: a session held, a review or an earning shows within two minutes. Today's
# sessions, new bookings and messages are read fresh on every request.
HISTORY_CACHE_SECONDS = 120


def mentor_history(mentor_user: User, *, now: dt.datetime, zone: dt.tzinfo) -> MentorHistory:
    """`MentorHistory` from the cache (per mentor, zone and local day), or computed in five queries and stored.
    Without the cache (Redis down) it is simply computed."""
    key = f"dashboard:mentor-history:v2:{mentor_user.pk}:{zone}:{timezone.localtime(now, zone).date()}"
    history = cache.get(key)
    if history is None:
        history = _mentor_history(mentor_user, now=now, zone=zone)
        cache.set(key, history, HISTORY_CACHE_SECONDS)
    return history


def _mentor_history(user: User, *, now: dt.datetime, zone: dt.tzinfo) -> MentorHistory:
    months = recent_months(now, zone, MONTHS_SHOWN)
    earnings = mentor_earnings_by_month(user, since=_local_midnight(months[0], zone), zone=zone)
    rating_rows = list(
        Review.objects.filter(mentor=user, hidden_at__isnull=True, created_at__gte=_local_midnight(months[0], zone))
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month")
        .annotate(average=Avg("rating"), count=Count("pk"))
    )
    rating_by = {timezone.localtime(r["month"], zone).date(): (r["average"], r["count"]) for r in rating_rows}

    weeks = recent_weeks(now, zone, WEEKS_SHOWN)
    held = _by_period(
        Session.objects.filter(
            mentor=user,
            status__in=[Session.Status.COMPLETED, *Session.OCCUPYING_STATUSES],
            starts_at__gte=_local_midnight(weeks[0], zone),
            starts_at__lt=_local_midnight(weeks[-1] + dt.timedelta(weeks=1), zone),
        )
        .annotate(week=TruncWeek("starts_at", tzinfo=zone))
        .values("week")
        .annotate(count=Count("pk")),
        "week",
        "count",
        zone,
    )

    bookings = Booking.objects.filter(session__mentor=user)
    no_shows = bookings.filter(
        status=Booking.Status.NO_SHOW, session__starts_at__gte=now - dt.timedelta(days=NO_SHOW_DAYS)
    ).count()
    # Per student: sessions held and the latest booked start; then counted over students, all in one query.
    students = (
        bookings.filter(status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED])
        .values("student")
        .annotate(held=Count("pk", filter=Q(status=Booking.Status.COMPLETED)), latest=Max("session__starts_at"))
        .aggregate(
            total=Count("student"),
            repeat=Count("student", filter=Q(held__gte=2)),
            active=Count("student", filter=Q(latest__gte=now - dt.timedelta(days=ACTIVE_STUDENT_DAYS))),
        )
    )
    return MentorHistory(
        earnings_by_month=[(month, earnings.get(month, 0)) for month in months],
        rating_by_month=[
            (month, round(float(rating_by[month][0]), 2), rating_by[month][1])
            if month in rating_by
            else (month, None, 0)
            for month in months
        ],
        sessions_by_week=[(week, held.get(week, 0)) for week in weeks],
        active_students=students["active"],
        repeat_students=students["repeat"],
        students_total=students["total"],
        student_no_shows=no_shows,
        computed_at=now,
    )


def mentor_dashboard(mentor: MentorProfile, *, now: dt.datetime, zone: dt.tzinfo) -> MentorDashboard:
    """Everything the mentor's dashboard shows, in a fixed number of queries: five for today's and upcoming
    sessions, new bookings, messages and the profile, and five more for the history when it is not cached."""
    user = mentor.user
    today, upcoming = _hosted_sessions(user, now=now, zone=zone)
    new_bookings, new_count = mentor_new_bookings(user, now=now)
    history = mentor_history(user, now=now, zone=zone)
    return MentorDashboard(
        today=today,
        upcoming=upcoming,
        new_bookings=new_bookings,
        new_bookings_count=new_count,
        earnings_this_month_paise=history.earnings_by_month[-1][1],
        earnings_by_month=history.earnings_by_month,
        rating_by_month=history.rating_by_month,
        sessions_by_week=history.sessions_by_week,
        sessions_this_week=history.sessions_by_week[-1][1],
        active_students=history.active_students,
        repeat_students=history.repeat_students,
        students_total=history.students_total,
        student_no_shows=history.student_no_shows,
        history_computed_at=history.computed_at,
        completeness=mentor_profile_completeness(mentor),
        average_rating=float(mentor.average_rating),
        rating_count=mentor.rating_count,
        mentor_no_shows=mentor.no_show_count,
        messages_waiting=unread_thread_count(user),
        # Measured by the messaging stats provider (median first reply over 90 days) and stored on the profile.
        response_time_minutes=mentor.response_time_minutes,
    )


# --- the student's dashboard -----------------------------------------------------------------------------------------


@dataclass
class Activity:
    kind: str  # booked, completed, cancelled, milestone, task_done
    at: dt.datetime
    title: str
    booking: Booking | None = None


@dataclass
class StudentDashboard:
    progress: StudentProgress
    hours_by_week: list[tuple[dt.date, float]]
    hours_this_week: float
    streak_weeks: int
    next_booking: Booking | None
    next_can_join: bool
    next_goal: str
    next_goal_from: ProgressMilestone | None
    activity: list[Activity] = field(default_factory=list)


def _duration() -> ExpressionWrapper:
    return ExpressionWrapper(F("session__ends_at") - F("session__starts_at"), output_field=DurationField())


def week_streak(weeks_with_sessions: set[dt.date], this_week: dt.date) -> int:
    """Consecutive weeks with a completed session, ending this week, or last week while this one has none yet (a
    streak is not broken until a whole week passes without learning)."""
    week = this_week if this_week in weeks_with_sessions else this_week - dt.timedelta(weeks=1)
    streak = 0
    while week in weeks_with_sessions:
        streak += 1
        week -= dt.timedelta(weeks=1)
    return streak


def student_activity(student: User, *, milestones: list[ProgressMilestone], zone: dt.tzinfo) -> list[Activity]:
    """The student's latest bookings, completed sessions, cancellations, milestones and finished tasks, newest
    first (two queries; milestones come from the progress panel's read)."""
    events: list[Activity] = []
    bookings = (
        Booking.objects.filter(student=student, confirmed_at__isnull=False)
        .select_related("session__mentor")
        .order_by("-updated_at", "-pk")[:ACTIVITY_SHOWN]
    )
    for booking in bookings:
        if booking.status == Booking.Status.COMPLETED:
            events.append(Activity("completed", booking.completed_at or booking.session.ends_at, "", booking))
        elif booking.status in (Booking.Status.CANCELLED, Booking.Status.REFUNDED) and booking.cancelled_at:
            events.append(Activity("cancelled", booking.cancelled_at, "", booking))
        elif booking.confirmed_at:  # always, by the filter above
            events.append(Activity("booked", booking.confirmed_at, "", booking))
    for task in FollowUpTask.objects.filter(student=student, done_at__isnull=False).order_by("-done_at")[
        :ACTIVITY_SHOWN
    ]:
        if task.done_at:  # always, by the filter above
            events.append(Activity("task_done", task.done_at, task.title))
    for milestone in milestones:
        # A milestone carries a day, not a moment: placed at that day's end in the student's zone.
        at = dt.datetime.combine(milestone.achieved_on, dt.time(23, 59), tzinfo=zone)
        events.append(Activity("milestone", at, milestone.title))
    events.sort(key=lambda event: event.at, reverse=True)
    return events[:ACTIVITY_SHOWN]


def student_dashboard(student: User, *, now: dt.datetime, zone: dt.tzinfo) -> StudentDashboard:
    """Everything the student's learning panel shows, in a fixed number of queries."""
    progress = student_progress(student)
    weekly = _by_period(
        Booking.objects.filter(student=student, status=Booking.Status.COMPLETED)
        .annotate(week=TruncWeek("session__starts_at", tzinfo=zone))
        .values("week")
        .annotate(length=Sum(_duration()))
        .order_by("-week")[:STREAK_WEEKS_READ],
        "week",
        "length",
        zone,
    )
    weeks = recent_weeks(now, zone, WEEKS_SHOWN)
    hours = [(week, round(weekly[week].total_seconds() / 3600, 1) if week in weekly else 0.0) for week in weeks]
    goal_from = next((m for m in progress.milestones if m.next_steps), None)
    # Without the history list's prefetches (reschedules, disputes): one query.
    next_booking = student_upcoming_bookings(student, now).prefetch_related(None).first()
    return StudentDashboard(
        progress=progress,
        hours_by_week=hours,
        hours_this_week=hours[-1][1],
        streak_weeks=week_streak(set(weekly), weeks[-1]),
        next_booking=next_booking,
        next_can_join=next_booking is not None
        and next_booking.status == Booking.Status.CONFIRMED
        and room_is_open(next_booking.session, now),
        next_goal=goal_from.next_steps[0] if goal_from else "",
        next_goal_from=goal_from,
        activity=student_activity(student, milestones=progress.milestones, zone=zone),
    )
