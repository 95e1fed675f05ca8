"""The live room's rules and writes: who may enter and how, attendance, chat, recording runs, the end of the
session, and the automatic refund when the mentor never comes.

The consumer calls these through ``database_sync_to_async``; each is one short transaction.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import redis.exceptions
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.models import User
from sessions_app.models import Booking, Session
from sessions_app.models.room import MentorNoShow, Recording, RoomConsent, RoomVisit, SessionMessage
from sessions_app.room.chat_safety import mask_contact_details

logger = logging.getLogger(__name__)

# WebSocket close codes the room page understands (4000–4999 are the application's own).
CLOSE_BAD_REQUEST = 4400
CLOSE_SIGN_IN = 4401
CLOSE_NOT_MEMBER = 4403
CLOSE_NOT_OPEN = 4408
CLOSE_REPLACED = 4409
CLOSE_ENDED = 4410
CLOSE_CONSENT = 4412

CHAT_HISTORY_LIMIT = 200


class RoomRefused(Exception):
    def __init__(self, close_code: int, reason: str) -> None:
        super().__init__(reason)
        self.close_code = close_code
        self.reason = reason


@dataclass(frozen=True)
class RoomAccess:
    """What the room knows about one member for the whole visit."""

    session_id: int
    user_id: int
    display_name: str
    is_mentor: bool
    has_minor: bool
    room_mode: str  # "mesh": everyone sends video; "presenter": only the mentor does
    media_mode: str  # "video" or "audio": what this member may send
    opens_at: dt.datetime
    closes_at: dt.datetime
    # Agreeing to be recorded is asked only of members of a session that can be recorded right now.
    consent_needed: bool
    consented: bool

    @property
    def recording_required(self) -> bool:
        # Seed 000 §14.3: every session with a minor is recorded.
        return self.has_minor

    @property
    def may_share_screen(self) -> bool:
        return self.media_mode == "video"


def speaker_name(user: User | None, *, mentor_id: int) -> str:
    """A name as everyone in the session sees it: the mentor's in full; a student's as first name and initial,
    because other students (minors among them) share the room, its chat and the bundle."""
    if user is None:
        return ""
    return user.get_full_name() if user.pk == mentor_id else user.get_public_name()


def room_pseudonym(*, session_id: int, user_id: int) -> str:
    """A member's name on the wire in one room: stable across reconnects, unlinkable to their account id."""
    return salted_hmac("peerlearn.room.peer", f"{session_id}:{user_id}").hexdigest()[:12]


def room_group_name(session_id: int) -> str:
    return f"room.{session_id}"


def room_user_group_name(session_id: int, user_id: int) -> str:
    """Every socket one member has open in one room."""
    return f"{room_group_name(session_id)}.user.{user_id}"


def room_member_removed(*, session_id: int, user_id: int) -> None:
    """Close the sockets of someone who is no longer a participant (their booking was cancelled or refunded):
    membership is checked when a socket connects, so an open one must be told. Called after commit."""
    try:
        async_to_sync(get_channel_layer().group_send)(
            room_user_group_name(session_id, user_id), {"type": "room.removed"}
        )
    except Exception:
        # The cancellation stands; a socket left open still closes when the room does.
        logger.exception("Could not close the room sockets of user %s in session %s", user_id, session_id)


def _confirmed_students(session_id: int) -> list[User]:
    return list(
        User.objects.filter(bookings__session_id=session_id, bookings__status=Booking.Status.CONFIRMED).only(
            "pk", "date_of_birth"
        )
    )


def session_has_minor(*, session_id: int) -> bool:
    """Whether a confirmed participant is under 18: the room then masks contact details and always records."""
    return any(student.is_minor for student in _confirmed_students(session_id))


def room_window(session: Session) -> tuple[dt.datetime, dt.datetime]:
    opens = session.starts_at - dt.timedelta(minutes=settings.ROOM_OPENS_MINUTES_BEFORE)
    closes = session.ends_at + dt.timedelta(minutes=settings.ROOM_GRACE_MINUTES)
    return opens, closes


def room_access_check(
    *, user: User, session_id: int, require_consent: bool, now: dt.datetime | None = None
) -> RoomAccess:
    """The member's access to the room now, or ``RoomRefused`` saying why not (in the order a person would ask)."""
    now = now or timezone.now()
    try:
        session = Session.objects.get(pk=session_id)
    except Session.DoesNotExist:
        raise RoomRefused(CLOSE_NOT_MEMBER, "no such session") from None
    students = _confirmed_students(session.pk)
    is_mentor = user.pk == session.mentor_id
    if not is_mentor and all(student.pk != user.pk for student in students):
        attended = Booking.objects.filter(session=session, student=user, status=Booking.Status.COMPLETED).exists()
        if attended and session.status == Session.Status.COMPLETED:
            raise RoomRefused(CLOSE_ENDED, "ended")
        raise RoomRefused(CLOSE_NOT_MEMBER, "not a member")
    if session.status == Session.Status.COMPLETED:
        raise RoomRefused(CLOSE_ENDED, "ended")
    opens_at, closes_at = room_window(session)
    if session.status not in Session.OCCUPYING_STATUSES or not opens_at <= now <= closes_at:
        raise RoomRefused(CLOSE_NOT_OPEN, "not open")
    has_minor = any(student.is_minor for student in students)
    consent_needed = has_minor or Recording.objects.filter(session=session, stopped_at__isnull=True).exists()
    consented = RoomConsent.objects.filter(session=session, user=user).exists()
    if require_consent and consent_needed and not consented:
        raise RoomRefused(CLOSE_CONSENT, "no recording consent")
    room_mode = "mesh" if 1 + len(students) <= settings.ROOM_MESH_MAX_VIDEO_SENDERS else "presenter"
    return RoomAccess(
        session_id=session.pk,
        user_id=user.pk,
        display_name=speaker_name(user, mentor_id=session.mentor_id),
        is_mentor=is_mentor,
        has_minor=has_minor,
        room_mode=room_mode,
        media_mode="video" if room_mode == "mesh" or is_mentor else "audio",
        opens_at=opens_at,
        closes_at=closes_at,
        consent_needed=consent_needed,
        consented=consented,
    )


def room_consent_give(*, session_id: int, user: User) -> RoomConsent:
    consent, _created = RoomConsent.objects.get_or_create(session_id=session_id, user=user)
    return consent


# --- attendance ------------------------------------------------------------------------------------------------


def room_visit_open(*, session_id: int, user: User, peer_id: str) -> int:
    """Record that the member entered; the mentor's first entry also takes the session live."""
    from sessions_app.services.completion import session_start

    now = timezone.now()
    with transaction.atomic():
        visit = RoomVisit.objects.create(session_id=session_id, user=user, peer_id=peer_id, joined_at=now)
        session = Session.objects.get(pk=session_id)
        if user.pk == session.mentor_id and session.status == Session.Status.SCHEDULED:
            try:
                session_start(session=session, actor=user, now=now)
            except ValidationError as exc:
                logger.warning("Session %s did not go live when its mentor joined: %s", session_id, exc)
    return visit.pk


def room_enter(*, session_id: int, user: User, peer_id: str) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
    """Everything the socket needs on entering, in one trip to the database: the visit, chat history, recording."""
    visit_id = room_visit_open(session_id=session_id, user=user, peer_id=peer_id)
    return visit_id, chat_history(session_id=session_id), recording_state(session_id=session_id)


def room_visit_close(*, visit_id: int) -> None:
    RoomVisit.objects.filter(pk=visit_id, left_at__isnull=True).update(left_at=timezone.now())


# --- chat ----------------------------------------------------------------------------------------------------


def _message_payload(message: SessionMessage, sender_name: str) -> dict[str, Any]:
    return {
        "id": message.pk,
        "kind": message.kind,
        # The sender's room pseudonym (never the account id): a member's page tells its own messages by it.
        "sender": room_pseudonym(session_id=message.session_id, user_id=message.sender_id) if message.sender_id else "",
        "sender_name": sender_name,
        "text": message.text,
        "amount_paise": message.amount_paise,
        "sent_at": message.created_at.isoformat(),
    }


def chat_history(*, session_id: int, limit: int = CHAT_HISTORY_LIMIT) -> list[dict[str, Any]]:
    messages = list(
        SessionMessage.objects.filter(session_id=session_id, hidden_at__isnull=True)
        .select_related("sender", "session")
        .order_by("-created_at", "-id")[:limit]
    )
    messages.reverse()
    return [_message_payload(m, speaker_name(m.sender, mentor_id=m.session.mentor_id)) for m in messages]


def chat_post(*, session_id: int, sender_id: int, text: str, mask: bool) -> dict[str, Any]:
    """Store a chat line as everyone will see it: trimmed and, in a session with a minor, without contact details.

    Text is stored and sent as plain text; pages render it escaped (``x-text``, template autoescape).
    """
    text = text.strip()
    masked = mask_contact_details(text) if mask else text
    sender = User.objects.only("full_name", "email").get(pk=sender_id)
    message = SessionMessage.objects.create(
        session_id=session_id, sender=sender, text=masked, was_masked=masked != text
    )
    mentor_id = Session.objects.values_list("mentor_id", flat=True).get(pk=session_id)
    return _message_payload(message, speaker_name(sender, mentor_id=mentor_id))


def chat_announce(
    *, session_id: int, text: str, kind: str, sender: User | None, amount_paise: int | None = None
) -> SessionMessage:
    """Store a notice (a tip, …) and show it in the room once the current transaction commits."""
    message = SessionMessage.objects.create(
        session_id=session_id, sender=sender, kind=kind, text=text, amount_paise=amount_paise
    )
    mentor_id = Session.objects.values_list("mentor_id", flat=True).get(pk=session_id)
    payload = _message_payload(message, speaker_name(sender, mentor_id=mentor_id))

    def show() -> None:
        try:
            room_broadcast(session_id=session_id, event={"type": "room.chat", "message": payload})
        except (redis.exceptions.RedisError, OSError) as exc:
            # The notice is stored; the room shows it on the next load. A tip's payment must not fail over this.
            logger.warning("Room %s notice not broadcast (Redis unavailable): %s", session_id, exc)

    transaction.on_commit(show)
    return message


def room_broadcast(*, session_id: int, event: dict[str, Any]) -> None:
    async_to_sync(get_channel_layer().group_send)(room_group_name(session_id), event)


# --- recording runs ------------------------------------------------------------------------------------------


def recording_state(*, session_id: int) -> dict[str, Any]:
    running = Recording.objects.filter(session_id=session_id, stopped_at__isnull=True).first()
    return {
        "active": running is not None,
        "recording_id": running.pk if running else None,
        "started_by": running.started_by_id if running else None,
        "required": session_has_minor(session_id=session_id),
    }


def recording_start(*, session_id: int, mentor_id: int) -> dict[str, Any]:
    """A new recording run; a run still open (the mentor's page reloaded) is closed first."""
    now = timezone.now()
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session_id)
        if session.mentor_id != mentor_id:
            raise ValidationError(_("Only the mentor can record this session."), code="forbidden")
        Recording.objects.filter(session=session, stopped_at__isnull=True).update(stopped_at=now)
        # Turning recording on is the mentor's own agreement to be recorded; the others are asked in the room.
        RoomConsent.objects.get_or_create(session=session, user_id=mentor_id)
        try:
            with transaction.atomic():
                Recording.objects.create(
                    session=session,
                    started_by_id=mentor_id,
                    started_at=now,
                    expires_at=session.ends_at + dt.timedelta(days=settings.RECORDING_RETENTION_DAYS),
                )
        except IntegrityError:
            logger.info("Recording of session %s was started twice at once", session_id)
    return recording_state(session_id=session_id)


def recording_stop_running(*, session_id: int) -> dict[str, Any] | None:
    """Close the open run, if any; the new state to announce, or None when nothing was recording."""
    stopped = Recording.objects.filter(session_id=session_id, stopped_at__isnull=True).update(stopped_at=timezone.now())
    return recording_state(session_id=session_id) if stopped else None


# --- the end ---------------------------------------------------------------------------------------------------


def room_end(*, session_id: int, mentor_id: int) -> Session:
    """The mentor ends the session: it completes (escrow is released) and any recording run closes."""
    from sessions_app.services.completion import session_complete

    session = Session.objects.select_related("mentor").get(pk=session_id)
    if session.mentor_id != mentor_id:
        raise ValidationError(_("Only the mentor can end this session."), code="forbidden")
    session = session_complete(session=session, actor=session.mentor)
    recording_stop_running(session_id=session_id)
    return session


# --- the mentor who never came ---------------------------------------------------------------------------------


def mentor_no_show_process(*, session_id: int, now: dt.datetime | None = None) -> bool:
    """If the mentor has not entered the room ``MENTOR_NO_SHOW_MINUTES`` after the start, the session is cancelled,
    every participant is refunded in full and the no-show counts on the mentor's profile. Idempotent; True when
    this call did it."""
    from sessions_app import tasks
    from sessions_app.services._common import enqueue, release_booking
    from sessions_app.services.changes import schedule_refund

    now = now or timezone.now()
    with transaction.atomic():
        bookings = list(
            Booking.objects.select_for_update(of=("self",))
            .select_related("session")
            .filter(session_id=session_id, status=Booking.Status.CONFIRMED)
            .order_by("pk")
        )
        session = Session.objects.select_for_update().get(pk=session_id)
        if (
            session.status != Session.Status.SCHEDULED
            or now < session.starts_at + dt.timedelta(minutes=settings.MENTOR_NO_SHOW_MINUTES)
            or not bookings
            or RoomVisit.objects.filter(session=session, user_id=session.mentor_id).exists()
        ):
            return False
        note = "The mentor did not join the session."
        session.status = Session.Status.CANCELLED
        session.cancelled_at = now
        session.cancellation_reason = note
        session.ics_sequence += 1
        session.save(update_fields=["status", "cancelled_at", "cancellation_reason", "ics_sequence", "updated_at"])
        for booking in bookings:
            booking.session = session
            booking.refund_paise = booking.price_paise
            booking.save(update_fields=["refund_paise", "updated_at"])
            release_booking(booking, reason=Booking.CancelReason.MENTOR, now=now, actor=None, note=note)
            schedule_refund(booking, amount_paise=booking.price_paise, reason="mentor-no-show")
            enqueue(tasks.notify_booking, booking.pk, "cancelled")
        MentorNoShow.objects.create(session=session, mentor_id=session.mentor_id)
        enqueue(tasks.refresh_mentor_stats, session.mentor_id)
    logger.info("Mentor %s missed session %s: %s bookings refunded", session.mentor_id, session_id, len(bookings))
    return True


def mentor_no_shows_process(*, now: dt.datetime | None = None) -> int:
    """The periodic check: every scheduled session whose mentor is late past the limit (looking back one day)."""
    now = now or timezone.now()
    late = now - dt.timedelta(minutes=settings.MENTOR_NO_SHOW_MINUTES)
    candidates = (
        Session.objects.filter(
            status=Session.Status.SCHEDULED,
            starts_at__lte=late,
            starts_at__gt=now - dt.timedelta(days=1),
            bookings__status=Booking.Status.CONFIRMED,
        )
        .exclude(room_visits__user=models.F("mentor"))
        .values_list("pk", flat=True)
        .distinct()
    )
    return sum(mentor_no_show_process(session_id=session_id, now=now) for session_id in list(candidates))
