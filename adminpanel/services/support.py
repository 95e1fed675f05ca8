"""The support desk: tickets, the conversation on them, the emergency line and the SLA clock."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_language
from adminpanel.models import Ticket, TicketAttachment, TicketMessage
from mentors.documents import detect_document_type
from outbox.services import enqueue
from payments.models import Payment
from sessions_app.models import Booking
from sessions_app.room.selectors import get_session_membership, session_students
from sessions_app.room.services import chat_history

MAX_ATTACHMENTS = 3
EMERGENCY_CHAT_LINES = 20


def _enqueue_notice(ticket_id: int, event: str) -> None:
    from adminpanel import tasks

    enqueue(tasks.notify_ticket, ticket_id, event)


def _check_attachments(attachments: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("Attach at most %(count)d files.") % {"count": MAX_ATTACHMENTS}}, code="too_many"
        )
    checked = []
    for upload in attachments:
        try:
            checked.append((upload, detect_document_type(upload)))
        except ValidationError as error:
            raise ValidationError({"attachments": [f"{upload.name}: {m}" for m in error.messages]}) from error
    return checked


def _add_message(
    ticket: Ticket,
    *,
    author: User | None,
    body: str,
    from_staff: bool,
    internal: bool = False,
    attachments: Sequence[tuple[UploadedFile, str]] = (),
    now: dt.datetime,
) -> TicketMessage:
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, body=body, from_staff=from_staff, is_internal=internal, created_at=now
    )
    for upload, content_type in attachments:
        attachment = TicketAttachment(message=message, content_type=content_type, size=upload.size)
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
    return message


def _check_links(requester: User | None, booking: Booking | None, payment: Payment | None) -> None:
    if booking is not None and (
        requester is None or requester.pk not in (booking.student_id, booking.session.mentor_id)
    ):
        raise ValidationError({"booking": _("Choose one of your own bookings.")}, code="not_yours")
    if payment is not None and (requester is None or payment.payer_id != requester.pk):
        raise ValidationError({"payment": _("Choose one of your own payments.")}, code="not_yours")


def ticket_open(
    *,
    requester: User | None,
    category: str,
    subject: str,
    description: str,
    language_code: str,
    booking: Booking | None = None,
    payment: Payment | None = None,
    attachments: Sequence[UploadedFile] = (),
    contact_name: str = "",
    contact_email: str = "",
    is_appeal: bool = False,
    now: dt.datetime | None = None,
) -> Ticket:
    """A user (or a visitor, by email) asks for help; safety questions jump the queue."""
    now = now or timezone.now()
    if not description.strip():
        raise ValidationError({"description": _("Tell us what happened.")}, code="empty")
    if requester is None and not contact_email:
        raise ValidationError({"contact_email": _("Give us an email address to answer.")}, code="no_email")
    _check_links(requester, booking, payment)
    checked = _check_attachments(attachments)
    priority = (
        Ticket.Priority.HIGH
        if category in (Ticket.Category.SAFETY, Ticket.Category.ACCOUNT)
        else (Ticket.Priority.NORMAL)
    )
    if requester is None:
        priority = Ticket.Priority.LOW
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                requester=requester,
                contact_name=contact_name,
                contact_email=contact_email,
                language_code=language_code,
                category=category,
                subject=subject.strip()[:200],
                priority=priority,
                booking=booking,
                payment=payment,
                is_appeal=is_appeal,
                first_response_due_at=now + Ticket.FIRST_RESPONSE_TARGETS[priority],
                created_at=now,
            )
            _add_message(ticket, author=requester, body=description, from_staff=False, attachments=checked, now=now)
    except IntegrityError as error:
        if "ticket_one_appeal_per_user" in str(error):
            raise ValidationError(_("You have already appealed; support will answer on that ticket."), code="appealed")
        raise
    return ticket


def ticket_emergency_open(
    *, reporter: User, session_id: int, description: str, now: dt.datetime | None = None
) -> Ticket:
    """The emergency line from the room or a booking: an urgent safety ticket carrying the session's context,
    on-duty staff alerted at once (and a minor's guardian told)."""
    now = now or timezone.now()
    membership = get_session_membership(reporter, session_id)  # 404 / 403 for anyone not in the session
    session = membership.session
    if not description.strip():
        raise ValidationError({"description": _("Tell us what happened.")}, code="empty")
    students = session_students(session)
    context = {
        "session_title": session.title,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "mentor": {"id": session.mentor_id, "name": session.mentor.full_name},
        "students": [{"id": s.pk, "name": s.full_name, "minor": s.is_minor} for s in students],
        "chat": [
            {"at": m["sent_at"], "sender": m["sender_name"], "text": m["text"]}
            for m in chat_history(session_id=session.pk, limit=EMERGENCY_CHAT_LINES)
        ],
    }
    priority = Ticket.Priority.URGENT
    with transaction.atomic():
        ticket = Ticket.objects.create(
            requester=reporter,
            language_code=user_language(reporter),
            category=Ticket.Category.SAFETY,
            subject=_("Emergency in a session: %(title)s") % {"title": session.title[:150]},
            priority=priority,
            session=session,
            booking=membership.booking,
            is_emergency=True,
            context=context,
            first_response_due_at=now + Ticket.FIRST_RESPONSE_TARGETS[priority],
            created_at=now,
        )
        _add_message(ticket, author=reporter, body=description, from_staff=False, now=now)
        _enqueue_notice(ticket.pk, "emergency")
    return ticket


def ticket_reply(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    attachments: Sequence[UploadedFile] = (),
    internal: bool = False,
    resolve: bool = False,
    now: dt.datetime | None = None,
) -> TicketMessage:
    """A message on the ticket. Staff answers wait on the user (or resolve it); the user's reply reopens it."""
    now = now or timezone.now()
    if not body.strip():
        raise ValidationError({"body": _("Write a message.")}, code="empty")
    checked = _check_attachments(attachments)
    from_staff = author.is_support_staff and author.pk != ticket.requester_id
    if not from_staff and author.pk != ticket.requester_id:
        raise ValidationError(_("You cannot reply to this ticket."), code="forbidden")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status == Ticket.Status.CLOSED and not internal:
            raise ValidationError(_("This ticket is closed. Open a new one if you still need help."), code="closed")
        message = _add_message(
            ticket, author=author, body=body, from_staff=from_staff, internal=internal, attachments=checked, now=now
        )
        fields = ["updated_at"]
        if from_staff and not internal:
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                fields.append("first_response_at")
            ticket.status = Ticket.Status.RESOLVED if resolve else Ticket.Status.WAITING_ON_USER
            ticket.resolved_at = now if resolve else None
            fields += ["status", "resolved_at"]
            _enqueue_notice(ticket.pk, "staff_reply")
        elif not from_staff:
            ticket.status = Ticket.Status.OPEN
            ticket.resolved_at = None
            fields += ["status", "resolved_at"]
            if ticket.assignee_id:
                _enqueue_notice(ticket.pk, "user_reply")
        ticket.save(update_fields=fields)
    return message


def ticket_assign(*, ticket: Ticket, assignee: User | None, actor: User) -> Ticket:
    if assignee is not None and not (assignee.is_active and assignee.is_support_staff):
        raise ValidationError({"assignee": _("Tickets go to support staff only.")}, code="not_staff")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        ticket.assignee = assignee
        ticket.save(update_fields=["assignee", "updated_at"])
        note = (
            _("Assigned to %(name)s by %(actor)s.") % {"name": assignee.full_name, "actor": actor.full_name}
            if assignee
            else _("Unassigned by %(actor)s.") % {"actor": actor.full_name}
        )
        _add_message(ticket, author=actor, body=note, from_staff=True, internal=True, now=timezone.now())
    return ticket


def ticket_set_priority(*, ticket: Ticket, priority: int, actor: User) -> Ticket:
    """Re-prioritising moves the first-response target (from when the ticket was opened)."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        ticket.priority = priority
        ticket.first_response_due_at = ticket.created_at + Ticket.FIRST_RESPONSE_TARGETS[Ticket.Priority(priority)]
        ticket.save(update_fields=["priority", "first_response_due_at", "updated_at"])
        note = _("Priority set to %(priority)s by %(actor)s.") % {
            "priority": ticket.get_priority_display(),
            "actor": actor.full_name,
        }
        _add_message(ticket, author=actor, body=note, from_staff=True, internal=True, now=timezone.now())
    return ticket


def ticket_escalate(*, ticket: Ticket, actor: User, note: str) -> Ticket:
    """Hand a ticket to the admins: at least high priority, admins emailed, a note says why."""
    if not note.strip():
        raise ValidationError({"note": _("Say why this needs an admin.")}, code="empty")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.escalated_at is not None:
            raise ValidationError(_("This ticket is already with the admins."), code="escalated")
        ticket.escalated_at = timezone.now()
        fields = ["escalated_at", "updated_at"]
        if ticket.priority > Ticket.Priority.HIGH:
            ticket.priority = Ticket.Priority.HIGH
            ticket.first_response_due_at = ticket.created_at + Ticket.FIRST_RESPONSE_TARGETS[Ticket.Priority.HIGH]
            fields += ["priority", "first_response_due_at"]
        ticket.save(update_fields=fields)
        _add_message(
            ticket,
            author=actor,
            body=_("Escalated to an admin: %(note)s") % {"note": note},
            from_staff=True,
            internal=True,
            now=ticket.escalated_at,
        )
        _enqueue_notice(ticket.pk, "escalated")
    return ticket


def ticket_close(*, ticket: Ticket, actor: User) -> Ticket:
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        now = timezone.now()
        ticket.status = Ticket.Status.CLOSED
        ticket.closed_at = now
        ticket.save(update_fields=["status", "closed_at", "updated_at"])
        note = _("Closed by %(actor)s.") % {"actor": actor.full_name}
        _add_message(ticket, author=actor, body=note, from_staff=True, internal=True, now=now)
    return ticket


def tickets_auto_close(*, now: dt.datetime | None = None) -> int:
    """Close tickets resolved more than a week ago with no reply since (beat task; idempotent)."""
    now = now or timezone.now()
    return Ticket.objects.filter(status=Ticket.Status.RESOLVED, resolved_at__lte=now - Ticket.AUTO_CLOSE_AFTER).update(
        status=Ticket.Status.CLOSED, closed_at=now, updated_at=now
    )


def on_duty_staff() -> list[User]:
    """Support staff who take the emergency line: every active support and admin account."""
    return list(
        User.objects.filter(Q(role=User.Role.SUPPORT) | Q(role=User.Role.ADMIN), is_staff=True, is_active=True)
        .select_related("primary_language")
        .order_by("pk")
    )
