"""The mentor's availability: weekly rules, date overrides and the booking settings."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mentors.hooks import announce_profile_changed
from mentors.models import AvailabilityOverride, AvailabilityRule, MentorProfile


def availability_rule_add(
    *, mentor: MentorProfile, weekday: int, start_time: dt.time, end_time: dt.time
) -> AvailabilityRule:
    with transaction.atomic():
        rule = AvailabilityRule(mentor=mentor, weekday=weekday, start_time=start_time, end_time=end_time)
        rule.full_clean(exclude=["mentor"])
        overlapping = AvailabilityRule.objects.filter(
            mentor=mentor, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time
        )
        if overlapping.exists():
            raise ValidationError(_("These hours overlap hours you already have on that day."), code="overlap")
        rule.save()
        announce_profile_changed(mentor.pk)
    return rule


def availability_rule_delete(*, mentor: MentorProfile, rule_id: int) -> None:
    with transaction.atomic():
        deleted, _counts = AvailabilityRule.objects.filter(mentor=mentor, pk=rule_id).delete()
        if not deleted:
            raise ValidationError(_("Those hours no longer exist."), code="missing")
        announce_profile_changed(mentor.pk)


def availability_override_add(
    *,
    mentor: MentorProfile,
    date: dt.date,
    kind: str,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    today: dt.date,
) -> AvailabilityOverride:
    """`today` is the mentor's local date: overrides for past days change nothing and are refused."""
    if date < today:
        raise ValidationError({"date": _("Choose today or a later date.")}, code="past")
    if (start_time is None) != (end_time is None):
        raise ValidationError(_("Give both times, or neither for the whole day."), code="half_range")
    with transaction.atomic():
        override = AvailabilityOverride(mentor=mentor, date=date, kind=kind, start_time=start_time, end_time=end_time)
        override.full_clean(exclude=["mentor"])
        override.save()
        announce_profile_changed(mentor.pk)
    return override


def availability_override_delete(*, mentor: MentorProfile, override_id: int) -> None:
    with transaction.atomic():
        deleted, _counts = AvailabilityOverride.objects.filter(mentor=mentor, pk=override_id).delete()
        if not deleted:
            raise ValidationError(_("That change no longer exists."), code="missing")
        announce_profile_changed(mentor.pk)


def availability_settings_update(
    *,
    mentor: MentorProfile,
    buffer_before_minutes: int,
    buffer_after_minutes: int,
    minimum_notice_hours: int,
    booking_horizon_days: int,
    offered_durations: list[int],
) -> MentorProfile:
    if not offered_durations:
        raise ValidationError({"offered_durations": _("Offer at least one session length.")}, code="required")
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().get(pk=mentor.pk)
        mentor.buffer_before_minutes = buffer_before_minutes
        mentor.buffer_after_minutes = buffer_after_minutes
        mentor.minimum_notice_hours = minimum_notice_hours
        mentor.booking_horizon_days = booking_horizon_days
        mentor.offered_durations = sorted(set(offered_durations))
        fields = [
            "buffer_before_minutes",
            "buffer_after_minutes",
            "minimum_notice_hours",
            "booking_horizon_days",
            "offered_durations",
        ]
        mentor.full_clean(exclude=[f.name for f in MentorProfile._meta.fields if f.name not in fields])
        mentor.save(update_fields=[*fields, "updated_at"])
        announce_profile_changed(mentor.pk)
    return mentor
