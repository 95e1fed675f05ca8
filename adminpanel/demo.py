"""Demo data for the staff side: a few tickets (one emergency), canned replies, a report, a quality review, and
the analytics rollups of the last 30 days, so the desk works on `make run` with the demo support and admin logins."""

from typing import TextIO

from django.utils import timezone

from accounts.demo import DEMO_DOMAIN
from accounts.models import User
from adminpanel.models import CannedReply, ModerationReport, QualityReview, Ticket
from adminpanel.services.analytics import analytics_rollup_recent
from adminpanel.services.moderation import report_create
from adminpanel.services.support import ticket_emergency_open, ticket_open, ticket_reply
from sessions_app.models import Booking

CANNED = [
    ("Refund timing", "Your refund has been issued. Banks usually take 5–7 working days to show it."),
    (
        "Camera and microphone",
        "Please allow camera and microphone access in your browser, close other apps using "
        "them and reload the room page. Chrome, Edge and Firefox work best.",
    ),
    (
        "Safety: we are on it",
        "Thank you for telling us. We have paused the session and a member of our safety team "
        "will contact you within the hour.",
    ),
]


def _user(local: str) -> User | None:
    return User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()


def seed(*, stdout: TextIO) -> None:
    for title, body in CANNED:
        CannedReply.objects.get_or_create(title=title, defaults={"body": body})
    support, school, college = _user("support"), _user("student.school"), _user("student.college")
    if not (support and school and college):
        return
    created = 0
    if not Ticket.objects.filter(requester=college).exists():
        ticket = ticket_open(
            requester=college,
            category=Ticket.Category.PAYMENT,
            subject="Charged twice for one session",
            description="My UPI app shows two debits of the same amount for yesterday's booking.",
            language_code="hi",
        )
        ticket_reply(ticket=ticket, author=support, body="Checking with the payment gateway.", internal=True)
        ticket_reply(ticket=ticket, author=support, body="Could you send the UPI reference of the second debit?")
        created += 1
    if not Ticket.objects.filter(requester=None).exists():
        ticket_open(
            requester=None,
            contact_name="Ravi Kumar",
            contact_email=f"ravi@{DEMO_DOMAIN}",
            category=Ticket.Category.OTHER,
            subject="Do you have mentors for UPSC?",
            description="I am preparing for the civil services exam.",
            language_code="en",
        )
        created += 1
    booking = Booking.objects.filter(student=school, status=Booking.Status.CONFIRMED).select_related("session").first()
    if booking and not Ticket.objects.filter(requester=school, is_emergency=True).exists():
        ticket_emergency_open(
            reporter=school,
            session_id=booking.session_id,
            description="Someone in the session chat keeps asking for my phone number.",
        )
        created += 1
    mentor = User.objects.filter(role=User.Role.MENTOR, email__endswith=DEMO_DOMAIN).order_by("pk").first()
    if mentor and not QualityReview.objects.filter(mentor=mentor).exists():
        QualityReview.objects.create(
            mentor=mentor, trigger=QualityReview.Trigger.NO_SHOWS, metrics={"no_shows": 2}, created_at=timezone.now()
        )
    if mentor and not ModerationReport.objects.exists():
        report_create(reporter=college, reason="spam", details="Keeps advertising a paid coaching class.", user=mentor)
    rows = analytics_rollup_recent(days=30)
    stdout.write(f"Support desk: {created} new tickets; analytics: {rows} rollup rows for the last 30 days.\n")
