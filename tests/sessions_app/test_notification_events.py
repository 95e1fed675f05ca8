"""Each session event notifies the right people, in their language, with guardians' copies for minors."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.models import Notification
from accounts.notifications.kinds import notification_text
from sessions_app import services
from sessions_app.models import Booking
from sessions_app.room import feedback as feedback_services
from tests.factories import BookingFactory, GroupSessionFactory, GuardianConsentFactory

pytestmark = pytest.mark.django_db


def kinds_of(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_paid_booking_tells_the_student_the_mentor_and_sends_receipt_and_invoice(paid_booking, student):
    booking = paid_booking()
    mentor = booking.session.mentor
    assert kinds_of(student) == ["payments.invoice_ready", "payments.payment_received", "sessions.booking_confirmed"]
    assert kinds_of(mentor) == ["sessions.booking_received"]
    received = Notification.objects.get(recipient=mentor)
    assert received.priority == "high" and received.link == f"/bookings/{booking.uuid}/"
    mentor.ui_language = "en"
    with translation.override("hi"):
        text = notification_text(received, mentor)
    assert text.title.startswith("New booking: Career counselling with ")
    assert student.full_name in text.body
    # The student reads Hindi (their primary language): the same row, their words.
    confirmed = Notification.objects.get(recipient=student, kind="sessions.booking_confirmed")
    assert notification_text(confirmed, student).title != notification_text(confirmed, mentor).title
    # One email each for the booking (with the calendar invitation), none for the receipt (in-app only).
    to_student = [m for m in mail.outbox if m.to == [student.email]]
    assert any(a for m in to_student for a in m.attachments) or any(
        "text/calendar" in str(part) for m in to_student for part in m.message().walk()
    )


def test_a_mentor_cancelling_tells_both_with_the_refund_and_the_reason(paid_booking, student, committed):
    booking = paid_booking()
    mentor = booking.session.mentor
    with committed():
        services.booking_cancel(booking=booking, actor=mentor, note="I am unwell")
    cancelled = Notification.objects.get(recipient=student, kind="sessions.booking_cancelled")
    assert cancelled.params["reason"] == "I am unwell" and cancelled.params["refund"] == 120_000
    assert cancelled.priority == "high"
    assert Notification.objects.filter(recipient=mentor, kind="sessions.booking_cancelled").exists()
    with translation.override("en"):
        body = notification_text(cancelled, mentor).body  # read as English to check the wording
    assert "I am unwell" in body


def test_a_minors_guardian_gets_copies_of_booking_and_cancellation_notices(committed):
    consent = GuardianConsentFactory(granted=True)
    session = GroupSessionFactory()
    booking = BookingFactory(student=consent.student, session=session, status=Booking.Status.CONFIRMED)
    with committed():
        services.notify_booking_event(booking_id=booking.pk, event="confirmed")
        services.notify_booking_event(booking_id=booking.pk, event="cancelled")
    copies = [m for m in mail.outbox if m.to == [consent.guardian_email]]
    assert len(copies) == 2
    assert session.title in copies[0].body
    # The mentor's own notice (a seat booked) is not copied to anyone.
    assert kinds_of(session.mentor) == ["sessions.group_seat", "sessions.group_seat"]


def test_a_waitlist_seat_offer_is_high_priority_and_can_go_by_sms(committed, capsys):
    booking = BookingFactory(
        status=Booking.Status.PENDING_PAYMENT, hold_expires_at=timezone.now() + dt.timedelta(minutes=30)
    )
    student = booking.student
    student.phone = "+919876543210"
    student.save(update_fields=["phone"])
    profile = student.student_profile if hasattr(student, "student_profile") else None
    if profile is not None:
        profile.notify_sms = True
        profile.save(update_fields=["notify_sms"])
    with committed():
        services.notify_booking_event(booking_id=booking.pk, event="waitlist_offer")
    offer = Notification.objects.get(recipient=student, kind="sessions.waitlist_offer")
    assert offer.priority == "high" and offer.sms_status == "sent"
    assert "SMS to +919876543210: PeerLearn: " in capsys.readouterr().out


def test_a_review_and_a_tip_reach_the_mentor(django_capture_on_commit_callbacks):
    booking = BookingFactory(status="completed", session=GroupSessionFactory(status="completed"))
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.review_submit(booking=booking, student=booking.student, rating=5, comment="Great")
    review = Notification.objects.get(recipient=booking.session.mentor, kind="sessions.review_received")
    assert review.params["rating"] == 5 and review.params["with"] == booking.student.full_name
    with translation.override("en"):
        assert notification_text(review, booking.session.mentor).title.startswith("New review: 5★")
