"""Group sessions a verified mentor creates, edits and publishes (seed 002 §8.1.2): draft → scheduled."""

import datetime as dt
from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Language, User
from accounts.photos import photo_normalize
from mentors.hooks import announce_booked_times_changed
from mentors.models import MentorProfile
from mentorship.money import price_error
from sessions_app import policy, selectors, task_names
from sessions_app.models import Booking, SentReminder, Session
from sessions_app.services._common import (
    OVERLAP_CONSTRAINT,
    enqueue,
    mentor_busy_error,
    violated_constraint,
)
from sessions_app.services.booking import release_expired_holds

THUMBNAIL_MAX_SIDE = 1280


@dataclass(frozen=True)
class GroupSessionData:
    title: str
    description: str
    category: str
    session_type: str
    skills: str
    language: Language
    starts_at: dt.datetime
    duration_minutes: int
    time_zone: str
    capacity: int
    price_paise: int
    prerequisites: str = ""
    learning_objectives: str = ""
    thumbnail: UploadedFile | None = None


def _check_verified_mentor(mentor: User) -> None:
    try:
        profile = mentor.mentor_profile
    except MentorProfile.DoesNotExist:
        profile = None
    if profile is None or not profile.is_listed:
        raise ValidationError(_("Only verified mentors can run group sessions."), code="not_verified")


def _validate(data: GroupSessionData, now: dt.datetime) -> None:
    errors: dict[str, list[str]] = {}
    duration = dt.timedelta(minutes=data.duration_minutes)
    if not policy.MIN_DURATION <= duration <= policy.MAX_DURATION:
        errors.setdefault("duration_minutes", []).append(_("A session lasts from 30 minutes to 3 hours."))
    if not 1 <= data.capacity <= policy.MAX_GROUP_CAPACITY:
        errors.setdefault("capacity", []).append(_("A group session has 1 to 50 seats."))
    if price_problem := price_error(data.price_paise, allow_free=True):
        errors.setdefault("price_paise", []).append(price_problem)
    if data.starts_at <= now:
        errors.setdefault("starts_at", []).append(_("Choose a time in the future."))
    if data.category not in Session.Category.values:
        errors.setdefault("category", []).append(_("Choose a category."))
    if data.session_type not in Session.SessionType.values:
        errors.setdefault("session_type", []).append(_("Choose a session type."))
    if not data.title.strip():
        errors.setdefault("title", []).append(_("Give the session a title."))
    if errors:
        raise ValidationError(errors)


def _apply(session: Session, data: GroupSessionData) -> None:
    for field in fields(data):
        if field.name in ("duration_minutes", "thumbnail"):
            continue
        setattr(session, field.name, getattr(data, field.name))
    session.ends_at = data.starts_at + dt.timedelta(minutes=data.duration_minutes)
    if data.thumbnail is not None:
        # Stored as uploaded, a file keeps the uploader's name and bytes (a PNG named .pdf with HTML appended);
        # re-encoded it is only an image, under a name we chose.
        session.thumbnail = photo_normalize(data.thumbnail, max_side=THUMBNAIL_MAX_SIDE)


def _release_holds_in_the_way(session: Session, now: dt.datetime) -> None:
    release_expired_holds(now=now, mentor_id=session.mentor_id, starts_at=session.starts_at, ends_at=session.ends_at)


def _save_occupying(session: Session, **save_kwargs) -> None:
    try:
        with transaction.atomic():
            session.save(**save_kwargs)
    except IntegrityError as exc:
        if violated_constraint(exc) == OVERLAP_CONSTRAINT:
            raise mentor_busy_error() from None
        raise


def group_session_create(*, mentor: User, data: GroupSessionData, now: dt.datetime | None = None) -> Session:
    """A new group session, as a draft the mentor publishes when ready."""
    now = now or timezone.now()
    _check_verified_mentor(mentor)
    _validate(data, now)
    session = Session(mentor=mentor, kind=Session.Kind.GROUP, status=Session.Status.DRAFT)
    _apply(session, data)
    session.save()
    return session


def group_session_update(
    *, session: Session, actor: User, data: GroupSessionData, now: dt.datetime | None = None
) -> Session:
    """Edit a draft freely; edit a scheduled session within what its bookings allow (students are told when its
    time moves, and their calendars updated)."""
    now = now or timezone.now()
    if actor.pk != session.mentor_id:
        raise ValidationError(_("You can only edit your own sessions."), code="forbidden")
    _validate(data, now)
    with transaction.atomic():
        bookings = list(
            Booking.objects.select_for_update(of=("self",))
            .filter(session=session, status__in=Booking.ACTIVE_STATUSES)
            .order_by("pk")
        )
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status not in (Session.Status.DRAFT, Session.Status.SCHEDULED):
            raise ValidationError(_("Only a draft or scheduled session can be edited."), code="status")
        old_starts_at, old_ends_at = session.starts_at, session.ends_at
        taken = selectors.seats_taken(session, now)
        if session.status == Session.Status.SCHEDULED:
            if data.price_paise != session.price_paise and session.bookings.exists():
                raise ValidationError({"price_paise": [_("The price cannot change once students have booked.")]})
            if data.capacity < taken:
                raise ValidationError(
                    {"capacity": [_("%(count)s seats are already taken.") % {"count": taken}]}
                )
        _apply(session, data)
        moved = (session.starts_at, session.ends_at) != (old_starts_at, old_ends_at)
        if session.status == Session.Status.SCHEDULED:
            _release_holds_in_the_way(session, now)
        if moved:
            session.ics_sequence += 1
        _save_occupying(session)
        if moved and session.status == Session.Status.SCHEDULED:
            announce_booked_times_changed(session.mentor_id)
            SentReminder.objects.filter(session=session).delete()
            for booking in bookings:
                booking.ics_sequence += 1
                booking.save(update_fields=["ics_sequence", "updated_at"])
                if booking.status == Booking.Status.CONFIRMED:
                    enqueue(task_names.NOTIFY_BOOKING, booking.pk, "rescheduled")
            enqueue(task_names.NOTIFY_HOSTED_SESSION, session.pk, "rescheduled")
        if data.capacity > taken:
            enqueue(task_names.OFFER_WAITLIST_SEATS, session.pk)
    return session


def group_session_publish(*, session: Session, actor: User, now: dt.datetime | None = None) -> Session:
    """Open a draft for booking; refused if the mentor already has a session at that time."""
    now = now or timezone.now()
    if actor.pk != session.mentor_id:
        raise ValidationError(_("You can only publish your own sessions."), code="forbidden")
    _check_verified_mentor(actor)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status != Session.Status.DRAFT or not session.is_group:
            raise ValidationError(_("Only a draft can be published."), code="status")
        if session.starts_at <= now:
            raise ValidationError(_("This session's time has passed: choose a new time first."), code="past")
        _release_holds_in_the_way(session, now)
        session.status = Session.Status.SCHEDULED
        session.published_at = now
        _save_occupying(session, update_fields=["status", "published_at", "updated_at"])
        announce_booked_times_changed(session.mentor_id)
        enqueue(task_names.NOTIFY_HOSTED_SESSION, session.pk, "published")
    return session
