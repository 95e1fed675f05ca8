import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Notification, User
from adminpanel.models import Ticket, TicketMessage
from adminpanel.selectors import ticket_queue
from adminpanel.services.support import ticket_open, ticket_reply, tickets_auto_close
from mentors.documents import document_link
from tests.factories import (
    SAMPLE_PDF_BYTES,
    BookingFactory,
    GuardianConsentFactory,
    SessionMessageFactory,
    TicketFactory,
    UserFactory,
    VerificationDocumentFactory,
    admin_user,
    live_group_session,
    minor_user,
    room_member,
    support_user,
)

pytestmark = pytest.mark.django_db


def open_ticket(requester, **fields):
    fields.setdefault("category", Ticket.Category.BOOKING)
    fields.setdefault("subject", "My session did not start")
    fields.setdefault("description", "The room never opened.")
    fields.setdefault("language_code", "en")
    return ticket_open(requester=requester, **fields)


# --- opening tickets -----------------------------------------------------------------------------


def test_student_opens_a_ticket_with_an_attachment_stored_privately(client, private_storage):
    student = UserFactory()
    client.force_login(student)
    booking = BookingFactory(student=student)

    response = client.post(
        reverse("help:ticket_new"),
        {
            "category": "booking",
            "subject": "Refund missing",
            "booking": booking.pk,
            "description": "I cancelled two days ahead.",
            "attachments": [SimpleUploadedFile("receipt.pdf", SAMPLE_PDF_BYTES)],
        },
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("help:ticket", args=[ticket.uuid])
    assert (ticket.requester, ticket.booking, ticket.priority) == (student, booking, Ticket.Priority.NORMAL)
    attachment = ticket.messages.get().attachments.get()
    assert attachment.content_type == "application/pdf"
    assert private_storage.exists(attachment.file.name)
    assert client.get(reverse("help:attachment", args=[attachment.pk])).status_code == 200


def test_a_disguised_attachment_is_refused_and_nothing_is_saved(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("help:ticket_new"),
        {
            "category": "technical",
            "subject": "Bug",
            "description": "See the file.",
            "attachments": [SimpleUploadedFile("screenshot.png", b"MZ\x90\x00 not an image")],
        },
    )
    assert response.status_code == 400
    assert "Upload a PDF, JPEG or PNG file." in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_ticket_cannot_link_someone_elses_booking():
    student = UserFactory()
    with pytest.raises(ValidationError, match="own bookings"):
        open_ticket(student, booking=BookingFactory())
    assert not Ticket.objects.exists()


def test_students_see_only_their_own_tickets(client):
    mine = open_ticket(UserFactory(), subject="Mine")
    theirs = open_ticket(
        UserFactory(), subject="Theirs", attachments=[SimpleUploadedFile("id.pdf", SAMPLE_PDF_BYTES)]
    )
    client.force_login(mine.requester)

    listing = client.get(reverse("help:tickets")).content.decode()
    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(reverse("help:ticket", args=[theirs.uuid])).status_code == 404
    attachment_of_theirs = theirs.messages.get().attachments.get()
    assert client.get(reverse("help:attachment", args=[attachment_of_theirs.pk])).status_code == 404


def test_internal_notes_are_never_shown_to_the_requester(client):
    ticket = open_ticket(UserFactory())
    ticket_reply(ticket=ticket, author=support_user(), body="Looks like a duplicate charge", internal=True)
    client.force_login(ticket.requester)
    assert "duplicate charge" not in client.get(reverse("help:ticket", args=[ticket.uuid])).content.decode()


# --- the conversation and its statuses --------------------------------------------------------------


def test_lifecycle_open_waiting_resolved_reopened_and_auto_closed(client, django_capture_on_commit_callbacks):
    student = UserFactory(ui_language="hi")
    staff = support_user()
    ticket = open_ticket(student)
    assert ticket.status == Ticket.Status.OPEN

    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, author=staff, body="Can you send the payment id?")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING_ON_USER and ticket.first_response_at is not None
    [email] = mail.outbox
    assert email.to == [student.email] and "Can you send the payment id?" in email.body
    assert Notification.objects.filter(recipient=student, kind="support.reply").exists()

    ticket_reply(ticket=ticket, author=student, body="pay_123")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN

    ticket_reply(ticket=ticket, author=staff, body="Refunded.", resolve=True)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED

    ticket_reply(ticket=ticket, author=student, body="Not yet in my account")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN and ticket.resolved_at is None

    resolved_at = timezone.now()
    ticket_reply(ticket=ticket, author=staff, body="It is now.", resolve=True, now=resolved_at)
    assert tickets_auto_close(now=resolved_at + dt.timedelta(days=6)) == 0
    assert tickets_auto_close(now=resolved_at + dt.timedelta(days=7, minutes=1)) == 1
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED

    client.force_login(student)
    response = client.post(reverse("help:ticket", args=[ticket.uuid]), {"body": "One more thing"})
    with translation.override("hi"):  # the student reads the site in Hindi
        refusal = translation.gettext("This ticket is closed. Open a new one if you still need help.")
    assert response.status_code == 400 and refusal in response.content.decode()
    assert TicketMessage.objects.filter(ticket=ticket, body="One more thing").count() == 0


def test_reply_emails_are_in_the_recipients_language(django_capture_on_commit_callbacks):
    student = UserFactory(ui_language="hi")
    ticket = open_ticket(student)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, author=support_user(), body="ठीक है")
    assert mail.outbox[0].subject.startswith("[PeerLearn] ")
    assert "Support replied" not in mail.outbox[0].subject


def test_a_stranger_cannot_reply_to_a_ticket():
    ticket = open_ticket(UserFactory())
    with pytest.raises(ValidationError, match="cannot reply"):
        ticket_reply(ticket=ticket, author=UserFactory(), body="hi")


def test_visitor_contact_form_is_rate_limited(client):
    data = {"name": "Ravi", "email": "ravi@example.test", "category": "other", "subject": "Hi", "description": "?"}
    for _ in range(5):
        assert client.post(reverse("help:contact"), data).status_code == 302
    response = client.post(reverse("help:contact"), data)
    assert response.status_code == 429
    assert Ticket.objects.filter(requester=None, priority=Ticket.Priority.LOW).count() == 5


# --- SLA -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "target"),
    [
        (Ticket.Priority.URGENT, dt.timedelta(minutes=15)),
        (Ticket.Priority.HIGH, dt.timedelta(hours=4)),
        (Ticket.Priority.NORMAL, dt.timedelta(hours=24)),
        (Ticket.Priority.LOW, dt.timedelta(hours=72)),
    ],
)
def test_first_response_breach_at_each_priority(priority, target):
    opened = timezone.now()
    ticket = TicketFactory(priority=priority, created_at=opened, first_response_due_at=opened + target)
    assert not ticket.sla_breached(now=opened + target)
    assert ticket.sla_breached(now=opened + target + dt.timedelta(seconds=1))
    ticket.first_response_at = opened + target - dt.timedelta(seconds=1)
    assert not ticket.sla_breached(now=opened + 10 * target)


def test_sla_is_set_from_the_category_and_the_queue_filters_breached_tickets():
    opened = timezone.now()
    safety = open_ticket(UserFactory(), category=Ticket.Category.SAFETY, now=opened)
    normal = open_ticket(UserFactory(), now=opened)
    assert safety.first_response_due_at == opened + dt.timedelta(hours=4)
    assert normal.first_response_due_at == opened + dt.timedelta(hours=24)
    later = opened + dt.timedelta(hours=5)
    assert list(ticket_queue(breached=True, now=later)) == [safety]
    answered_late = open_ticket(UserFactory(), category=Ticket.Category.SAFETY, now=opened)
    ticket_reply(ticket=answered_late, author=support_user(), body="Sorry for the wait", now=later)
    assert set(ticket_queue(breached=True, now=later, status="waiting")) == {answered_late}


# --- the emergency line ----------------------------------------------------------------------------


def test_emergency_from_the_room_tops_the_queue_with_context_and_alerts_staff_and_the_guardian(
    client, django_capture_on_commit_callbacks
):
    session = live_group_session(starts_in_minutes=-10)
    child = room_member(session, date_of_birth=minor_user().date_of_birth)
    GuardianConsentFactory(student=child, granted=True, guardian_email="amma@example.test")
    reporter = room_member(session)
    SessionMessageFactory(session=session, sender=session.mentor, text="send me your number")
    on_duty = support_user()
    TicketFactory(priority=Ticket.Priority.HIGH)  # older work in the queue
    client.force_login(reporter)

    page = client.get(reverse("sessions_app:room", args=[session.pk]))
    assert reverse("help:emergency", args=[session.pk]) in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("help:emergency", args=[session.pk]), {"description": "The mentor asked for my number"}
        )

    ticket = Ticket.objects.get(is_emergency=True)
    assert response.status_code == 302
    assert (ticket.priority, ticket.category) == (Ticket.Priority.URGENT, Ticket.Category.SAFETY)
    assert ticket.first_response_due_at - ticket.created_at == dt.timedelta(minutes=15)
    assert ticket.context["mentor"]["id"] == session.mentor_id
    assert {s["id"] for s in ticket.context["students"]} == {child.pk, reporter.pk}
    assert ticket.context["chat"][-1]["text"] == "send me your number"
    assert ticket_queue().first() == ticket
    recipients = {tuple(m.to) for m in mail.outbox}
    assert (on_duty.email,) in recipients and ("amma@example.test",) in recipients
    assert Notification.objects.filter(recipient=on_duty, link=reverse("adminpanel:ticket", args=[ticket.pk])).exists()


def test_only_people_in_the_session_can_use_its_emergency_line(client):
    session = live_group_session()
    client.force_login(UserFactory())
    assert client.post(reverse("help:emergency", args=[session.pk]), {"description": "x"}).status_code == 403
    assert not Ticket.objects.exists()


# --- the staff queue and permissions ---------------------------------------------------------------


@pytest.mark.parametrize("user_fields", [{"role": User.Role.STUDENT}, {"role": User.Role.MENTOR}])
def test_the_support_queue_is_for_staff_only(client, user_fields):
    client.force_login(UserFactory(**user_fields))
    assert client.get(reverse("adminpanel:ticket_queue")).status_code == 403


def test_support_cannot_open_documents_payout_details_or_account_actions(client):
    staff = support_user()
    staff.groups.add(Group.objects.get(name=User.Role.SUPPORT))
    client.force_login(staff)
    assert client.get(document_link(VerificationDocumentFactory())).status_code == 403
    assert client.get(reverse("adminpanel:user_account", args=[UserFactory().pk])).status_code == 403
    assert not staff.has_perm("mentors.view_mentorpayoutdetails")
    assert not staff.has_perm("mentors.view_verificationdocument")
    assert staff.has_perm("sessions_app.view_booking")
    assert client.get(reverse("admin:mentors_mentorpayoutdetails_changelist")).status_code == 403


def test_staff_filter_assign_note_escalate_and_reply_from_the_panel(client, django_capture_on_commit_callbacks):
    staff = support_user()
    admin = admin_user()
    ticket = open_ticket(UserFactory(), category=Ticket.Category.PAYMENT)
    other = open_ticket(UserFactory(), category=Ticket.Category.TECHNICAL)
    client.force_login(staff)

    listing = client.get(reverse("adminpanel:ticket_queue"), {"category": "payment"}).content.decode()
    assert ticket.subject in listing
    assert f"#{other.pk} " not in listing

    client.post(reverse("adminpanel:ticket_assign", args=[ticket.pk]), {"assignee": staff.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == staff
    assert list(ticket_queue(assignee_id=staff.pk)) == [ticket]
    assert set(ticket_queue(unassigned=True)) == {other}

    client.post(reverse("adminpanel:ticket_reply", args=[ticket.pk]), {"body": "Checked the ledger", "action": "note"})
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # a note is not an answer

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("adminpanel:ticket_escalate", args=[ticket.pk]), {"reason": "Refund over limit"})
    ticket.refresh_from_db()
    assert ticket.escalated_at and ticket.priority == Ticket.Priority.HIGH
    assert any(m.to == [admin.email] for m in mail.outbox)

    response = client.post(
        reverse("adminpanel:ticket_reply", args=[ticket.pk]), {"body": "Refund on its way", "action": "resolve"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED


def test_an_empty_staff_reply_is_refused_with_the_form_shown_again(client):
    ticket = open_ticket(UserFactory())
    client.force_login(support_user())
    response = client.post(reverse("adminpanel:ticket_reply", args=[ticket.pk]), {"body": " ", "action": "reply"})
    assert response.status_code == 400
    assert "Write a message or pick a canned reply." in response.content.decode()


def test_canned_reply_is_sent_when_the_message_is_empty(client):
    from adminpanel.models import CannedReply

    canned = CannedReply.objects.create(title="Refund times", body="Banks take 5–7 working days.")
    ticket = open_ticket(UserFactory())
    client.force_login(support_user())
    url = reverse("adminpanel:ticket_reply", args=[ticket.pk])
    client.post(url, {"body": "", "canned": canned.pk, "action": "reply"})
    assert ticket.messages.filter(body=canned.body, from_staff=True).exists()


def test_panel_pages_run_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    staff = support_user()
    client.force_login(staff)
    requester = UserFactory()
    for n in range(12):
        ticket = open_ticket(requester if n % 2 else UserFactory(), subject=f"Problem {n}")
        ticket_reply(ticket=ticket, author=staff, body="On it")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("adminpanel:ticket_queue")).status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(reverse("adminpanel:ticket_queue"), {"breached": "on"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("adminpanel:ticket", args=[ticket.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("adminpanel:home")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("adminpanel:feedback")).status_code == 200
    client.force_login(requester)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("help:tickets")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("help:ticket", args=[ticket.uuid])).status_code == 200


def test_help_centre_and_feedback(client):
    assert client.get(reverse("help:centre")).status_code == 200
    user = UserFactory()
    client.force_login(user)
    assert client.post(reverse("help:feedback"), {"rating": "9"}).status_code == 400
    assert client.post(reverse("help:feedback"), {"rating": "4", "comment": "More Telugu mentors"}).status_code == 302
    client.force_login(support_user())
    assert "More Telugu mentors" in client.get(reverse("adminpanel:feedback")).content.decode()


@time_machine.travel("2026-01-05 10:00:00+00:00", tick=False)
def test_home_shows_support_counts(client):
    TicketFactory(is_emergency=True, priority=Ticket.Priority.URGENT)
    client.force_login(support_user())
    assert "1 emergencies" in client.get(reverse("adminpanel:home")).content.decode()


def test_feedback_after_a_session_is_linked_to_it(client):
    from adminpanel.models import PlatformFeedback

    session = live_group_session(starts_in_minutes=-90)
    member = room_member(session)
    client.force_login(member)
    page = client.get(reverse("sessions_app:after_session", args=[session.pk])).content.decode()
    assert f"{reverse('help:feedback')}?session={session.pk}" in page
    client.post(reverse("help:feedback"), {"session": session.pk, "rating": "5", "comment": "Smooth"})
    assert PlatformFeedback.objects.get().session == session
    client.force_login(UserFactory())
    assert client.get(reverse("help:feedback"), {"session": session.pk}).status_code == 403
