"""What ``adminpanel`` holds about a user (support tickets and appeals, reports, feedback, account actions,
quality reviews), for their data export and account erasure (registered in apps.py)."""

from django.db.models import Q, Value
from django.db.models.functions import Replace

from accounts.privacy.registry import ExportPart, files_of, rows
from adminpanel.models import (
    AccountAction,
    ModerationReport,
    PlatformFeedback,
    QualityReview,
    Ticket,
    TicketAttachment,
    TicketMessage,
)

# Who on the staff handled something is the staff member's data, not the user's.
STAFF_FIELDS = ["assignee", "decided_by", "actor"]


def _tickets(user):
    return Ticket.objects.filter(Q(requester=user) | Q(requester__isnull=True, contact_email__iexact=user.email))


def export_adminpanel_data(*, user) -> ExportPart:
    tickets = list(_tickets(user).order_by("id"))
    # What the user wrote and what support answered them; staff-only notes are not theirs to see.
    messages = list(
        TicketMessage.objects.filter(Q(ticket__in=tickets, is_internal=False) | Q(author=user)).order_by("id")
    )
    attachments = list(TicketAttachment.objects.filter(message__in=messages).select_related("message").order_by("id"))
    reports_about = ModerationReport.objects.filter(reported_user=user).order_by("id")
    return ExportPart(
        data={
            "support_tickets": rows(tickets, exclude=STAFF_FIELDS),
            "appeals": [ticket.pk for ticket in tickets if ticket.is_appeal],
            "support_messages": rows(messages, exclude=["author"]),
            "support_attachments": rows(attachments, exclude=["file"]),
            "reports_made": rows(
                ModerationReport.objects.filter(reporter=user).order_by("id"), exclude=["reporter", *STAFF_FIELDS]
            ),
            # Who reported them and what they wrote stays with the reporter (their safety).
            "reports_about_you": rows(reports_about, exclude=["reporter", "details", *STAFF_FIELDS]),
            "platform_feedback": rows(PlatformFeedback.objects.filter(user=user).order_by("id"), exclude=["user"]),
            "account_actions": rows(AccountAction.objects.filter(user=user).order_by("id"), exclude=["user", "actor"]),
            "quality_reviews": rows(
                QualityReview.objects.filter(mentor=user).order_by("id"), exclude=["mentor", *STAFF_FIELDS]
            ),
        },
        files=files_of(attachments, "file", "support-attachments"),
    )


def _replace_identity(queryset, field: str, *, user, pseudonym: str) -> None:
    """Staff text kept for the record (replies, decisions, reasons) may name the person: the name and email
    become the pseudonym."""
    for needle in {user.full_name, user.email} - {""}:
        queryset.filter(**{f"{field}__contains": needle}).update(
            **{field: Replace(field, Value(needle), Value(pseudonym))}
        )


def erase_adminpanel_data(*, user, pseudonym: str) -> None:
    """Tickets stay (support history, SLA figures) without the user's words, files or contact details; the
    feedback and reports they sent go."""
    tickets = _tickets(user)
    ticket_ids = list(tickets.values_list("pk", flat=True))
    own_messages = TicketMessage.objects.filter(Q(ticket__in=ticket_ids, from_staff=False) | Q(author=user))
    for attachment in TicketAttachment.objects.filter(message__in=own_messages):
        attachment.file.delete(save=False)
    TicketAttachment.objects.filter(message__in=own_messages).delete()
    own_messages.update(body="")
    _replace_identity(TicketMessage.objects.filter(ticket__in=ticket_ids), "body", user=user, pseudonym=pseudonym)
    tickets.filter(requester=user).update(subject=pseudonym, contact_name="", contact_email="", context={})
    # A visitor's ticket has no account to point at: the address is replaced by one that leads nowhere.
    tickets.filter(requester__isnull=True).update(
        subject=pseudonym, contact_name="", contact_email=f"deleted-{user.pk}@deleted.invalid", context={}
    )
    PlatformFeedback.objects.filter(user=user).delete()
    ModerationReport.objects.filter(reporter=user).delete()
    reports_about = ModerationReport.objects.filter(reported_user=user)
    _replace_identity(reports_about, "details", user=user, pseudonym=pseudonym)
    _replace_identity(reports_about, "decision_note", user=user, pseudonym=pseudonym)
    _replace_identity(AccountAction.objects.filter(user=user), "reason", user=user, pseudonym=pseudonym)
    _replace_identity(QualityReview.objects.filter(mentor=user), "note", user=user, pseudonym=pseudonym)
