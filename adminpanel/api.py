"""`/api/v1/staff/…` for support and admin staff (two-factor sign-in required): the mentor verification queue and
its actions, the support ticket queue and replies. `/api/v1/support/tickets` is the requester's side of tickets."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from adminpanel import selectors
from adminpanel.models import Ticket
from adminpanel.services.support import ticket_open, ticket_reply
from api.auth import ApiRequest, require_staff
from api.errors import ApiError, ErrorEnvelope, not_found
from api.idempotency import IdempotencyKey, run_once
from api.pagination import Page, PageParams, keyset_page, list_page
from mentors import selectors as mentor_selectors
from mentors.models import VerificationStatus
from mentors.services.verification import STAFF_ACTIONS_BY_NAME, staff_actions_for, verification_transition

router = Router(tags=["staff"])
support_router = Router(tags=["support"])
ERRORS = {401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope, 422: ErrorEnvelope,
          429: ErrorEnvelope}  # fmt: skip
IdPath = Path(..., ge=1, le=2**63 - 1)
TicketPath = Path(..., description="The ticket's id (a UUID).")


def _staff(request: ApiRequest):
    user = require_staff(request)
    if not user.is_support_staff:
        raise ApiError(403, "forbidden", _("You do not have permission to do this."))
    return user


# --- verification queue --------------------------------------------------------------------------------------------


class ApplicationOut(Schema):
    mentor_id: int
    full_name: str
    email: str
    title: str
    verification_status: str
    submitted_at: dt.datetime | None
    document_count: int
    languages: list[str]
    actions: list[str]


class QueueParams(PageParams):
    status: str = Field("", max_length=32, description=", ".join(VerificationStatus.values))
    language: str = Field("", max_length=8)
    waiting_days: int | None = Field(None, ge=1, le=3650)


def _application(mentor) -> dict:
    return {
        "mentor_id": mentor.pk, "full_name": mentor.user.full_name, "email": mentor.user.email,
        "title": mentor.title, "verification_status": mentor.verification_status,
        "submitted_at": mentor.submitted_at, "document_count": getattr(mentor, "document_count", 0),
        "languages": sorted(language.code for language in mentor.user.languages.all()),
        "actions": [action.name for action in staff_actions_for(mentor.verification_status)],
    }  # fmt: skip


@router.get("/verification", response={200: Page[ApplicationOut], **ERRORS}, operation_id="staff_verification_queue")
def staff_verification_queue(request: ApiRequest, params: Query[QueueParams]):
    """Mentor applications, oldest submission first (everything still in the pipeline without a status)."""
    _staff(request)
    if params.status and params.status not in VerificationStatus.values:
        raise ApiError(422, "validation_error", _("Unknown status."), {"status": list(VerificationStatus.values)})
    queue = mentor_selectors.verification_queue(
        status=params.status or None, language_code=params.language or None, waiting_days=params.waiting_days
    )
    return list_page(queue, params, kind="verification-queue", convert=_application)


class ActionIn(Schema):
    action: str = Field(..., max_length=32, description=", ".join(STAFF_ACTIONS_BY_NAME))
    expected_status: str = Field(..., max_length=32, description="The status you saw (stale → 409).")
    note: str = Field("", max_length=2000)
    scheduled_for: dt.datetime | None = Field(None, description="For an interview or trial session.")


@router.post(
    "/verification/{mentor_id}/actions",
    response={200: ApplicationOut, **ERRORS},
    operation_id="staff_verification_action",
)
def staff_verification_action(request: ApiRequest, payload: ActionIn, mentor_id: int = IdPath):
    """Move an application on (request documents, approve, reject, suspend…), with the same rules as the panel."""
    staff = _staff(request)
    action = STAFF_ACTIONS_BY_NAME.get(payload.action)
    if action is None:
        raise ApiError(422, "validation_error", _("Unknown action."), {"action": list(STAFF_ACTIONS_BY_NAME)})
    if action.needs_reason and not payload.note.strip():
        raise ApiError(422, "validation_error", _("Give a reason."), {"note": [_("This field is required.")]})
    try:
        mentor = mentor_selectors.application_for_review(mentor_id)
    except Exception:
        raise not_found() from None
    verification_transition(
        mentor_id=mentor.pk, actor=staff, expected_status=payload.expected_status, to_status=action.to_status,
        note=payload.note, scheduled_for=payload.scheduled_for,
    )  # fmt: skip
    queue = mentor_selectors.verification_queue(status=None).filter(pk=mentor.pk)
    mentor = queue.first() or mentor_selectors.verification_queue(status=action.to_status).get(pk=mentor.pk)
    return _application(mentor)


# --- tickets -------------------------------------------------------------------------------------------------------


class MessageOut(Schema):
    from_staff: bool
    body: str
    created_at: dt.datetime


class TicketOut(Schema):
    id: uuid.UUID
    number: int
    category: str
    subject: str
    status: str
    priority: int
    is_emergency: bool
    created_at: dt.datetime


class TicketDetailOut(TicketOut):
    messages: list[MessageOut]


def _ticket(ticket: Ticket) -> dict:
    return {"id": ticket.uuid, "number": ticket.pk, "category": ticket.category, "subject": ticket.subject,
            "status": ticket.status, "priority": ticket.priority, "is_emergency": ticket.is_emergency,
            "created_at": ticket.created_at}  # fmt: skip


def _ticket_detail(ticket: Ticket, *, include_internal: bool) -> dict:
    messages = [m for m in ticket.messages.all() if include_internal or not m.is_internal]
    return {**_ticket(ticket), "messages": [{"from_staff": m.from_staff, "body": m.body, "created_at": m.created_at}
                                            for m in messages]}  # fmt: skip


class StaffTicketParams(PageParams):
    status: str = Field("", max_length=16, description=", ".join(Ticket.Status.values))
    category: str = Field("", max_length=16, description=", ".join(Ticket.Category.values))


@router.get("/tickets", response={200: Page[TicketOut], **ERRORS}, operation_id="staff_tickets")
def staff_tickets(request: ApiRequest, params: Query[StaffTicketParams]):
    """The support queue: emergencies first, then by priority and response deadline."""
    _staff(request)
    for name, allowed in (("status", Ticket.Status.values), ("category", Ticket.Category.values)):
        value = getattr(params, name)
        if value and value not in allowed:
            raise ApiError(422, "validation_error", _("Unknown value."), {name: list(allowed)})
    tickets = selectors.ticket_queue(status=params.status or None, category=params.category or None, now=timezone.now())
    return list_page(tickets, params, kind="staff-tickets", convert=_ticket)


@router.get("/tickets/{ticket_id}", response={200: TicketDetailOut, **ERRORS}, operation_id="staff_ticket")
def staff_ticket(request: ApiRequest, ticket_id: int = IdPath):
    _staff(request)
    try:
        ticket = selectors.ticket_for_staff(ticket_id)
    except (Http404, Ticket.DoesNotExist):
        raise not_found() from None
    return _ticket_detail(ticket, include_internal=True)


class StaffReplyIn(Schema):
    body: str = Field(..., min_length=1, max_length=5000)
    internal: bool = False
    resolve: bool = False


@router.post("/tickets/{ticket_id}/reply", response={200: TicketDetailOut, **ERRORS}, operation_id="staff_ticket_reply")
def staff_ticket_reply(request: ApiRequest, payload: StaffReplyIn, ticket_id: int = IdPath):
    staff = _staff(request)
    try:
        ticket = selectors.ticket_for_staff(ticket_id)
    except (Http404, Ticket.DoesNotExist):
        raise not_found() from None
    ticket_reply(ticket=ticket, author=staff, body=payload.body, internal=payload.internal, resolve=payload.resolve)
    return _ticket_detail(selectors.ticket_for_staff(ticket_id), include_internal=True)


# --- the requester's side --------------------------------------------------------------------------------------------


class TicketIn(Schema):
    category: str = Field(..., max_length=16, description=", ".join(Ticket.Category.values))
    subject: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=5000)
    booking_id: uuid.UUID | None = None
    payment_id: int | None = Field(None, ge=1, le=2**63 - 1)


@support_router.post("/tickets", response={201: TicketDetailOut, **ERRORS}, operation_id="support_ticket_open")
def support_ticket_open(request: ApiRequest, payload: TicketIn, idempotency_key: str | None = IdempotencyKey):
    """Ask support for help (about a booking or a payment of mine, optionally). Honours `Idempotency-Key`."""
    user = request.user
    if payload.category not in Ticket.Category.values:
        raise ApiError(422, "validation_error", _("Choose a category."), {"category": list(Ticket.Category.values)})
    booking = payment = None
    if payload.booking_id:
        booking = selectors.user_bookings_for_tickets(user).filter(uuid=payload.booking_id).first()
        if booking is None:
            raise ApiError(422, "validation_error", _("Not one of your bookings."), {"booking_id": [_("Not valid.")]})
    if payload.payment_id:
        payment = selectors.user_payments_for_tickets(user).filter(pk=payload.payment_id).first()
        if payment is None:
            raise ApiError(422, "validation_error", _("Not one of your payments."), {"payment_id": [_("Not valid.")]})

    def create():
        ticket = ticket_open(requester=user, category=payload.category, subject=payload.subject,
                             description=payload.description, language_code=get_language() or "en",
                             booking=booking, payment=payment)  # fmt: skip
        data = _ticket_detail(selectors.ticket_for_user(user, ticket.uuid), include_internal=False)
        return 201, TicketDetailOut.model_validate(data).model_dump(mode="json")

    return run_once(
        request, key=idempotency_key, operation="ticket", body=payload.model_dump(mode="json"), create=create
    )


@support_router.get("/tickets", response={200: Page[TicketOut], **ERRORS}, operation_id="support_tickets")
def support_tickets(request: ApiRequest, params: Query[PageParams]):
    """My support requests, newest first."""
    return keyset_page(selectors.tickets_for_user(request.user), params, order=["-created_at", "-id"],
                       kind="my-tickets", convert=_ticket)  # fmt: skip


@support_router.get("/tickets/{ticket_id}", response={200: TicketDetailOut, **ERRORS}, operation_id="support_ticket")
def support_ticket(request: ApiRequest, ticket_id: uuid.UUID = TicketPath):
    try:
        ticket = selectors.ticket_for_user(request.user, ticket_id)
    except Http404:
        raise not_found() from None
    return _ticket_detail(ticket, include_internal=False)


class ReplyIn(Schema):
    body: str = Field(..., min_length=1, max_length=5000)


@support_router.post(
    "/tickets/{ticket_id}/reply", response={200: TicketDetailOut, **ERRORS}, operation_id="support_ticket_reply"
)
def support_ticket_reply(request: ApiRequest, payload: ReplyIn, ticket_id: uuid.UUID = TicketPath):
    try:
        ticket = selectors.ticket_for_user(request.user, ticket_id)
    except Http404:
        raise not_found() from None
    ticket_reply(ticket=ticket, author=request.user, body=payload.body)
    return _ticket_detail(selectors.ticket_for_user(request.user, ticket_id), include_internal=False)
