"""A user with data in every app, for the export and deletion tests."""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from accounts.models import Notification
from adminpanel.models import ModerationReport, PlatformFeedback, TicketAttachment, TicketMessage
from matching.models import Interaction
from payments.invoices import invoice_render_pdf
from payments.models import Invoice
from sessions_app.models import Dispute, MentorNote
from tests.factories import (
    FollowUpTaskFactory,
    GuardianConsentFactory,
    ReviewFactory,
    SessionMessageFactory,
    TicketFactory,
    VerificationDocumentFactory,
)

NAME = "Zorawar Quillfeather"
EMAIL = "zorawar.quillfeather@example.test"
PHONE = "+919812345678"
GUARDIAN_PHONE = "+919812399999"


def private_files_in(tmp_path, monkeypatch) -> None:
    """Ticket attachments and invoice PDFs chose their storage at import: point them at the test's folder."""
    storage = FileSystemStorage(location=tmp_path / "private-fields")
    monkeypatch.setattr(TicketAttachment._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(Invoice._meta.get_field("pdf"), "storage", storage)


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
    Notification.objects.create(
        recipient=student, kind="accounts.notice", category="account",
        params={"title": "Your booking is confirmed", "body": "See you soon."},
    )
    Notification.objects.create(
        recipient=session.mentor, kind="sessions.group_seat", category="sessions",
        params={"with": NAME, "title": "booked your session", "event": "confirmed"},
    )
    dispute = Dispute.objects.create(
        booking=review.booking, raised_by=student, kind="quality", description=f"Written by {NAME} ({EMAIL})"
    )
    GuardianConsentFactory(
        student=student, guardian_name="Meenakshi Quillfeather", guardian_phone=GUARDIAN_PHONE, granted=True
    )
    ticket = TicketFactory(requester=student, subject=f"{NAME} cannot join", context={"name": NAME})
    written = TicketMessage.objects.create(ticket=ticket, author=student, body=f"I am {NAME}, reach me on {PHONE}")
    attachment = TicketAttachment.objects.create(
        message=written, file=ContentFile(b"%PDF-1.4 receipt", name="receipt.pdf"), content_type="application/pdf",
        size=16,
    )
    reply = TicketMessage.objects.create(ticket=ticket, from_staff=True, body=f"Dear {NAME}, we refunded you.")
    report = ModerationReport.objects.create(
        reporter=student, kind="message", reported_user=session.mentor, message=message, reason="other",
        details=f"{NAME} reports this",
    )
    feedback = PlatformFeedback.objects.create(user=student, rating=4, comment=f"Signed, {NAME}")
    interaction = Interaction.objects.create(
        student=student, mentor=session.mentor.mentor_profile, kind="view", created_at=timezone.now()
    )
    invoice = invoice_render_pdf(invoice_id=Invoice.objects.get(payment=upcoming.payment, kind="invoice").pk)
    return {
        "upcoming": upcoming, "review": review, "message": message, "note": note, "task": task, "dispute": dispute,
        "ticket": ticket, "written": written, "attachment": attachment, "reply": reply, "report": report,
        "feedback": feedback, "interaction": interaction, "invoice": invoice,
    }


def fill_mentor_data(mentor_profile) -> dict:
    from mentors.services import payout_details_set

    document = VerificationDocumentFactory(mentor=mentor_profile)
    payout = payout_details_set(
        mentor=mentor_profile, account_holder_name=NAME, bank_account_number="123456789012", ifsc="SBIN0001234"
    )
    return {"document": document, "payout": payout}
