"""A user with data in every app, for the export and deletion tests."""

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from sessions_app.models import Dispute, MentorNote, Notification
from tests.factories import (
    FollowUpTaskFactory,
    GuardianConsentFactory,
    ReviewFactory,
    SessionMessageFactory,
    VerificationDocumentFactory,
)

NAME = "Zorawar Quillfeather"
EMAIL = "zorawar.quillfeather@example.test"
PHONE = "+919812345678"


def fill_student_data(student, *, paid_booking, photo_bytes: bytes) -> dict:
    """Give ``student`` (already named NAME, EMAIL, PHONE) a trace in every app; return what was made."""
    student.photo.save("me.png", ContentFile(photo_bytes), save=True)
    upcoming = paid_booking(student=student)
    review = ReviewFactory(
        booking__student=student,
        booking__session__starts_at=timezone.now() - dt.timedelta(days=3),
        booking__session__ends_at=timezone.now() - dt.timedelta(days=3) + dt.timedelta(hours=1),
        booking__session__status="completed",
        comment="Quillfeather-approved explanations of torque.",
    )
    session = review.session
    message = SessionMessageFactory(session=session, sender=student, text=f"Hi, I am {NAME}, call {PHONE}")
    note = MentorNote.objects.create(
        session=session, author=session.mentor, body="Revise rotational motion.", is_shared=True
    )
    task = FollowUpTaskFactory(session=session, student=student, title="Ten torque problems")
    Notification.objects.create(user=student, title="Your booking is confirmed", body="See you soon.")
    Notification.objects.create(user=session.mentor, title=f"{NAME} booked your session", body=f"{NAME} wants help.")
    dispute = Dispute.objects.create(
        booking=review.booking, raised_by=student, kind="quality", description=f"Written by {NAME} ({EMAIL})"
    )
    GuardianConsentFactory(student=student, guardian_name="Meenakshi Quillfeather", granted=True)
    return {"upcoming": upcoming, "review": review, "message": message, "note": note, "task": task, "dispute": dispute}


def fill_mentor_data(mentor_profile) -> dict:
    from mentors.services import payout_details_set

    document = VerificationDocumentFactory(mentor=mentor_profile)
    payout = payout_details_set(
        mentor=mentor_profile, account_holder_name=NAME, bank_account_number="123456789012", ifsc="SBIN0001234"
    )
    return {"document": document, "payout": payout}
