"""`/api/v1/`: booking (a 1:1 slot or a group seat), my bookings, cancel / reschedule, after-session notes, tasks
and reviews, group sessions and their waitlist, progress, and the mentor's side of sessions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from accounts.selectors import active_languages
from accounts.timezones import viewer_time_zone
from api import ratelimit
from api.auth import PUBLIC, ApiRequest
from api.errors import ApiError, ErrorEnvelope, form_error, not_found
from api.idempotency import IdempotencyKey, run_once
from api.pagination import Page, PageParams, keyset_page, list_page
from mentors import selectors as mentor_selectors
from mentors.models import MentorProfile
from payments.api import CheckoutOut, checkout_data
from sessions_app import policy, selectors, services
from sessions_app.forms import GroupFilterForm, GroupSessionForm, OneToOneBookingForm
from sessions_app.models import Booking, FollowUpTask, MentorNote, ProgressMilestone, Review, Session
from sessions_app.room import feedback
from sessions_app.room import selectors as room_selectors
from sessions_app.room.forms import FollowUpTaskForm, MentorNoteForm, MilestoneForm

router = Router(tags=["sessions"])
ERRORS = {401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope, 422: ErrorEnvelope,
          429: ErrorEnvelope}  # fmt: skip
UuidPath = Path(..., description="The booking's or session's id (a UUID).")
IdPath = Path(..., ge=1, le=2**63 - 1)
# Seed 000 §4.1: at most 3 booking attempts a minute per student (the same counter as the booking pages).
BOOKING_ATTEMPTS_PER_MINUTE = 3


def _booking_attempt(request: ApiRequest) -> None:
    ratelimit.enforce(
        f"sessions:booking-attempts:{request.user.pk}", limit=BOOKING_ATTEMPTS_PER_MINUTE, window_seconds=60,
        message=_("Too many booking attempts. Please wait a minute and try again."),
    )  # fmt: skip


# --- shapes ----------------------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str


class SessionOut(Schema):
    id: uuid.UUID
    kind: str
    session_type: str
    title: str
    category: str
    language: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    duration_minutes: int
    time_zone: str
    capacity: int
    price_paise: int
    status: str
    mentor: PersonOut
    mentor_slug: str | None


class QuestionnaireOut(Schema):
    purpose: str
    specific_questions: str
    current_challenges: str
    expected_outcomes: str


class RefundPreviewOut(Schema):
    tier: str
    percent: int
    amount_paise: int


class BookingOut(Schema):
    id: uuid.UUID
    status: str
    status_display: str
    price_paise: int
    hold_expires_at: dt.datetime | None
    payment_id: int | None
    is_student: bool
    is_host: bool
    session: SessionOut
    questionnaire: QuestionnaireOut
    confirmed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancellation_reason: str
    refund_paise: int
    created_at: dt.datetime


class BookingDetailOut(BookingOut):
    refund_preview: RefundPreviewOut | None
    can_self_reschedule: bool


def session_data(session: Session) -> dict:
    mentor = session.mentor
    profile = getattr(mentor, "mentor_profile", None)
    return {
        "id": session.uuid, "kind": session.kind, "session_type": session.session_type, "title": session.title,
        "category": session.category, "language": session.language.code if session.language_id else None,
        "starts_at": session.starts_at, "ends_at": session.ends_at,
        "duration_minutes": int((session.ends_at - session.starts_at).total_seconds() // 60),
        "time_zone": session.time_zone, "capacity": session.capacity, "price_paise": session.price_paise,
        "status": session.status, "mentor": {"id": mentor.pk, "name": mentor.get_public_name()},
        "mentor_slug": profile.slug if profile is not None else None,
    }  # fmt: skip


def booking_data(booking: Booking, viewer) -> dict:
    return {
        "id": booking.uuid, "status": booking.status, "status_display": booking.get_status_display(),
        "price_paise": booking.price_paise, "hold_expires_at": booking.hold_expires_at,
        "payment_id": booking.payment_id, "is_student": viewer.pk == booking.student_id,
        "is_host": viewer.pk == booking.session.mentor_id, "session": session_data(booking.session),
        "questionnaire": {"purpose": booking.purpose, "specific_questions": booking.specific_questions,
                          "current_challenges": booking.current_challenges,
                          "expected_outcomes": booking.expected_outcomes},
        "confirmed_at": booking.confirmed_at, "cancelled_at": booking.cancelled_at,
        "cancellation_reason": booking.cancellation_reason, "refund_paise": booking.refund_paise,
        "created_at": booking.created_at,
    }  # fmt: skip


def _refund(booking: Booking, viewer, now) -> dict | None:
    if not booking.is_active:
        return None
    quote = selectors.refund_decision(booking, actor=viewer, now=now)
    return {"tier": str(quote.tier), "percent": quote.percent, "amount_paise": quote.amount_paise}


def booking_detail_data(booking: Booking, viewer, now: dt.datetime) -> dict:
    return {
        **booking_data(booking, viewer), "refund_preview": _refund(booking, viewer, now),
        "can_self_reschedule": policy.can_self_reschedule(starts_at=booking.session.starts_at, now=now),
    }  # fmt: skip


def _my_booking(request: ApiRequest, booking_id: uuid.UUID) -> Booking:
    """A booking I am the student or host of (support staff see any): 404 for everyone else."""
    try:
        return selectors.get_booking_for_user(request.user, booking_id)
    except (Http404, PermissionDenied):
        raise not_found() from None


def _as_student(request: ApiRequest, booking: Booking) -> Booking:
    if booking.student_id != request.user.pk:
        raise ApiError(403, "forbidden", _("Only the student who booked can do this."))
    return booking


# --- booking ------------------------------------------------------------------------------------------------------


class OneToOneIn(Schema):
    starts_at: dt.datetime = Field(..., description="An open slot's start (from /mentors/{slug}/slots).")
    duration_minutes: int = Field(..., ge=1, le=600)
    session_type: str = Field(..., max_length=32, description=", ".join(Session.SessionType.values))
    language: str = Field(..., max_length=8, description="Code of a language we both speak.")
    purpose: str = Field(..., max_length=1000)
    specific_questions: str = Field("", max_length=2000)
    current_challenges: str = Field("", max_length=2000)
    expected_outcomes: str = Field("", max_length=2000)
    follow_up_of: uuid.UUID | None = Field(None, description="An earlier booking of mine with this mentor.")


def _hold_one_to_one(request: ApiRequest, mentor: MentorProfile, payload: OneToOneIn) -> tuple[int, Any]:
    student = request.user
    now = timezone.now()
    if payload.starts_at.tzinfo is None:
        raise ApiError(
            422, "validation_error", _("Give the time with its UTC offset."), {"starts_at": [_("Not valid.")]}
        )
    languages = selectors.common_languages(student, mentor.user)
    by_code = {language.code: language for language in languages}
    previous = selectors.previous_bookings_with(student, mentor.user)
    follow_up = next((b for b in previous if b.uuid == payload.follow_up_of), None)
    if payload.follow_up_of and follow_up is None:
        raise ApiError(422, "follow_up", _("You can only follow up on your own earlier session with this mentor."),
                       {"follow_up_of": [_("Not valid.")]})  # fmt: skip
    data = {
        "duration": payload.duration_minutes, "date": payload.starts_at.astimezone(student.tzinfo).date().isoformat(),
        "session_type": payload.session_type,
        "language": by_code[payload.language].pk if payload.language in by_code else "",
        "starts_at": payload.starts_at.isoformat(), "purpose": payload.purpose,
        "specific_questions": payload.specific_questions, "current_challenges": payload.current_challenges,
        "expected_outcomes": payload.expected_outcomes, "follow_up_of": follow_up.pk if follow_up else "",
    }  # fmt: skip
    form = OneToOneBookingForm(data, durations=mentor.offered_durations, languages=languages, previous=previous)
    if not form.is_valid():
        raise form_error(form)
    booking = services.booking_hold_one_to_one(
        student=student, mentor=mentor, starts_at=form.cleaned_data["starts_at"],
        duration_minutes=payload.duration_minutes, session_type=form.cleaned_data["session_type"],
        language=form.cleaned_data["language"],
        questionnaire=form.questionnaire(), now=now,
    )  # fmt: skip
    booking = selectors.get_booking_for_user(student, booking.uuid)
    return 201, BookingDetailOut.model_validate(booking_detail_data(booking, student, now)).model_dump(mode="json")


@router.post("/mentors/{slug}/bookings", response={201: BookingDetailOut, **ERRORS}, operation_id="bookings_hold_1to1")
def bookings_hold_one_to_one(
    request: ApiRequest,
    payload: OneToOneIn,
    slug: str = Path(..., max_length=80),
    idempotency_key: str | None = IdempotencyKey,
):
    """Hold a mentor's open slot for me: `confirmed` at once if free, else `pending_payment` until
    `hold_expires_at` (create the payment order next). Honours `Idempotency-Key`."""
    mentor = MentorProfile.objects.select_related("user").filter(slug=slug).first()
    if mentor is None or not mentor.is_listed:
        raise not_found()
    _booking_attempt(request)
    return run_once(request, key=idempotency_key, operation=f"book:{mentor.pk}", body=payload.model_dump(mode="json"),
                    create=lambda: _hold_one_to_one(request, mentor, payload))  # fmt: skip


@router.post(
    "/group-sessions/{session_id}/bookings",
    response={201: BookingDetailOut, **ERRORS},
    operation_id="bookings_hold_group_seat",
)
def bookings_hold_group_seat(
    request: ApiRequest, session_id: uuid.UUID = UuidPath, idempotency_key: str | None = IdempotencyKey
):
    """Take a seat in a group session (confirmed if free, else held while I pay). Honours `Idempotency-Key`."""
    now = timezone.now()
    session = selectors.get_public_group_session(session_id, now)
    _booking_attempt(request)

    def create():
        booking = services.booking_hold_group_seat(student=request.user, session=session)
        booking = selectors.get_booking_for_user(request.user, booking.uuid)
        return 201, BookingDetailOut.model_validate(booking_detail_data(booking, request.user, now)).model_dump(
            mode="json"
        )

    return run_once(request, key=idempotency_key, operation=f"seat:{session.pk}", body={}, create=create)


class BookingListParams(PageParams):
    tab: str = Field("upcoming", pattern="^(upcoming|past)$")


@router.get("/bookings", response={200: Page[BookingOut], **ERRORS}, operation_id="bookings_list")
def bookings_list(request: ApiRequest, params: Query[BookingListParams]):
    """My bookings as a student: `upcoming` (soonest first) or `past` (newest first, the last 100)."""
    upcoming, past = selectors.student_bookings(request.user, timezone.now())
    items = upcoming if params.tab == "upcoming" else past
    return list_page(items, params, kind=f"bookings:{params.tab}", convert=lambda b: booking_data(b, request.user))


@router.get("/bookings/{booking_id}", response={200: BookingDetailOut, **ERRORS}, operation_id="bookings_detail")
def bookings_detail(request: ApiRequest, booking_id: uuid.UUID = UuidPath):
    """One of my bookings (as its student or its mentor), with what cancelling now would refund."""
    booking = _my_booking(request, booking_id)
    return booking_detail_data(booking, request.user, timezone.now())


@router.get(
    "/bookings/{booking_id}/refund-preview",
    response={200: RefundPreviewOut, **ERRORS},
    operation_id="bookings_refund_preview",
)
def bookings_refund_preview(request: ApiRequest, booking_id: uuid.UUID = UuidPath):
    """What cancelling now would refund (full > 24 h before, half 2–24 h, nothing under 2 h; all if the mentor
    cancels)."""
    booking = _my_booking(request, booking_id)
    refund = _refund(booking, request.user, timezone.now())
    if refund is None:
        raise ApiError(409, "inactive", _("This booking is no longer active."))
    return refund


class CancelIn(Schema):
    note: str = Field("", max_length=1000)


@router.post(
    "/bookings/{booking_id}/cancel", response={200: BookingDetailOut, **ERRORS}, operation_id="bookings_cancel"
)
def bookings_cancel(
    request: ApiRequest,
    payload: CancelIn,
    booking_id: uuid.UUID = UuidPath,
    idempotency_key: str | None = IdempotencyKey,
):
    """Cancel a booking (its student or its mentor); the refund follows the policy in the preview. Honours
    `Idempotency-Key` (the refund it starts is the creation a retry must not repeat)."""
    booking = _my_booking(request, booking_id)
    now = timezone.now()

    def create():
        services.booking_cancel(booking=booking, actor=request.user, note=payload.note, now=now)
        data = booking_detail_data(_my_booking(request, booking_id), request.user, now)
        return 200, BookingDetailOut.model_validate(data).model_dump(mode="json")

    return run_once(
        request, key=idempotency_key, operation=f"cancel:{booking.pk}", body=payload.model_dump(), create=create
    )


class RescheduleIn(Schema):
    starts_at: dt.datetime = Field(..., description="An open slot of the same mentor and length.")
    reason: str = Field("", max_length=2000, description="Needed under 24 h before: support decides.")


class RescheduleOut(BookingDetailOut):
    request_sent_to_support: bool


@router.post(
    "/bookings/{booking_id}/reschedule", response={200: RescheduleOut, **ERRORS}, operation_id="bookings_reschedule"
)
def bookings_reschedule(request: ApiRequest, payload: RescheduleIn, booking_id: uuid.UUID = UuidPath):
    """Move a confirmed 1:1 booking to another open slot; within 24 h of the start it becomes a request to support."""
    booking = _my_booking(request, booking_id)
    session = booking.session
    if session.is_group or booking.status != Booking.Status.CONFIRMED:
        raise ApiError(409, "not_reschedulable", _("Only a confirmed one-to-one session can be moved."))
    if payload.starts_at.tzinfo is None:
        raise ApiError(
            422, "validation_error", _("Give the time with its UTC offset."), {"starts_at": [_("Not valid.")]}
        )
    now = timezone.now()
    emergency = not policy.can_self_reschedule(starts_at=session.starts_at, now=now)
    if emergency:
        if not payload.reason.strip():
            raise ApiError(
                422, "validation_error", _("Tell us what happened."), {"reason": [_("This field is required.")]}
            )
        services.reschedule_request_create(booking=booking, actor=request.user, now=now,
                                           starts_at=payload.starts_at, reason=payload.reason)  # fmt: skip
    else:
        services.booking_reschedule(booking=booking, actor=request.user, now=now, starts_at=payload.starts_at)
    data = booking_detail_data(_my_booking(request, booking_id), request.user, now)
    return {**data, "request_sent_to_support": emergency}


# --- after the session: notes, tasks, review ----------------------------------------------------------------------


class NoteOut(Schema):
    id: int
    body: str
    is_shared: bool
    created_at: dt.datetime


class TaskOut(Schema):
    id: int
    title: str
    due_on: dt.date | None
    done: bool
    session_id: uuid.UUID


class ReviewOut(Schema):
    id: int
    rating: int
    comment: str
    created_at: dt.datetime


class AfterSessionOut(Schema):
    notes: list[NoteOut]
    tasks: list[TaskOut]
    review: ReviewOut | None


def _task(task: FollowUpTask) -> dict:
    return {"id": task.pk, "title": task.title, "due_on": task.due_on, "done": task.done_at is not None,
            "session_id": task.session.uuid}  # fmt: skip


@router.get("/bookings/{booking_id}/notes", response={200: AfterSessionOut, **ERRORS}, operation_id="bookings_notes")
def bookings_notes(request: ApiRequest, booking_id: uuid.UUID = UuidPath):
    """The mentor's notes shared with me, my follow-up tasks and my review of this session (its mentor sees all)."""
    booking = _my_booking(request, booking_id)
    try:
        membership = room_selectors.get_session_membership(request.user, booking.session_id)
    except (Http404, PermissionDenied):
        raise not_found() from None
    context = room_selectors.after_session_context(membership, request.user)
    review = context["review"]
    return {
        "notes": [_note(n) for n in context["notes"]],
        "tasks": [_task(t) for t in context["tasks"]],
        "review": None if review is None else {"id": review.pk, "rating": review.rating, "comment": review.comment,
                                               "created_at": review.created_at},
    }  # fmt: skip


class ReviewIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


@router.post("/bookings/{booking_id}/review", response={201: ReviewOut, **ERRORS}, operation_id="bookings_review")
def bookings_review(request: ApiRequest, payload: ReviewIn, booking_id: uuid.UUID = UuidPath):
    """Rate a completed session (once; editable for a week on the site)."""
    booking = _as_student(request, _my_booking(request, booking_id))
    review = feedback.review_submit(
        booking=booking, student=request.user, rating=payload.rating, comment=payload.comment
    )
    return 201, {"id": review.pk, "rating": review.rating, "comment": review.comment, "created_at": review.created_at}


class TaskDoneIn(Schema):
    done: bool


@router.post("/tasks/{task_id}/done", response={200: TaskOut, **ERRORS}, operation_id="tasks_set_done")
def tasks_set_done(request: ApiRequest, payload: TaskDoneIn, task_id: int = IdPath):
    """Tick (or untick) one of my follow-up tasks."""
    task = FollowUpTask.objects.select_related("session").filter(pk=task_id, student=request.user).first()
    if task is None:
        raise not_found()
    task = feedback.follow_up_task_set_done(task=task, student=request.user, done=payload.done)
    return _task(task)


class PublicReviewOut(Schema):
    id: int
    rating: int
    comment: str
    author_name: str
    language: str | None
    created_at: dt.datetime


@router.get(
    "/mentors/{slug}/reviews",
    response={200: Page[PublicReviewOut], **ERRORS},
    auth=PUBLIC,
    operation_id="mentors_reviews",
)
def mentors_reviews(request: HttpRequest, params: Query[PageParams], slug: str = Path(..., max_length=80)):
    """A mentor's published reviews, newest first."""
    try:
        mentor = mentor_selectors.public_profile(slug)
    except Http404:
        raise not_found() from None
    reviews = Review.objects.filter(mentor_id=mentor.user_id, hidden_at__isnull=True).select_related(
        "student", "language"
    )
    return keyset_page(reviews, params, order=["-created_at", "-id"], kind=f"reviews:{mentor.pk}", convert=lambda r: {
        "id": r.pk, "rating": r.rating, "comment": r.comment, "author_name": r.student.get_short_name(),
        "language": r.language.code if r.language_id else None, "created_at": r.created_at,
    })  # fmt: skip


# --- group sessions ---------------------------------------------------------------------------------------------


class GroupSessionOut(SessionOut):
    description: str
    skills: str
    prerequisites: str
    learning_objectives: str
    seats_taken: int
    seats_left: int


class GroupDetailOut(GroupSessionOut):
    bookable: bool
    my_booking: uuid.UUID | None = None
    on_waitlist: bool = False


def group_data(session: Session) -> dict:
    taken = getattr(session, "seats_taken", 0) or 0
    return {
        **session_data(session), "description": session.description, "skills": session.skills,
        "prerequisites": session.prerequisites, "learning_objectives": session.learning_objectives,
        "seats_taken": taken, "seats_left": max(session.capacity - taken, 0),
    }  # fmt: skip


class GroupListParams(Schema):
    q: str = Field("", max_length=100)
    category: str = Field("", max_length=24, description=", ".join(Session.Category.values))
    language: str = Field("", max_length=8)
    price: str = Field("", max_length=8, description="free or paid")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    tz: str | None = Field(None, max_length=64)
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(20, ge=1, le=100)


@router.get(
    "/group-sessions", response={200: Page[GroupSessionOut], **ERRORS}, auth=PUBLIC, operation_id="group_sessions_list"
)
def group_sessions_list(request: HttpRequest, params: Query[GroupListParams]):
    """Upcoming published group sessions, soonest first, with the filters of `/sessions/group/`."""
    from mentors.api import zone_or_error

    tz = zone_or_error(params.tz, viewer_time_zone(request))
    data = {k: v for k, v in params.dict(exclude={"cursor", "limit", "tz"}).items() if v not in (None, "")}
    form = GroupFilterForm(data, languages=active_languages())
    if not form.is_valid():
        raise form_error(form)
    sessions = selectors.group_sessions_listing(form.filters(), now=timezone.now(), tz=tz)
    return keyset_page(sessions, PageParams(cursor=params.cursor, limit=params.limit), order=["starts_at", "id"],
                       kind="group-sessions", convert=group_data)  # fmt: skip


@router.get(
    "/group-sessions/{session_id}",
    response={200: GroupDetailOut, **ERRORS},
    auth=PUBLIC,
    operation_id="group_sessions_detail",
)
def group_sessions_detail(request: HttpRequest, session_id: uuid.UUID = UuidPath):
    now = timezone.now()
    session = selectors.get_public_group_session(session_id, now)
    data = {**group_data(session), "bookable": session.status == Session.Status.SCHEDULED and session.starts_at > now}
    if request.user.is_authenticated:
        booking = selectors.active_booking_of(session, request.user)
        data["my_booking"] = booking.uuid if booking else None
        data["on_waitlist"] = selectors.open_waitlist_entry(session, request.user) is not None
    return data


class WaitlistOut(Schema):
    on_waitlist: bool
    message: str


@router.post(
    "/group-sessions/{session_id}/waitlist",
    response={200: WaitlistOut, **ERRORS},
    operation_id="group_sessions_waitlist_join",
)
def group_sessions_waitlist_join(request: ApiRequest, session_id: uuid.UUID = UuidPath):
    """Join a full session's waitlist: a freed seat is offered by email, first come first served."""
    session = selectors.get_public_group_session(session_id, timezone.now())
    services.waitlist_join(student=request.user, session=session)
    return {
        "on_waitlist": True,
        "message": _("You are on the waitlist. If a seat frees up we will offer it to you by email."),
    }


@router.delete(
    "/group-sessions/{session_id}/waitlist",
    response={200: WaitlistOut, **ERRORS},
    operation_id="group_sessions_waitlist_leave",
)
def group_sessions_waitlist_leave(request: ApiRequest, session_id: uuid.UUID = UuidPath):
    session = selectors.get_public_group_session(session_id, timezone.now())
    services.waitlist_leave(student=request.user, session=session)
    return {"on_waitlist": False, "message": _("You have left the waitlist.")}


# --- progress ---------------------------------------------------------------------------------------------------


class MilestoneOut(Schema):
    id: int
    kind: str
    title: str
    notes: str
    next_steps: list[str]
    achieved_on: dt.date
    mentor_name: str | None


class ProgressOut(Schema):
    hours_learned: float
    sessions_completed: int
    open_tasks: list[TaskOut]
    recent_milestones: list[MilestoneOut]


def _milestone(m: ProgressMilestone) -> dict:
    return {
        "id": m.pk,
        "kind": m.kind,
        "title": m.title,
        "notes": m.notes,
        "next_steps": list(m.next_steps or []),
        "achieved_on": m.achieved_on,
        "mentor_name": m.mentor.get_public_name() if m.mentor else None,
    }


@router.get("/progress", response={200: ProgressOut, **ERRORS}, tags=["progress"], operation_id="progress_summary")
def progress_summary(request: ApiRequest):
    """Hours learned in completed sessions, open follow-up tasks and recent milestones."""
    progress = room_selectors.student_progress(request.user)
    return {"hours_learned": progress.hours_learned, "sessions_completed": progress.sessions_completed,
            "open_tasks": [_task_light(t) for t in progress.tasks_due],
            "recent_milestones": [_milestone(m) for m in progress.milestones]}  # fmt: skip


def _task_light(task: FollowUpTask) -> dict:
    return {"id": task.pk, "title": task.title, "due_on": task.due_on, "done": task.done_at is not None,
            "session_id": task.session.uuid}  # fmt: skip


@router.get(
    "/progress/milestones",
    response={200: Page[MilestoneOut], **ERRORS},
    tags=["progress"],
    operation_id="progress_milestones",
)
def progress_milestones(request: ApiRequest, params: Query[PageParams]):
    return keyset_page(room_selectors.student_milestones(request.user), params, order=["-achieved_on", "-id"],
                       kind="milestones", convert=_milestone)  # fmt: skip


@router.get(
    "/progress/tasks", response={200: Page[TaskOut], **ERRORS}, tags=["progress"], operation_id="progress_tasks"
)
def progress_tasks(request: ApiRequest, params: Query[PageParams]):
    tasks = room_selectors.student_tasks(request.user).select_related("session")
    return keyset_page(tasks, params, order=["-created_at", "-id"], kind="tasks", convert=_task)


# --- the mentor's side ------------------------------------------------------------------------------------------


def _mentor_user(request: ApiRequest):
    if mentor_selectors.mentor_for_user(request.user) is None:
        raise ApiError(403, "mentors_only", _("This is for mentors. Apply to become one on the website."))
    return request.user


class StudentBookingOut(BookingOut):
    student: PersonOut


@router.get(
    "/mentor/bookings",
    response={200: Page[StudentBookingOut], **ERRORS},
    tags=["mentor side"],
    operation_id="mentor_bookings",
)
def mentor_bookings(request: ApiRequest, params: Query[BookingListParams]):
    """Bookings of the sessions I host: `upcoming` or `past`."""
    upcoming, past = selectors.mentor_bookings(_mentor_user(request), timezone.now())
    items = upcoming if params.tab == "upcoming" else past
    return list_page(
        items,
        params,
        kind=f"mentor-bookings:{params.tab}",
        convert=lambda b: {
            **booking_data(b, request.user),
            "student": {"id": b.student_id, "name": b.student.full_name},
        },
    )


class HostedSessionOut(GroupSessionOut):
    waiting: int | None = None


@router.get(
    "/mentor/group-sessions",
    response={200: Page[GroupSessionOut], **ERRORS},
    tags=["mentor side"],
    operation_id="mentor_group_sessions",
)
def mentor_group_sessions(request: ApiRequest, params: Query[PageParams]):
    sessions = selectors.mentor_group_sessions(_mentor_user(request), timezone.now())
    return list_page(sessions, params, kind="mentor-group-sessions", convert=group_data)


class GroupSessionIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field(..., max_length=5000)
    session_type: str = Field(..., max_length=32, description=", ".join(Session.SessionType.values))
    category: str = Field(..., max_length=24, description=", ".join(Session.Category.values))
    skills: str = Field("", max_length=300)
    language: str = Field(..., max_length=8, description="Language code.")
    date: dt.date
    time: dt.time
    time_zone: str = Field(..., max_length=64)
    duration_minutes: int = Field(..., ge=1, le=600)
    capacity: int = Field(..., ge=1, le=1000)
    price_rupees: int = Field(0, ge=0, le=100_000)
    prerequisites: str = Field("", max_length=2000)
    learning_objectives: str = Field("", max_length=2000)


def _group_form(payload: GroupSessionIn) -> GroupSessionForm:
    languages = {language.code: language.pk for language in active_languages()}
    data = {**payload.model_dump(mode="json"), "language": languages.get(payload.language, "")}
    form = GroupSessionForm(data)
    if not form.is_valid():
        raise form_error(form)
    return form


def _hosted(request: ApiRequest, session_id: uuid.UUID) -> Session:
    _mentor_user(request)
    try:
        session = selectors.get_hosted_session(request.user, session_id)
    except (Http404, PermissionDenied):
        raise not_found() from None
    if not session.is_group:
        raise not_found()
    return session


def _hosted_data(session: Session) -> dict:
    session = selectors.with_seats_taken(Session.objects.filter(pk=session.pk), timezone.now()).select_related(
        "mentor__mentor_profile", "language").get()  # fmt: skip
    return group_data(session)


@router.post(
    "/mentor/group-sessions",
    response={201: GroupSessionOut, **ERRORS},
    tags=["mentor side"],
    operation_id="mentor_group_session_create",
)
def mentor_group_session_create(request: ApiRequest, payload: GroupSessionIn):
    """Create a group session as a draft (publish it next)."""
    _mentor_user(request)
    form = _group_form(payload)
    session = services.group_session_create(mentor=request.user, data=form.data_for_service())
    return 201, _hosted_data(session)


@router.put(
    "/mentor/group-sessions/{session_id}",
    response={200: GroupSessionOut, **ERRORS},
    tags=["mentor side"],
    operation_id="mentor_group_session_update",
)
def mentor_group_session_update(request: ApiRequest, payload: GroupSessionIn, session_id: uuid.UUID = UuidPath):
    session = _hosted(request, session_id)
    if session.status not in (Session.Status.DRAFT, Session.Status.SCHEDULED):
        raise ApiError(409, "not_editable", _("This session can no longer be changed."))
    form = _group_form(payload)
    services.group_session_update(session=session, actor=request.user, data=form.data_for_service())
    return _hosted_data(session)


@router.post(
    "/mentor/group-sessions/{session_id}/publish",
    response={200: GroupSessionOut, **ERRORS},
    tags=["mentor side"],
    operation_id="mentor_group_session_publish",
)
def mentor_group_session_publish(request: ApiRequest, session_id: uuid.UUID = UuidPath):
    session = _hosted(request, session_id)
    services.group_session_publish(session=session, actor=request.user)
    return _hosted_data(session)


class SessionCancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


@router.post(
    "/mentor/group-sessions/{session_id}/cancel",
    response={200: GroupSessionOut, **ERRORS},
    tags=["mentor side"],
    operation_id="mentor_group_session_cancel",
)
def mentor_group_session_cancel(request: ApiRequest, payload: SessionCancelIn, session_id: uuid.UUID = UuidPath):
    """Cancel a session I host: every student is refunded in full."""
    session = _hosted(request, session_id)
    services.session_cancel(session=session, actor=request.user, reason=payload.reason)
    return _hosted_data(session)


# --- paying for a booking -----------------------------------------------------------------------------------------


@router.post(
    "/bookings/{booking_id}/payment-order",
    response={201: CheckoutOut, **ERRORS},
    tags=["payments"],
    operation_id="bookings_payment_order",
)
def bookings_payment_order(
    request: ApiRequest, booking_id: uuid.UUID = UuidPath, idempotency_key: str | None = IdempotencyKey
):
    """The Razorpay order for a held booking (the open one again if it exists): open Razorpay Checkout with it,
    then post the result to `/payments/{payment_id}/verify`. Honours `Idempotency-Key`."""
    booking = _as_student(request, _my_booking(request, booking_id))

    def create():
        payment = services.booking_start_payment(booking=booking)
        return 201, CheckoutOut.model_validate(checkout_data(payment, request.user)).model_dump(mode="json")

    return run_once(request, key=idempotency_key, operation=f"order:{booking.pk}", body={}, create=create)


# --- the mentor after a session: notes, follow-up tasks and milestones ------------------------------------------


class MentorTaskOut(TaskOut):
    student: PersonOut


class MentorAfterSessionOut(Schema):
    students: list[PersonOut]
    notes: list[NoteOut]
    tasks: list[MentorTaskOut]


def _note(note: MentorNote) -> dict:
    return {"id": note.pk, "body": note.body, "is_shared": note.is_shared, "created_at": note.created_at}


def _student(student) -> dict:
    return {"id": student.pk, "name": student.get_full_name()}


def _mentor_task(task: FollowUpTask) -> dict:
    return {**_task(task), "student": _student(task.student)}


def _mentor_membership(request: ApiRequest, session_id: uuid.UUID) -> room_selectors.SessionMembership:
    """The session I host, as the after-session page opens it: 404 for other people's sessions, 403 for its
    students (they read the shared notes through `/bookings/{booking_id}/notes`)."""
    pk = Session.objects.filter(uuid=session_id).values_list("pk", flat=True).first()
    if pk is None:
        raise not_found()
    try:
        membership = room_selectors.get_session_membership(request.user, pk)
    except (Http404, PermissionDenied):
        raise not_found() from None
    if not membership.is_mentor:
        raise ApiError(403, "forbidden", _("Only the session's mentor can do this."))
    return membership


@router.get(
    "/mentor/sessions/{session_id}/after",
    response={200: MentorAfterSessionOut, **ERRORS},
    tags=["mentor side"],
    operation_id="mentor_after_session",
)
def mentor_after_session(request: ApiRequest, session_id: uuid.UUID = UuidPath):
    """After a session I hosted: its students, all my notes (shared or private) and the follow-up tasks I set."""
    membership = _mentor_membership(request, session_id)
    context = room_selectors.after_session_context(membership, request.user)
    return {"students": [_student(s) for s in context["students"]], "notes": [_note(n) for n in context["notes"]],
            "tasks": [_mentor_task(t) for t in context["tasks"]]}  # fmt: skip


class NoteIn(Schema):
    body: str = Field(..., max_length=5000)
    is_shared: bool = Field(False, description="Shown to the session's students when true.")


@router.post(
    "/mentor/sessions/{session_id}/notes",
    response={201: NoteOut, **ERRORS},
    tags=["mentor side"],
    operation_id="mentor_note_add",
)
def mentor_note_add(request: ApiRequest, payload: NoteIn, session_id: uuid.UUID = UuidPath):
    """A note about the session: private, or shared with its students."""
    membership = _mentor_membership(request, session_id)
    form = MentorNoteForm(payload.model_dump())
    if not form.is_valid():
        raise form_error(form)
    note = feedback.mentor_note_add(session=membership.session, author=request.user, **form.cleaned_data)
    return 201, _note(note)


class DeletedOut(Schema):
    deleted: bool


@router.delete(
    "/mentor/sessions/{session_id}/notes/{note_id}",
    response={200: DeletedOut, **ERRORS},
    tags=["mentor side"],
    operation_id="mentor_note_delete",
)
def mentor_note_delete(request: ApiRequest, session_id: uuid.UUID = UuidPath, note_id: int = IdPath):
    membership = _mentor_membership(request, session_id)
    note = MentorNote.objects.filter(pk=note_id, session=membership.session).first()
    if note is None:
        raise not_found()
    feedback.mentor_note_delete(note=note, author=request.user)
    return {"deleted": True}


class TaskIn(Schema):
    student_id: int = Field(..., ge=1, le=2**63 - 1, description="One of the session's students.")
    title: str = Field(..., max_length=200)
    due_on: dt.date | None = None


@router.post(
    "/mentor/sessions/{session_id}/tasks",
    response={201: MentorTaskOut, **ERRORS},
    tags=["mentor side"],
    operation_id="mentor_task_add",
)
def mentor_task_add(request: ApiRequest, payload: TaskIn, session_id: uuid.UUID = UuidPath):
    """A follow-up task for one of the session's students (it appears on their progress page)."""
    membership = _mentor_membership(request, session_id)
    students = room_selectors.session_students(membership.session)
    form = FollowUpTaskForm(
        {"student": payload.student_id, "title": payload.title, "due_on": payload.due_on or ""}, students=students
    )
    if not form.is_valid():
        raise form_error(form)
    data = form.cleaned_data
    task = feedback.follow_up_task_add(session=membership.session, mentor=request.user, student_id=data["student"],
                                       title=data["title"], due_on=data["due_on"])  # fmt: skip
    task = FollowUpTask.objects.select_related("session", "student").get(pk=task.pk)
    return 201, _mentor_task(task)


@router.delete(
    "/mentor/sessions/{session_id}/tasks/{task_id}",
    response={200: DeletedOut, **ERRORS},
    tags=["mentor side"],
    operation_id="mentor_task_delete",
)
def mentor_task_delete(request: ApiRequest, session_id: uuid.UUID = UuidPath, task_id: int = IdPath):
    membership = _mentor_membership(request, session_id)
    task = FollowUpTask.objects.filter(pk=task_id, session=membership.session).first()
    if task is None:
        raise not_found()
    feedback.follow_up_task_delete(task=task, mentor=request.user)
    return {"deleted": True}


class MilestoneIn(Schema):
    student_id: int = Field(..., ge=1, le=2**63 - 1, description="One of the session's students.")
    kind: str = Field(..., max_length=30, description="One of: " + ", ".join(ProgressMilestone.Kind.values))
    title: str = Field(..., max_length=200)
    notes: str = Field("", max_length=3000)
    next_steps: list[str] = Field([], max_length=20)
    achieved_on: dt.date | None = Field(None, description="Today when left out.")


@router.post(
    "/mentor/sessions/{session_id}/milestones",
    response={201: MilestoneOut, **ERRORS},
    tags=["mentor side"],
    operation_id="mentor_milestone_add",
)
def mentor_milestone_add(request: ApiRequest, payload: MilestoneIn, session_id: uuid.UUID = UuidPath):
    """Record a milestone in a student's progress after this session (on their progress page)."""
    membership = _mentor_membership(request, session_id)
    students = room_selectors.session_students(membership.session)
    form = MilestoneForm(
        {"student": payload.student_id, "kind": payload.kind, "title": payload.title, "notes": payload.notes,
         "next_steps": "\n".join(payload.next_steps), "achieved_on": payload.achieved_on or ""},
        students=students,
    )  # fmt: skip
    if not form.is_valid():
        raise form_error(form)
    data = form.cleaned_data
    student = next(s for s in students if s.pk == data["student"])
    milestone = feedback.milestone_record(
        student=student, recorded_by=request.user, session=membership.session, kind=data["kind"],
        title=data["title"], notes=data["notes"], next_steps=data["next_steps"], achieved_on=data["achieved_on"],
    )  # fmt: skip
    milestone = ProgressMilestone.objects.select_related("mentor").get(pk=milestone.pk)
    return 201, _milestone(milestone)
