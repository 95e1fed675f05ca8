"""What we tell people about their sessions, by email (plain text + HTML, with an .ics) and in the app.

Every notice is written in the recipient's language (`accounts.selectors.user_language`) and shows times in the
recipient's time zone. `services.notify` decides who hears about what; this module words it and sends it.
"""

import datetime as dt
from dataclasses import dataclass, field
from email.mime.text import MIMEText
from types import SimpleNamespace

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_language
from accounts.timezones import time_zone_label
from mentorship.money import format_inr
from payments.selectors import invoice_for_payment
from sessions_app import ics
from sessions_app.models import Booking, Dispute, Session


@dataclass
class Notice:
    subject: str
    lines: list[str]
    action_label: str = ""
    action_path: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)
    calendar: bytes | None = None
    calendar_method: str = "REQUEST"

    @property
    def action_url(self) -> str:
        return settings.SITE_URL + self.action_path if self.action_path else ""


def when(session: Session, user: User) -> str:
    start = session.starts_at.astimezone(user.tzinfo)
    end = session.ends_at.astimezone(user.tzinfo)
    zone = time_zone_label(user.time_zone)
    return f"{date_format(start, 'l j F Y')}, {time_format(start, 'H:i')}–{time_format(end, 'H:i')} ({zone})"


def heading(session: Session, *, counterpart: User | None) -> str:
    return ics.session_summary(session, counterpart_name=counterpart.full_name if counterpart else "")


def _details(session: Session, recipient: User, *, counterpart: User | None, booking: Booking | None):
    details = [(_("Session"), heading(session, counterpart=counterpart)), (_("When"), when(session, recipient))]
    if recipient.pk != session.mentor_id:
        details.append((_("Mentor"), session.mentor.full_name))
    elif counterpart is not None:
        details.append((_("Student"), counterpart.full_name))
    details.append((_("Language"), session.language.display_name))
    if booking is not None and booking.price_paise and recipient.pk == booking.student_id:
        details.append((_("Price"), format_inr(booking.price_paise)))
    return details


def _booking_path(booking: Booking) -> str:
    return reverse("sessions_app:booking_detail", args=[booking.uuid])


def _hosted_path(session: Session) -> str:
    return reverse("sessions_app:hosted_session", args=[session.uuid])


def student_notice(booking: Booking, event: str) -> Notice | None:
    """The student's notice of a booking event (call with the student's language active)."""
    session, mentor = booking.session, booking.session.mentor
    title = heading(session, counterpart=mentor)
    path = _booking_path(booking)
    open_booking = _("See your booking")
    notices = {
        "confirmed": lambda: Notice(
            _("Booked: %(title)s") % {"title": title},
            [_("Your session is confirmed. The calendar invitation is attached."),
             _("You can join from “My sessions” a few minutes before the start.")],
            open_booking, path, calendar=ics.booking_invitation(booking),
        ),
        "rescheduled": lambda: Notice(
            _("New time: %(title)s") % {"title": title},
            [_("Your session has moved to a new time. The attached invitation updates your calendar.")],
            open_booking, path, calendar=ics.booking_invitation(booking),
        ),
        "cancelled": lambda: Notice(
            _("Cancelled: %(title)s") % {"title": title},
            [_("This session was cancelled."), _reason_line(booking), _refund_line(booking)],
            open_booking, path, calendar=ics.booking_invitation(booking, cancelled=True), calendar_method="CANCEL",
        ),
        "waitlist_offer": lambda: Notice(
            _("A seat is free for you: %(title)s") % {"title": title},
            [_("A seat opened up in a session you were waiting for. It is yours if you pay by %(deadline)s.")
             % {"deadline": _local_time(booking.hold_expires_at, booking.student)}],
            _("Pay and confirm"), path,
        ),
        "payment_failed": lambda: Notice(
            _("Payment failed: %(title)s") % {"title": title},
            [_("Your payment did not go through. No money was taken. We are still holding this time for you "
               "until %(deadline)s: you can try again.")
             % {"deadline": _local_time(booking.hold_expires_at, booking.student)}],
            _("Try again"), path,
        ),
        "late_payment_refunded": lambda: Notice(
            _("Refund on its way: %(title)s") % {"title": title},
            [_("Your payment arrived after the time we could hold your place, and the place has been taken. "
               "We are refunding all %(amount)s.") % {"amount": format_inr(booking.refund_paise)}],
            open_booking, path,
        ),
        "refunded": lambda: Notice(
            _("Refund processed: %(title)s") % {"title": title},
            [_("We have paid back %(amount)s. Banks can take 5–7 working days to show it.")
             % {"amount": format_inr(booking.refund_paise)}],
            open_booking, path,
        ),
    }
    build = notices.get(event)
    if build is None:
        return None
    notice = build()
    notice.lines = [line for line in notice.lines if line]
    notice.details = _details(session, booking.student, counterpart=mentor, booking=booking)
    if event == "confirmed" and booking.payment_id:
        invoice = invoice_for_payment(booking.payment_id)
        if invoice is not None:
            url = settings.SITE_URL + reverse("payments:invoice_download", args=[invoice.pk])
            notice.details.append((_("Tax invoice"), f"{invoice.number} · {url}"))
    return notice


def mentor_notice(booking: Booking, event: str) -> Notice | None:
    """The mentor's notice of a booking event. For a 1:1 session it carries the mentor's calendar entry."""
    session, student = booking.session, booking.student
    if session.is_group:
        group_lines = {
            "confirmed": _("%(name)s booked a seat in “%(title)s”."),
            "cancelled": _("%(name)s cancelled their seat in “%(title)s”."),
        }
        if event not in group_lines:
            return None
        line = group_lines[event] % {"name": student.full_name, "title": session.title}
        return Notice(line, [line], _("See the session"), _hosted_path(session),
                      details=_details(session, session.mentor, counterpart=None, booking=None))
    title = heading(session, counterpart=student)
    path = _booking_path(booking)
    notices = {
        "confirmed": lambda: Notice(
            _("New booking: %(title)s") % {"title": title},
            [_("%(name)s booked a session with you. Their questions are on the booking page.")
             % {"name": student.full_name}],
            _("See the booking"), path, calendar=ics.hosted_invitation(session, counterpart_name=student.full_name),
        ),
        "rescheduled": lambda: Notice(
            _("New time: %(title)s") % {"title": title},
            [_("This session has moved to a new time. The attached invitation updates your calendar.")],
            _("See the booking"), path, calendar=ics.hosted_invitation(session, counterpart_name=student.full_name),
        ),
        "cancelled": lambda: Notice(
            _("Cancelled: %(title)s") % {"title": title},
            [_("This session was cancelled; the time is free again in your availability.")],
            _("See the booking"), path,
            calendar=ics.hosted_invitation(session, counterpart_name=student.full_name, cancelled=True),
            calendar_method="CANCEL",
        ),
    }
    build = notices.get(event)
    if build is None:
        return None
    notice = build()
    notice.details = _details(session, session.mentor, counterpart=student, booking=booking)
    return notice


def hosted_session_notice(session: Session, event: str) -> Notice | None:
    """The mentor's notice about a group session they run (published, moved, cancelled)."""
    path = _hosted_path(session)
    notices = {
        "published": lambda: Notice(
            _("Published: %(title)s") % {"title": session.title},
            [_("Your group session is open for booking. The calendar invitation is attached.")],
            _("See the session"), path, calendar=ics.hosted_invitation(session, counterpart_name=""),
        ),
        "rescheduled": lambda: Notice(
            _("New time: %(title)s") % {"title": session.title},
            [_("Your group session has a new time; every student who booked has been told.")],
            _("See the session"), path, calendar=ics.hosted_invitation(session, counterpart_name=""),
        ),
        "cancelled": lambda: Notice(
            _("Cancelled: %(title)s") % {"title": session.title},
            [_("Your group session was cancelled; every student who booked gets a full refund.")],
            _("See the session"), path,
            calendar=ics.hosted_invitation(session, counterpart_name="", cancelled=True), calendar_method="CANCEL",
        ),
    }
    build = notices.get(event)
    if build is None:
        return None
    notice = build()
    notice.details = _details(session, session.mentor, counterpart=None, booking=None)
    return notice


def reminder_notice(session: Session, recipient: User, *, kind: str, booking: Booking | None) -> Notice:
    """A 24-hour or 1-hour reminder; `booking` is the recipient's own (None for the mentor of a group session)."""
    counterpart = None
    if not session.is_group:
        assert booking is not None  # a 1:1 session's reminders always come with its booking
        counterpart = session.mentor if recipient.pk != session.mentor_id else booking.student
    title = heading(session, counterpart=counterpart)
    if kind == "1h":
        subject = _("Starting in an hour: %(title)s") % {"title": title}
        line = _("Your session starts in about an hour. Join from PeerLearn a few minutes before the start.")
    else:
        subject = _("Tomorrow: %(title)s") % {"title": title}
        line = _("A reminder that your session is in about 24 hours.")
    path = _booking_path(booking) if booking is not None else _hosted_path(session)
    return Notice(
        subject, [line], _("Open the session"), path,
        details=_details(session, recipient, counterpart=counterpart, booking=booking),
    )


def dispute_notice(dispute: Dispute) -> Notice:
    booking = dispute.booking
    title = heading(booking.session, counterpart=booking.student)
    return Notice(
        _("A problem was reported: %(title)s") % {"title": title},
        [_("%(name)s reported a problem with this session (%(kind)s). Our support team will look into it and may "
           "contact you.") % {"name": booking.student.full_name, "kind": dispute.get_kind_display()}],
        _("See the booking"), _booking_path(booking),
    )


def _reason_line(booking: Booking) -> str:
    """Why someone else cancelled (the student knows their own reason)."""
    if booking.cancellation_note and booking.cancellation_reason != Booking.CancelReason.STUDENT:
        return _("Reason given: %(reason)s") % {"reason": booking.cancellation_note}
    return ""


def _refund_line(booking: Booking) -> str:
    if booking.refund_paise:
        return _("We are refunding %(amount)s to the way you paid.") % {"amount": format_inr(booking.refund_paise)}
    if booking.is_paid:
        return _("Under the cancellation policy no refund is due.")
    return ""


def _local_time(value: dt.datetime | None, user: User) -> str:
    if value is None:
        return ""
    local = value.astimezone(user.tzinfo)
    return f"{date_format(local, 'j F Y')}, {time_format(local, 'H:i')} ({time_zone_label(user.time_zone)})"


def in_language(user: User):
    """Use as `with in_language(user):` around building a notice for that user."""
    return translation.override(user_language(user))


def send_email(recipient: User | SimpleNamespace, notice: Notice) -> None:
    """Send a notice built in the recipient's language (the caller holds `in_language(recipient)`)."""
    build_email(recipient, notice).send()


def build_email(recipient: User | SimpleNamespace, notice: Notice) -> EmailMultiAlternatives:
    """The email of a notice (with its calendar part), built in the active language."""
    context = {"recipient": recipient, "notice": notice}
    text = render_to_string("sessions_app/email/notice.txt", context)
    html = render_to_string("sessions_app/email/notice.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + notice.subject, body=text, to=[recipient.email]
    )
    message.attach_alternative(html, "text/html")
    if notice.calendar is not None:
        part = MIMEText(notice.calendar.decode(), "calendar", "utf-8")
        part.set_param("method", notice.calendar_method)
        filename = "cancel.ics" if notice.calendar_method == "CANCEL" else "invite.ics"
        part.add_header("Content-Disposition", "attachment", filename=filename)
        message.attach(part)
    return message
