import datetime as dt
import zoneinfo

import pytest

from mentors import slots
from mentors.models import AvailabilityOverride, AvailabilityRule
from mentors.slots import (
    Slot,
    group_slots_by_local_day,
    next_open_slots,
    open_slots,
    open_slots_for_mentors,
    price_for_duration_paise,
    register_busy_intervals_provider,
    slot_is_open,
)
from tests.factories import (
    AvailabilityOverrideFactory,
    MentorProfileFactory,
    MentorUserFactory,
    mentor_with_weekly_hours,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
LONDON = zoneinfo.ZoneInfo("Europe/London")
KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
# Fixed "now" long before the weeks under test, so notice and horizon never interfere unless a test wants them.
EARLY_2026 = dt.datetime(2026, 1, 1, tzinfo=UTC)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def london_mentor(weekdays=(0,), start="09:00", end="12:00", **fields):
    user = MentorUserFactory(time_zone="Europe/London")
    fields.setdefault("booking_horizon_days", 365)
    return mentor_with_weekly_hours(user=user, weekdays=weekdays, start=start, end=end, **fields)


def day_slots(mentor, day: dt.date, duration=60, now=EARLY_2026):
    start = dt.datetime.combine(day, dt.time(0), tzinfo=LONDON)
    return open_slots(mentor=mentor, start=start, end=start + dt.timedelta(days=1), duration_minutes=duration, now=now)


@pytest.fixture
def busy_registry():
    """Register real busy-time providers for one test only, then restore the registry."""
    saved = list(slots._busy_providers)
    yield register_busy_intervals_provider
    slots._busy_providers[:] = saved


def test_london_mentor_keeps_local_hours_across_march_dst_change_seen_from_kolkata():
    mentor = london_mentor()
    before = day_slots(mentor, dt.date(2026, 3, 23))  # Monday, GMT
    after = day_slots(mentor, dt.date(2026, 3, 30))  # Monday, BST since 29 March
    assert [s.start for s in before] == [
        utc(2026, 3, 23, 9),
        utc(2026, 3, 23, 9, 30),
        utc(2026, 3, 23, 10),
        utc(2026, 3, 23, 10, 30),
        utc(2026, 3, 23, 11),
    ]
    assert after[0].start == utc(2026, 3, 30, 8)
    assert after[-1].end == utc(2026, 3, 30, 11)
    # A student in India sees the mentor's 09:00 move from 14:30 to 13:30 of their day.
    assert before[0].start.astimezone(KOLKATA).time() == dt.time(14, 30)
    assert after[0].start.astimezone(KOLKATA).time() == dt.time(13, 30)
    assert all(s.start.tzinfo == UTC and s.duration_minutes == 60 for s in before + after)


def test_london_mentor_keeps_local_hours_across_october_dst_change_seen_from_kolkata():
    mentor = london_mentor()
    before = day_slots(mentor, dt.date(2026, 10, 19))  # Monday, BST
    after = day_slots(mentor, dt.date(2026, 10, 26))  # Monday, GMT since 25 October
    assert before[0].start == utc(2026, 10, 19, 8)
    assert after[0].start == utc(2026, 10, 26, 9)
    assert before[0].start.astimezone(KOLKATA).time() == dt.time(13, 30)
    assert after[0].start.astimezone(KOLKATA).time() == dt.time(14, 30)


def test_rule_across_the_skipped_hour_gives_only_real_time_on_the_spring_forward_night():
    mentor = london_mentor(weekdays=(6,), start="00:00", end="03:00")  # Sunday 29 March 2026
    found = day_slots(mentor, dt.date(2026, 3, 29))
    # 00:00 GMT to 03:00 BST is two real hours: 00:00Z to 02:00Z.
    assert (found[0].start, found[-1].end) == (utc(2026, 3, 29, 0), utc(2026, 3, 29, 2))
    assert len(found) == 3
    assert [s.start.astimezone(LONDON).strftime("%H:%M") for s in found] == ["00:00", "00:30", "02:00"]


def test_rule_across_the_repeated_hour_gives_four_real_hours_on_the_fall_back_night():
    mentor = london_mentor(weekdays=(6,), start="00:00", end="03:00")  # Sunday 25 October 2026
    found = day_slots(mentor, dt.date(2026, 10, 25))
    # 00:00 BST (23:00Z the day before) to 03:00 GMT is four real hours.
    assert (found[0].start, found[-1].end) == (utc(2026, 10, 24, 23), utc(2026, 10, 25, 3))
    assert len(found) == 7
    assert len({s.start for s in found}) == 7


def test_slots_are_grouped_by_the_viewers_local_day():
    mentor = london_mentor(weekdays=(0,), start="20:00", end="22:00")
    found = day_slots(mentor, dt.date(2026, 3, 23))
    by_kolkata_day = group_slots_by_local_day(found, KOLKATA)
    # 20:00 GMT is 01:30 IST the next day.
    assert [day for day, _ in by_kolkata_day] == [dt.date(2026, 3, 24)]
    by_london_day = group_slots_by_local_day(found, LONDON)
    assert [day for day, _ in by_london_day] == [dt.date(2026, 3, 23)]
    assert by_london_day[0][1] == sorted(found)


def test_group_by_local_day_splits_a_range_that_crosses_the_viewers_midnight():
    found = [Slot(utc(2026, 5, 4, 18, 30), utc(2026, 5, 4, 19)), Slot(utc(2026, 5, 4, 17), utc(2026, 5, 4, 17, 30))]
    grouped = group_slots_by_local_day(found, KOLKATA)
    assert [(day, len(items)) for day, items in grouped] == [(dt.date(2026, 5, 4), 1), (dt.date(2026, 5, 5), 1)]


def test_whole_day_block_removes_the_day_and_extra_hours_add_slots():
    mentor = london_mentor()
    AvailabilityOverrideFactory(mentor=mentor, date=dt.date(2026, 3, 23), kind="blocked")
    AvailabilityOverrideFactory(
        mentor=mentor, date=dt.date(2026, 3, 24), kind="extra", start_time=dt.time(18), end_time=dt.time(19)
    )
    assert day_slots(mentor, dt.date(2026, 3, 23)) == []
    assert day_slots(mentor, dt.date(2026, 3, 24)) == [Slot(utc(2026, 3, 24, 18), utc(2026, 3, 24, 19))]


def test_blocked_range_cuts_the_rule_and_extra_hours_can_widen_it():
    mentor = london_mentor()
    AvailabilityOverride.objects.create(
        mentor=mentor, date=dt.date(2026, 3, 23), kind="blocked", start_time=dt.time(10), end_time=dt.time(11)
    )
    AvailabilityOverride.objects.create(
        mentor=mentor, date=dt.date(2026, 3, 23), kind="extra", start_time=dt.time(12), end_time=dt.time(13)
    )
    starts = [s.start.astimezone(LONDON).strftime("%H:%M") for s in day_slots(mentor, dt.date(2026, 3, 23))]
    assert starts == ["09:00", "11:00", "11:30", "12:00"]


def test_overlapping_rules_do_not_duplicate_slots():
    mentor = london_mentor(start="09:00", end="11:00")
    AvailabilityRule.objects.create(mentor=mentor, weekday=0, start_time=dt.time(10), end_time=dt.time(12))
    starts = [s.start.astimezone(LONDON).strftime("%H:%M") for s in day_slots(mentor, dt.date(2026, 3, 23))]
    assert starts == ["09:00", "09:30", "10:00", "10:30", "11:00"]


def test_busy_intervals_from_a_registered_provider_and_buffers_are_excluded(busy_registry):
    mentor = london_mentor(buffer_before_minutes=15, buffer_after_minutes=30)
    other = london_mentor()
    calls = []

    def booked(mentor_ids, start, end, exclude_session_ids):
        calls.append(sorted(mentor_ids))
        return {mentor.pk: [(utc(2026, 3, 23, 10), utc(2026, 3, 23, 10, 30))]}

    busy_registry(booked)
    starts = [s.start.strftime("%H:%M") for s in day_slots(mentor, dt.date(2026, 3, 23), duration=30)]
    # 10:00–10:30 is taken; 30 minutes must stay free on either side (the larger buffer).
    assert starts == ["09:00", "11:00", "11:30"]
    assert len(day_slots(other, dt.date(2026, 3, 23), duration=30)) == 6
    assert calls == [[mentor.pk], [other.pk]]


def test_busy_interval_longer_than_the_next_keeps_blocking(busy_registry):
    mentor = london_mentor(start="09:00", end="13:00")
    busy_registry(
        lambda ids, start, end, exclude_session_ids: {
            mentor.pk: [(utc(2026, 3, 23, 9), utc(2026, 3, 23, 12)), (utc(2026, 3, 23, 9, 30), utc(2026, 3, 23, 10))]
        }
    )
    starts = [s.start.strftime("%H:%M") for s in day_slots(mentor, dt.date(2026, 3, 23), duration=30)]
    assert starts == ["12:00", "12:30"]


def test_minimum_notice_and_horizon_limit_the_slots():
    mentor = london_mentor(weekdays=(0, 1, 2, 3, 4, 5, 6), minimum_notice_hours=24, booking_horizon_days=2)
    now = utc(2026, 3, 23, 9, 15)
    found = open_slots(mentor=mentor, start=now, end=now + dt.timedelta(days=10), duration_minutes=60, now=now)
    # Tomorrow 09:00 is under 24 h away; the day after tomorrow is past the 2-day horizon from 09:15.
    assert [s.start for s in found] == [
        utc(2026, 3, 24, 9, 30),
        utc(2026, 3, 24, 10),
        utc(2026, 3, 24, 10, 30),
        utc(2026, 3, 24, 11),
        utc(2026, 3, 25, 9),
    ]


def test_past_slots_are_never_open():
    mentor = london_mentor(weekdays=(0, 1, 2, 3, 4, 5, 6))
    now = utc(2026, 3, 23, 10, 10)
    found = day_slots(mentor, dt.date(2026, 3, 23), now=now)
    assert [s.start for s in found] == [utc(2026, 3, 23, 10, 30), utc(2026, 3, 23, 11)]


def test_duration_not_offered_gives_no_slots():
    mentor = london_mentor(offered_durations=[30])
    assert day_slots(mentor, dt.date(2026, 3, 23), duration=60) == []
    assert len(day_slots(mentor, dt.date(2026, 3, 23), duration=30)) == 6


def test_naive_datetimes_are_refused():
    mentor = london_mentor()
    with pytest.raises(ValueError):
        open_slots(mentor=mentor, start=dt.datetime(2026, 3, 23), end=dt.datetime(2026, 3, 24), duration_minutes=60)


def test_next_open_slots_gives_the_first_ones_with_the_shortest_duration():
    mentor = london_mentor(weekdays=(0, 2), offered_durations=[60, 30])
    found = next_open_slots(mentor, 3, now=utc(2026, 3, 24, 12))
    assert found == [
        Slot(utc(2026, 3, 25, 9), utc(2026, 3, 25, 9, 30)),
        Slot(utc(2026, 3, 25, 9, 30), utc(2026, 3, 25, 10)),
        Slot(utc(2026, 3, 25, 10), utc(2026, 3, 25, 10, 30)),
    ]


def test_slot_is_open_checks_exact_start(busy_registry):
    mentor = london_mentor()
    assert slot_is_open(mentor=mentor, start=utc(2026, 3, 23, 9, 30), duration_minutes=60, now=EARLY_2026)
    assert not slot_is_open(mentor=mentor, start=utc(2026, 3, 23, 9, 15), duration_minutes=60, now=EARLY_2026)
    assert not slot_is_open(mentor=mentor, start=utc(2026, 3, 23, 11, 30), duration_minutes=60, now=EARLY_2026)
    busy = {mentor.pk: [(utc(2026, 3, 23, 9, 30), utc(2026, 3, 23, 10, 30))]}
    busy_registry(lambda ids, start, end, exclude_session_ids: busy)
    assert not slot_is_open(mentor=mentor, start=utc(2026, 3, 23, 9, 30), duration_minutes=60, now=EARLY_2026)


def test_batch_for_many_mentors_uses_a_fixed_number_of_queries(busy_registry, django_assert_max_num_queries):
    # Only this app's queries are counted here; each registered busy provider adds its own fixed number.
    slots._busy_providers.clear()
    mentors = [london_mentor(weekdays=(0, 1, 2, 3, 4)) for _ in range(12)]
    AvailabilityOverrideFactory(mentor=mentors[0], date=dt.date(2026, 3, 23), kind="blocked")
    week = utc(2026, 3, 23), utc(2026, 3, 30)
    with django_assert_max_num_queries(3):
        found = open_slots_for_mentors(mentors=mentors, start=week[0], end=week[1], now=EARLY_2026)
    assert len(found[mentors[0].pk]) == 4 * 6
    assert all(len(found[m.pk]) == 5 * 6 for m in mentors[1:])
    # Listing pages pass mentors with users and rules loaded: then only the overrides are read.
    from mentors.models import MentorProfile

    loaded = list(MentorProfile.objects.select_related("user").prefetch_related("availability_rules"))
    with django_assert_max_num_queries(1):
        open_slots_for_mentors(mentors=loaded, start=week[0], end=week[1], now=EARLY_2026, limit_per_mentor=1)


def test_mentor_in_kolkata_seen_from_london_uses_the_mentors_zone():
    mentor = mentor_with_weekly_hours(weekdays=(0,), start="18:00", end="19:00", booking_horizon_days=365)
    start = utc(2026, 3, 23)
    found = open_slots(
        mentor=mentor, start=start, end=start + dt.timedelta(days=1), duration_minutes=60, now=EARLY_2026
    )
    assert found == [Slot(utc(2026, 3, 23, 12, 30), utc(2026, 3, 23, 13, 30))]
    assert found[0].start.astimezone(LONDON).strftime("%H:%M") == "12:30"


def test_price_for_duration_comes_from_the_hourly_rate():
    mentor = MentorProfileFactory.build(hourly_rate_paise=120_000)
    assert price_for_duration_paise(mentor, 30) == 60_000
    assert price_for_duration_paise(mentor, 60) == 120_000
    assert price_for_duration_paise(mentor, 90) == 180_000
    odd = MentorProfileFactory.build(hourly_rate_paise=99_999)
    assert price_for_duration_paise(odd, 30) == 50_000


def test_sessions_excluded_by_the_caller_do_not_count_as_busy(busy_registry):
    mentor = london_mentor()
    seen = []

    def booked(mentor_ids, start, end, exclude_session_ids):
        seen.append(exclude_session_ids)
        session_id, interval = 7, (utc(2026, 3, 23, 10), utc(2026, 3, 23, 10, 30))
        return {} if session_id in exclude_session_ids else {mentor.pk: [interval]}

    busy_registry(booked)
    ten = utc(2026, 3, 23, 10)
    assert not slot_is_open(mentor=mentor, start=ten, duration_minutes=30, now=EARLY_2026)
    assert slot_is_open(mentor=mentor, start=ten, duration_minutes=30, now=EARLY_2026, exclude_session_ids=(7,))
    assert seen == [frozenset(), frozenset({7})]
