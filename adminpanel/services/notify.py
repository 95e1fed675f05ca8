"""Who hears about what on the support desk and about staff decisions: notifications (in the app, by email or SMS
as each person's preferences say, in their own language), and emails to visitors and guardians without accounts."""

from types import SimpleNamespace

from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import GuardianConsent, User
from accounts.services import notification_raise
from adminpanel.models import AccountAction, QualityReview, Ticket
from sessions_app.emails import Notice, in_language, send_email


def _staff_path(ticket: Ticket) -> str:
    return reverse("adminpanel:ticket", args=[ticket.pk])


def _requester_path(ticket: Ticket) -> str:
    return reverse("help:ticket", args=[ticket.uuid])


def _latest_public_reply(ticket: Ticket) -> str:
    message = ticket.messages.filter(is_internal=False).order_by("-created_at", "-id").first()
    return message.body if message else ""


def _staff_reply_notice(ticket: Ticket) -> Notice:
    lines = [
        _("Support answered your request “%(subject)s”:") % {"subject": ticket.subject},
        _latest_public_reply(ticket),
    ]
    if ticket.status == Ticket.Status.RESOLVED:
        lines.append(_("We think this is solved. Reply within 7 days if it is not, and the ticket reopens."))
    return Notice(
        _("Support replied: %(subject)s") % {"subject": ticket.subject},
        lines,
        _("Read and reply"),
        _requester_path(ticket),
    )


def _guardian_notice(ticket: Ticket, student: User) -> Notice:
    return Notice(
        _("A safety report about %(name)s's session on PeerLearn") % {"name": student.full_name},
        [
            _(
                "Someone in a session that %(name)s took part in reported a safety problem. "
                "Our support team is looking into it now and will contact you if they need anything."
            )
            % {"name": student.full_name}
        ],
    )


def ticket_notify(*, ticket_id: int, event: str) -> None:
    ticket = Ticket.objects.select_related("requester__primary_language", "assignee__primary_language").get(
        pk=ticket_id
    )
    if event == "staff_reply":
        if ticket.requester is not None:
            notification_raise(
                recipient=ticket.requester,
                kind="support.reply",
                params={
                    "ticket": ticket.pk,
                    "subject": ticket.subject,
                    "reply": _latest_public_reply(ticket)[:500],
                    "resolved": ticket.status == Ticket.Status.RESOLVED,
                },
                link=_requester_path(ticket),
            )
        else:
            visitor = SimpleNamespace(
                email=ticket.contact_email, get_short_name=ticket.contact_name or ticket.contact_email
            )
            with translation.override(ticket.language_code):
                notice = _staff_reply_notice(ticket)
                notice.action_path = ""
                send_email(visitor, notice)
    elif event == "user_reply" and ticket.assignee is not None:
        notification_raise(
            recipient=ticket.assignee,
            kind="support.ticket_reply",
            params={"ticket": ticket.pk, "reply": _latest_public_reply(ticket)[:500]},
            link=_staff_path(ticket),
        )
    elif event == "escalated":
        for admin in User.objects.filter(role=User.Role.ADMIN, is_staff=True, is_active=True):
            notification_raise(
                recipient=admin,
                kind="support.escalated",
                params={"ticket": ticket.pk, "subject": ticket.subject},
                link=_staff_path(ticket),
            )
    elif event == "emergency":
        _notify_emergency(ticket)


def _notify_emergency(ticket: Ticket) -> None:
    from adminpanel.services.support import on_duty_staff

    for member in on_duty_staff():
        notification_raise(
            recipient=member,
            kind="support.emergency",
            params={"ticket": ticket.pk, "subject": ticket.subject, "reply": _latest_public_reply(ticket)[:500]},
            link=_staff_path(ticket),
        )
    minors = [s["id"] for s in ticket.context.get("students", []) if s.get("minor")]
    if not minors:
        return
    consents = (
        GuardianConsent.objects.filter(student_id__in=minors)
        .filter(Q(status=GuardianConsent.Status.GRANTED) | Q(status=GuardianConsent.Status.PENDING))
        .select_related("student__primary_language")
        .order_by("student_id", "-created_at")
        .distinct("student_id")
    )
    for consent in consents:
        guardian = SimpleNamespace(email=consent.guardian_email, get_short_name=consent.guardian_name)
        # Guardians have no account; they read in their child's language.
        with in_language(consent.student):
            send_email(guardian, _guardian_notice(ticket, consent.student))


def account_action_notify(*, action_id: int) -> None:
    """The user is told why their account changed (the email copy matters: a suspended user cannot open the app)."""
    action = AccountAction.objects.select_related("user__primary_language").get(pk=action_id)
    notification_raise(
        recipient=action.user,
        kind="account.action",
        params={"action": action.kind, "reason": action.reason},
        dedupe_key=f"account-action:{action.pk}",
    )


def quality_review_notify(*, review_id: int) -> None:
    review = QualityReview.objects.select_related("mentor__primary_language").get(pk=review_id)
    notification_raise(
        recipient=review.mentor,
        kind="quality.review",
        params={"review": review.pk, "outcome": review.outcome, "trigger": review.trigger, "note": review.note},
        link=reverse("mentors:dashboard"),
        dedupe_key=f"quality-review:{review.pk}:{review.outcome}",
    )
