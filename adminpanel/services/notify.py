"""Who hears about what on the support desk, by email in their own language and in the app."""

from types import SimpleNamespace

from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import GuardianConsent, User
from adminpanel.models import AccountAction, QualityReview, Ticket
from sessions_app.emails import Notice, in_language, send_email
from sessions_app.services import notification_add


def _tell(user: User, notice: Notice) -> None:
    send_email(user, notice)
    notification_add(user=user, title=notice.subject, body=" ".join(notice.lines), url=notice.action_path)


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


def _emergency_notice(ticket: Ticket) -> Notice:
    return Notice(
        _("EMERGENCY: %(subject)s") % {"subject": ticket.subject},
        [
            _("A safety problem was reported from a session. First response is due within 15 minutes."),
            _latest_public_reply(ticket),
        ],
        _("Open the ticket"),
        _staff_path(ticket),
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
            with in_language(ticket.requester):
                _tell(ticket.requester, _staff_reply_notice(ticket))
        else:
            visitor = SimpleNamespace(
                email=ticket.contact_email, get_short_name=ticket.contact_name or ticket.contact_email
            )
            with translation.override(ticket.language_code):
                notice = _staff_reply_notice(ticket)
                notice.action_path = ""
                send_email(visitor, notice)
    elif event == "user_reply" and ticket.assignee is not None:
        with in_language(ticket.assignee):
            _tell(
                ticket.assignee,
                Notice(
                    _("New reply on ticket #%(id)s") % {"id": ticket.pk},
                    [_latest_public_reply(ticket)],
                    _("Open the ticket"),
                    _staff_path(ticket),
                ),
            )
    elif event == "escalated":
        for admin in User.objects.filter(role=User.Role.ADMIN, is_staff=True, is_active=True):
            with in_language(admin):
                _tell(
                    admin,
                    Notice(
                        _("Escalated: ticket #%(id)s") % {"id": ticket.pk},
                        [ticket.subject],
                        _("Open the ticket"),
                        _staff_path(ticket),
                    ),
                )
    elif event == "emergency":
        _notify_emergency(ticket)


def _notify_emergency(ticket: Ticket) -> None:
    from adminpanel.services.support import on_duty_staff

    for member in on_duty_staff():
        with in_language(member):
            _tell(member, _emergency_notice(ticket))
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
    """The user is told why their account changed (by email: a suspended user cannot open the app)."""
    action = AccountAction.objects.select_related("user__primary_language").get(pk=action_id)
    user = action.user
    with in_language(user):
        subjects: dict[str, str] = {
            AccountAction.Kind.SUSPEND: _("Your PeerLearn account is suspended"),
            AccountAction.Kind.DEACTIVATE: _("Your PeerLearn account is deactivated"),
            AccountAction.Kind.REINSTATE: _("Your PeerLearn account is active again"),
            AccountAction.Kind.WARN: _("A warning about your PeerLearn account"),
        }
        lines = [_("Reason: %(reason)s") % {"reason": action.reason}]
        if action.kind == AccountAction.Kind.SUSPEND:
            lines += [
                _("Your upcoming sessions were cancelled and the other side refunded in full."),
                _("You can appeal once: sign in and follow the link on the page you see."),
            ]
        notice = Notice(subjects[action.kind], lines)
        if action.kind in (AccountAction.Kind.REINSTATE, AccountAction.Kind.WARN):
            _tell(user, notice)
        else:
            send_email(user, notice)


def quality_review_notify(*, review_id: int) -> None:
    review = QualityReview.objects.select_related("mentor__primary_language").get(pk=review_id)
    with in_language(review.mentor):
        _tell(
            review.mentor,
            Notice(
                _("Quality review: %(outcome)s") % {"outcome": review.get_outcome_display()},
                [
                    _("We reviewed your recent sessions (%(reason)s).") % {"reason": review.get_trigger_display()},
                    review.note,
                ],
                _("See it on your dashboard"),
                reverse("mentors:dashboard"),
            ),
        )
