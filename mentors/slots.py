"""The slot service: when a mentor can be booked, as aware UTC intervals.

Weekly rules and date overrides are wall-clock times in the mentor's zone (`user.time_zone`), turned into UTC
date by date, so a rule keeps its local hours across DST changes. Callers show slots in the viewer's zone
(`group_slots_by_local_day`). Times already taken come from busy-interval providers that other apps register
(booking adds booked and held sessions) so that `mentors` never imports them. A caller moving a booking passes
`exclude_session_ids` so its own session does not count as busy (a booking may move onto its own old time).
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from mentors.models import AvailabilityOverride, AvailabilityRule, MentorProfile

UTC = dt.UTC
# Slots start every 30 minutes from the start of each open interval, whatever their length.
SLOT_STEP = dt.timedelta(minutes=30)

Interval = tuple[dt.datetime, dt.datetime]
BusyIntervalsProvider = Callable[[list[int], dt.datetime, dt.datetime, frozenset[int]], dict[int, list[Interval]]]

_busy_providers: list[BusyIntervalsProvider] = []


@dataclass(frozen=True, order=True)
class Slot:
    start: dt.datetime
    end: dt.datetime

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def register_busy_intervals_provider(fn: BusyIntervalsProvider) -> BusyIntervalsProvider:
    """`fn(mentor_ids, start, end, exclude_session_ids)` returns, per mentor id, the UTC intervals already taken in
    [start, end), leaving out the sessions whose ids are in `exclude_session_ids`."""
    if fn not in _busy_providers:
        _busy_providers.append(fn)
    return fn


def busy_intervals(
    mentor_ids: list[int], start: dt.datetime, end: dt.datetime, exclude_session_ids: Collection[int] = ()
) -> dict[int, list[Interval]]:
    busy: dict[int, list[Interval]] = defaultdict(list)
    excluded = frozenset(exclude_session_ids)
    for provider in _busy_providers:
        for mentor_id, intervals in provider(mentor_ids, start, end, excluded).items():
            busy[mentor_id].extend(intervals)
    return {mentor_id: sorted(intervals) for mentor_id, intervals in busy.items()}


def price_for_duration_paise(mentor: MentorProfile, duration_minutes: int) -> int:
    """The price of one session of that length, from the hourly rate, rounded to the nearest paisa."""
    return (mentor.hourly_rate_paise * duration_minutes + 30) // 60


def open_slots(
    *,
    mentor: MentorProfile,
    start: dt.datetime,
    end: dt.datetime,
    duration_minutes: int,
    now: dt.datetime | None = None,
    exclude_session_ids: Collection[int] = (),
) -> list[Slot]:
    """Bookable slots of that length starting in [start, end), sorted; [] if the mentor does not offer it."""
    return open_slots_for_mentors(
        mentors=[mentor],
        start=start,
        end=end,
        duration_minutes=duration_minutes,
        now=now,
        exclude_session_ids=exclude_session_ids,
    )[mentor.pk]


def open_slots_for_mentors(
    *,
    mentors: Sequence[MentorProfile],
    start: dt.datetime,
    end: dt.datetime,
    duration_minutes: int | None = None,
    now: dt.datetime | None = None,
    limit_per_mentor: int | None = None,
    exclude_session_ids: Collection[int] = (),
) -> dict[int, list[Slot]]:
    """Open slots for many mentors in a fixed number of queries (rules, overrides, time zones if not loaded).

    With `duration_minutes=None` each mentor's shortest offered length is used (for "available this week").
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("open_slots needs aware datetimes")
    now = (now or dt.datetime.now(UTC)).astimezone(UTC)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    result: dict[int, list[Slot]] = {mentor.pk: [] for mentor in mentors}
    mentors = [mentor for mentor in mentors if mentor.offered_durations]
    if not mentors or start >= end:
        return result

    zones = _time_zones(mentors)
    first_day = min(start.astimezone(zones[m.pk]).date() for m in mentors)
    last_day = max(end.astimezone(zones[m.pk]).date() for m in mentors)
    rules = _rules_by_mentor(mentors)
    overrides = _overrides_by_mentor(mentors, first_day, last_day)
    widest_buffer = dt.timedelta(minutes=max(_buffer_minutes(m) for m in mentors))
    busy = busy_intervals(
        [m.pk for m in mentors],
        start - widest_buffer,
        end + widest_buffer + dt.timedelta(days=1),
        exclude_session_ids=exclude_session_ids,
    )

    for mentor in mentors:
        duration = duration_minutes or min(mentor.offered_durations)
        if duration not in mentor.offered_durations:
            continue
        tz = zones[mentor.pk]
        earliest = max(start, now + dt.timedelta(hours=mentor.minimum_notice_hours))
        latest = min(end, now + dt.timedelta(days=mentor.booking_horizon_days))
        if earliest >= latest:
            continue
        open_intervals = _open_intervals(
            tz=tz,
            rules=rules.get(mentor.pk, []),
            overrides=overrides.get(mentor.pk, []),
            first_day=earliest.astimezone(tz).date(),
            last_day=latest.astimezone(tz).date(),
        )
        result[mentor.pk] = _slots_in(
            open_intervals,
            duration=dt.timedelta(minutes=duration),
            earliest=earliest,
            latest=latest,
            busy=busy.get(mentor.pk, []),
            margin=dt.timedelta(minutes=_buffer_minutes(mentor)),
            limit=limit_per_mentor,
        )
    return result


def next_open_slots(
    mentor: MentorProfile, count: int, now: dt.datetime | None = None, duration_minutes: int | None = None
) -> list[Slot]:
    """The first `count` open slots from now until the booking horizon (the profile's availability preview)."""
    now = (now or dt.datetime.now(UTC)).astimezone(UTC)
    return open_slots_for_mentors(
        mentors=[mentor],
        start=now,
        end=now + dt.timedelta(days=mentor.booking_horizon_days),
        duration_minutes=duration_minutes,
        now=now,
        limit_per_mentor=count,
    )[mentor.pk]


def slot_is_open(
    *,
    mentor: MentorProfile,
    start: dt.datetime,
    duration_minutes: int,
    now: dt.datetime | None = None,
    exclude_session_ids: Collection[int] = (),
) -> bool:
    """Whether exactly this slot can be booked now (rules, overrides, notice, horizon and busy times)."""
    candidates = open_slots(
        mentor=mentor,
        start=start,
        end=start + dt.timedelta(seconds=1),
        duration_minutes=duration_minutes,
        now=now,
        exclude_session_ids=exclude_session_ids,
    )
    return any(slot.start == start.astimezone(UTC) for slot in candidates)


def group_slots_by_local_day(slots: Iterable[Slot], tz: dt.tzinfo) -> list[tuple[dt.date, list[Slot]]]:
    """Slots grouped by the viewer's local date of their start, in order."""
    ordered = sorted(slots)
    return [(day, list(group)) for day, group in groupby(ordered, key=lambda slot: slot.start.astimezone(tz).date())]


def _buffer_minutes(mentor: MentorProfile) -> int:
    # A session needs `before` free minutes ahead of it and `after` behind it, and so does every busy session, so
    # between two sessions the larger of the two buffers must be free, whichever comes first.
    return max(mentor.buffer_before_minutes, mentor.buffer_after_minutes)


def _time_zones(mentors: Sequence[MentorProfile]) -> dict[int, zoneinfo.ZoneInfo]:
    user_field = MentorProfile._meta.get_field("user")
    missing = [m.pk for m in mentors if not user_field.is_cached(m)]
    fetched = dict(MentorProfile.objects.filter(pk__in=missing).values_list("pk", "user__time_zone")) if missing else {}
    return {m.pk: zoneinfo.ZoneInfo(m.user.time_zone if user_field.is_cached(m) else fetched[m.pk]) for m in mentors}


def _rules_by_mentor(mentors: Sequence[MentorProfile]) -> dict[int, list[AvailabilityRule]]:
    rules: dict[int, list[AvailabilityRule]] = {}
    to_fetch = []
    for mentor in mentors:
        prefetched = getattr(mentor, "_prefetched_objects_cache", {}).get("availability_rules")
        if prefetched is not None:
            rules[mentor.pk] = list(prefetched)
        else:
            to_fetch.append(mentor.pk)
    if to_fetch:
        for rule in AvailabilityRule.objects.filter(mentor_id__in=to_fetch):
            rules.setdefault(rule.mentor_id, []).append(rule)
    return rules


def _overrides_by_mentor(
    mentors: Sequence[MentorProfile], first_day: dt.date, last_day: dt.date
) -> dict[int, list[AvailabilityOverride]]:
    overrides: dict[int, list[AvailabilityOverride]] = defaultdict(list)
    for override in AvailabilityOverride.objects.filter(
        mentor_id__in=[m.pk for m in mentors], date__gte=first_day, date__lte=last_day
    ):
        overrides[override.mentor_id].append(override)
    return overrides


def _at(day: dt.date, wall_time: dt.time | None, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    # A wall time skipped by a spring-forward change resolves with the offset before it (fold=0), i.e. one hour
    # later in real time; a repeated one takes its first occurrence. Both come out right in UTC.
    assert wall_time is not None  # whole-day overrides are handled before times are placed
    return dt.datetime.combine(day, wall_time, tzinfo=tz).astimezone(UTC)


def _open_intervals(
    *,
    tz: zoneinfo.ZoneInfo,
    rules: list[AvailabilityRule],
    overrides: list[AvailabilityOverride],
    first_day: dt.date,
    last_day: dt.date,
) -> list[Interval]:
    rules_by_weekday: dict[int, list[AvailabilityRule]] = defaultdict(list)
    for rule in rules:
        rules_by_weekday[rule.weekday].append(rule)
    overrides_by_day: dict[dt.date, list[AvailabilityOverride]] = defaultdict(list)
    for override in overrides:
        overrides_by_day[override.date].append(override)

    intervals: list[Interval] = []
    day = first_day
    while day <= last_day:
        day_overrides = overrides_by_day.get(day, [])
        blocked = [o for o in day_overrides if o.kind == AvailabilityOverride.Kind.BLOCKED]
        if any(o.is_whole_day for o in blocked):
            day_intervals = []
        else:
            day_intervals = [
                (_at(day, r.start_time, tz), _at(day, r.end_time, tz)) for r in rules_by_weekday[day.weekday()]
            ]
            day_intervals = _subtract(
                day_intervals, [(_at(day, o.start_time, tz), _at(day, o.end_time, tz)) for o in blocked]
            )
        day_intervals += [
            (_at(day, o.start_time, tz), _at(day, o.end_time, tz))
            for o in day_overrides
            if o.kind == AvailabilityOverride.Kind.EXTRA
        ]
        intervals.extend(day_intervals)
        day += dt.timedelta(days=1)
    return _merge(intervals)


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    remaining = _merge(intervals)
    for hole_start, hole_end in holes:
        pieces: list[Interval] = []
        for start, end in remaining:
            if hole_end <= start or hole_start >= end:
                pieces.append((start, end))
                continue
            if start < hole_start:
                pieces.append((start, hole_start))
            if hole_end < end:
                pieces.append((hole_end, end))
        remaining = pieces
    return remaining


def _slots_in(
    open_intervals: list[Interval],
    *,
    duration: dt.timedelta,
    earliest: dt.datetime,
    latest: dt.datetime,
    busy: list[Interval],
    margin: dt.timedelta,
    limit: int | None,
) -> list[Slot]:
    slots: list[Slot] = []
    busy_index = 0
    for interval_start, interval_end in open_intervals:
        slot_start = interval_start
        while slot_start + duration <= interval_end and slot_start < latest:
            slot_end = slot_start + duration
            if slot_start >= earliest:
                # Busy intervals are sorted by start; those ending before this slot (with margin) stay behind.
                while busy_index < len(busy) and busy[busy_index][1] + margin <= slot_start:
                    busy_index += 1
                if not _collides(slot_start, slot_end, busy, busy_index, margin):
                    slots.append(Slot(slot_start, slot_end))
                    if limit is not None and len(slots) >= limit:
                        return slots
            slot_start += SLOT_STEP
    return slots


def _collides(
    start: dt.datetime, end: dt.datetime, busy: list[Interval], from_index: int, margin: dt.timedelta
) -> bool:
    for busy_start, busy_end in busy[from_index:]:
        if busy_start >= end + margin:
            return False
        if busy_end + margin > start:
            return True
    return False
