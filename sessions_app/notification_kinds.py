"""The notification kinds ``sessions_app`` raises (registered in ``apps.py``), read in the reader's language.

Parameters are facts (ids, codes, times, amounts, the names people typed); the words come from here when the
notification is read. The email copy is the full notice of ``emails`` (details and calendar invitation).
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Notification, User
from accounts.notifications.kinds import NotificationText, local_datetime, notification_kind_register
from mentorship.money import format_inr
from sessions_app.models import Booking, Dispute, Session


def session_params(session: Session, *, counterpart: User | None) -> dict[str, Any]:
    """What a session's notices need to name it and its time without reading it again."""
    return {
        "session": str(session.uuid),
        "group": session.is_group,
        "title": session.title if session.is_group else "",
        "type": session.session_type,
        "with": counterpart.full_name if counterpart is not None else "",
        "starts_at": session.starts_at.isoformat(),
    }


def booking_params(booking: Booking, *, recipient: User, event: str) -> dict[str, Any]:
    session = booking.session
    counterpart = session.mentor if recipient.pk == booking.student_id else booking.student
    return {
        **session_params(session, counterpart=counterpart),
        "booking": str(booking.uuid),
        "event": event,
        "role": "student" if recipient.pk == booking.student_id else "mentor",
    }


def _heading(p: dict[str, Any]) -> str:
    if p.get("group"):
        return p.get("title", "")
    try:
        label = Session.SessionType(p.get("type", "")).label
    except ValueError:
        label = Session.Kind.ONE_TO_ONE.label
    return _("%(type)s with %(name)s") % {"type": label, "name": p.get("with", "")}


def _when(p: dict[str, Any], viewer: User) -> str:
    return local_datetime(p.get("starts_at"), viewer)


def _booking_confirmed(p: dict, viewer: User) -> NotificationText:
    return NotificationText(
        _("Booked: %(title)s") % {"title": _heading(p)},
        f"{_when(p, viewer)}. " + _("You can join from “My sessions” a few minutes before the start."),
    )


def _booking_received(p: dict, viewer: User) -> NotificationText:
    return NotificationText(
        _("New booking: %(title)s") % {"title": _heading(p)},
        f"{_when(p, viewer)}. "
        + _("%(name)s booked a session with you. Their questions are on the booking page.")
        % {"name": p.get("with", "")},
    )


def _booking_rescheduled(p: dict, viewer: User) -> NotificationText:
    return NotificationText(
        _("New time: %(title)s") % {"title": _heading(p)},
        _("Now on %(when)s.") % {"when": _when(p, viewer)},
    )


def _booking_cancelled(p: dict, viewer: User) -> NotificationText:
    lines = [_("This session was cancelled.")]
    if p.get("reason"):
        lines.append(_("Reason given: %(reason)s") % {"reason": p["reason"]})
    if p.get("refund"):
        lines.append(_("We are refunding %(amount)s to the way you paid.") % {"amount": format_inr(p["refund"])})
    return NotificationText(_("Cancelled: %(title)s") % {"title": _heading(p)}, " ".join(lines))


def _waitlist_offer(p: dict, viewer: User) -> NotificationText:
    return NotificationText(
        _("A seat is free for you: %(title)s") % {"title": _heading(p)},
        _("A seat opened up in a session you were waiting for. It is yours if you pay by %(deadline)s.")
        % {"deadline": local_datetime(p.get("deadline"), viewer)},
    )


def _payment_failed(p: dict, viewer: User) -> NotificationText:
    return NotificationText(
        _("Payment failed: %(title)s") % {"title": _heading(p)},
        _(
            "Your payment did not go through. No money was taken. We are still holding this time for you "
            "until %(deadline)s: you can try again."
        )
        % {"deadline": local_datetime(p.get("deadline"), viewer)},
    )


def _refund_sent(p: dict, viewer: User) -> NotificationText:
    amount = format_inr(p.get("amount", 0))
    if p.get("late"):
        body = _(
            "Your payment arrived after the time we could hold your place, and the place has been taken. "
            "We are refunding all %(amount)s."
        ) % {"amount": amount}
        return NotificationText(_("Refund on its way: %(title)s") % {"title": _heading(p)}, body)
    return NotificationText(
        _("Refund processed: %(title)s") % {"title": _heading(p)},
        _("We have paid back %(amount)s. Banks can take 5–7 working days to show it.") % {"amount": amount},
    )


def _group_seat(p: dict, viewer: User) -> NotificationText:
    line = (
        _("%(name)s booked a seat in “%(title)s”.")
        if p.get("event") == "confirmed"
        else _("%(name)s cancelled their seat in “%(title)s”.")
    ) % {"name": p.get("with", ""), "title": p.get("title", "")}
    return NotificationText(line, _when(p, viewer))


def _hosted(p: dict, viewer: User) -> NotificationText:
    event = p.get("event")
    if event == "published":
        return NotificationText(
            _("Published: %(title)s") % {"title": p.get("title", "")},
            _("Your group session is open for booking. The calendar invitation is attached."),
        )
    if event == "rescheduled":
        return NotificationText(
            _("New time: %(title)s") % {"title": p.get("title", "")},
            _("Your group session has a new time; every student who booked has been told."),
        )
    return NotificationText(
        _("Cancelled: %(title)s") % {"title": p.get("title", "")},
        _("Your group session was cancelled; every student who booked gets a full refund."),
    )


def _reminder(p: dict, viewer: User) -> NotificationText:
    if p.get("lead") == "1h":
        return NotificationText(
            _("Starting in an hour: %(title)s") % {"title": _heading(p)},
            _("Your session starts in about an hour. Join from PeerLearn a few minutes before the start."),
        )
    return NotificationText(
        _("Tomorrow: %(title)s") % {"title": _heading(p)},
        _("A reminder that your session is in about 24 hours.") + f" {_when(p, viewer)}",
    )


def _dispute(p: dict, viewer: User) -> NotificationText:
    try:
        kind = Dispute.Kind(p.get("kind", "")).label
    except ValueError:
        kind = p.get("kind", "")
    return NotificationText(
        _("A problem was reported: %(title)s") % {"title": _heading(p)},
        _(
            "%(name)s reported a problem with this session (%(kind)s). Our support team will look into it and may "
            "contact you."
        )
        % {"name": p.get("with", ""), "kind": kind},
    )


def _review_received(p: dict, viewer: User) -> NotificationText:
    return NotificationText(
        _("New review: %(stars)s★ from %(name)s") % {"stars": p.get("rating", ""), "name": p.get("with", "")},
        _heading(p),
    )


def _tip_received(p: dict, viewer: User) -> NotificationText:
    return NotificationText(
        _("%(name)s sent you a tip of %(amount)s")
        % {"name": p.get("with", ""), "amount": format_inr(p.get("amount", 0))},
        p.get("message", "") or _heading(p),
    )


# --- the full emails (details and calendar), built when the email goes out -----------------------------------


def _booking_email(notification: Notification, recipient: User) -> EmailMessage | None:
    from sessions_app import emails

    p = notification.params
    booking = (
        Booking.objects.select_related("session", "session__mentor", "session__language", "student")
        .filter(uuid=p.get("booking"))
        .first()
    )
    if booking is None:
        return None
    if p.get("role") == "mentor":
        notice = emails.mentor_notice(booking, p.get("event", ""))
    else:
        notice = emails.student_notice(booking, p.get("event", ""))
    return emails.build_email(recipient, notice) if notice is not None else None


def _hosted_email(notification: Notification, recipient: User) -> EmailMessage | None:
    from sessions_app import emails

    session = (
        Session.objects.select_related("mentor", "language").filter(uuid=notification.params.get("session")).first()
    )
    if session is None:
        return None
    notice = emails.hosted_session_notice(session, notification.params.get("event", ""))
    return emails.build_email(recipient, notice) if notice is not None else None


def _reminder_email(notification: Notification, recipient: User) -> EmailMessage | None:
    from sessions_app import emails

    p = notification.params
    session = Session.objects.select_related("mentor", "language").filter(uuid=p.get("session")).first()
    if session is None:
        return None
    booking = None
    if p.get("booking"):
        booking = Booking.objects.select_related("student").filter(uuid=p["booking"]).first()
    notice = emails.reminder_notice(session, recipient, kind=p.get("lead", "24h"), booking=booking)
    return emails.build_email(recipient, notice)


def booking_link(booking: Booking) -> str:
    return reverse("sessions_app:booking_detail", args=[booking.uuid])


def hosted_link(session: Session) -> str:
    return reverse("sessions_app:hosted_session", args=[session.uuid])


def register_notification_kinds() -> None:
    register = notification_kind_register
    register(
        "sessions.booking_confirmed",
        category="sessions",
        label=gettext_lazy("Booking confirmed"),
        display=_booking_confirmed,
        email_message=_booking_email,
        guardian_copy=True,
    )
    register(
        "sessions.booking_received",
        category="sessions",
        label=gettext_lazy("New booking (mentors)"),
        display=_booking_received,
        email_message=_booking_email,
        priority="high",
    )
    register(
        "sessions.booking_rescheduled",
        category="sessions",
        label=gettext_lazy("Session moved"),
        display=_booking_rescheduled,
        email_message=_booking_email,
        priority="high",
        guardian_copy=True,
    )
    register(
        "sessions.booking_cancelled",
        category="sessions",
        label=gettext_lazy("Session cancelled"),
        display=_booking_cancelled,
        email_message=_booking_email,
        priority="high",
        guardian_copy=True,
    )
    register(
        "sessions.waitlist_offer",
        category="sessions",
        label=gettext_lazy("Waitlist seat offered"),
        display=_waitlist_offer,
        email_message=_booking_email,
        priority="high",
        sms=True,
    )
    register(
        "sessions.payment_failed",
        category="payments",
        label=gettext_lazy("Payment failed"),
        display=_payment_failed,
        email_message=_booking_email,
        priority="high",
    )
    register(
        "sessions.refund_sent",
        category="payments",
        label=gettext_lazy("Refund sent"),
        display=_refund_sent,
        email_message=_booking_email,
    )
    register(
        "sessions.group_seat",
        category="sessions",
        label=gettext_lazy("Seats booked or freed in your group sessions"),
        display=_group_seat,
        email_message=_booking_email,
        priority="low",
    )
    register(
        "sessions.hosted_session",
        category="sessions",
        label=gettext_lazy("Your group sessions"),
        display=_hosted,
        email_message=_hosted_email,
    )
    register(
        "sessions.reminder",
        category="reminders",
        label=gettext_lazy("Session reminders"),
        display=_reminder,
        email_message=_reminder_email,
    )
    register(
        "sessions.dispute_raised",
        category="sessions",
        label=gettext_lazy("A problem reported with a session"),
        display=_dispute,
        priority="high",
    )
    register(
        "sessions.review_received", category="reviews", label=gettext_lazy("Review received"), display=_review_received
    )
    register(
        "sessions.tip_received",
        category="reviews",
        label=gettext_lazy("Tip received"),
        display=_tip_received,
        priority="high",
    )
