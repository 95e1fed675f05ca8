"""Student–mentor messages: threads, who may read and write, masking with minors, rate limits, images, reports."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from adminpanel.models import ModerationReport
from adminpanel.services.moderation import report_create, report_decide
from sessions_app.messaging import selectors, services
from sessions_app.models import Booking, DirectMessage, MessageThread
from tests.factories import (
    BookingFactory,
    GroupSessionFactory,
    MentorProfileFactory,
    UserFactory,
    birth_date_for_age,
    support_user,
)
from tests.sessions_app.messaging.helpers import minor_with_guardian, png_upload

pytestmark = pytest.mark.django_db


def access_for(user, thread):
    return selectors.get_thread_for_user(user, thread.uuid)


def test_a_student_asks_once_per_mentor_and_the_first_question_waits_for_a_reply(adult_student, mentor_profile):
    first = services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="Do you help with JEE?")
    second = services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="Also BITSAT?")
    assert MessageThread.objects.count() == 1
    assert first.thread_id == second.thread_id
    assert (first.awaits_reply, second.awaits_reply) == (True, False)
    assert first.thread.started_by == adult_student


def test_the_mentors_first_reply_answers_the_question_and_the_student_is_told(
    adult_student, mentor_profile, django_capture_on_commit_callbacks
):
    question = services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="Do you help with JEE?")
    asked = question.created_at
    mail.outbox.clear()
    mentor_access = access_for(mentor_profile.user, question.thread)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.message_send(
            access=mentor_access, text="Yes, physics and maths.", now=asked + dt.timedelta(hours=2)
        )
    question.refresh_from_db()
    assert question.replied_at == reply.created_at
    # A later reply does not move the first one.
    services.message_send(access=mentor_access, text="Book any evening.", now=asked + dt.timedelta(hours=5))
    question.refresh_from_db()
    assert question.replied_at == asked + dt.timedelta(hours=2)
    assert [m.to for m in mail.outbox] == [[adult_student.email]]
    assert "Yes, physics and maths." in mail.outbox[0].body
    notification = Notification.objects.filter(recipient=adult_student).order_by("pk").first()
    assert notification.kind == "messages.new_message" and str(question.thread.uuid) in notification.link


def test_one_email_per_unread_run_but_every_message_is_in_the_app(
    adult_student, mentor_profile, django_capture_on_commit_callbacks
):
    services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="Hello")
    mail.outbox.clear()
    thread = MessageThread.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        for text in ("One", "Two", "Three"):
            services.message_send(access=access_for(mentor_profile.user, thread), text=text)
    assert len(mail.outbox) == 1
    kinds = list(Notification.objects.filter(recipient=adult_student).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["messages.new_message", "messages.more_messages", "messages.more_messages"]


def test_the_messages_email_preference_is_honoured(adult_student, mentor_profile, django_capture_on_commit_callbacks):
    from accounts.services import notification_preferences_set

    notification_preferences_set(
        user=adult_student,
        choices={"messages": {"in_app": True, "email": False, "sms": False}},
        quiet_start=None,
        quiet_end=None,
        email_digest=False,
    )
    services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="Hello")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(access=access_for(mentor_profile.user, MessageThread.objects.get()), text="Hi!")
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=adult_student).count() == 1


def test_contact_details_are_hidden_both_ways_in_a_thread_with_a_minor(mentor_profile):
    minor, _guardian = minor_with_guardian()
    question = services.thread_ask(
        student=minor, mentor=mentor_profile.user, text="Call me on 98765 43210 or mail ravi@gmail.com"
    )
    assert "98765" not in question.text and "gmail" not in question.text and question.was_masked
    reply = services.message_send(
        access=access_for(mentor_profile.user, question.thread), text="Pay 500 to mentor@okaxis first"
    )
    assert "okaxis" not in reply.text and reply.was_masked


def test_adults_may_share_contact_details(adult_student, mentor_profile):
    message = services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="My number: 98765 43210")
    assert message.text == "My number: 98765 43210" and not message.was_masked


def test_who_may_ask(mentor_profile):
    minor_without_consent = UserFactory(date_of_birth=birth_date_for_age(15))
    with pytest.raises(ValidationError) as error:
        services.thread_ask(student=minor_without_consent, mentor=mentor_profile.user, text="Hi")
    assert error.value.code == "consent"
    unverified = UserFactory(verified_email=False)
    with pytest.raises(ValidationError) as error:
        services.thread_ask(student=unverified, mentor=mentor_profile.user, text="Hi")
    assert error.value.code == "unverified"
    other_mentor = MentorProfileFactory().user
    with pytest.raises(ValidationError):
        services.thread_ask(student=other_mentor, mentor=mentor_profile.user, text="Hi")
    assert not MessageThread.objects.exists()


def test_a_mentor_writes_first_only_to_students_who_booked_them(adult_student):
    session = GroupSessionFactory()
    stranger = UserFactory()
    with pytest.raises(ValidationError):
        services.thread_start_by_mentor(mentor=session.mentor, student=stranger)
    BookingFactory(session=session, student=adult_student)
    thread = services.thread_start_by_mentor(mentor=session.mentor, student=adult_student)
    assert thread.started_by == session.mentor
    message = services.message_send(access=access_for(session.mentor, thread), text="How did the mock test go?")
    # A thread the mentor started asks nothing of them: no wait for response time.
    assert not message.awaits_reply


def test_only_the_two_people_and_the_minors_guardian_can_open_a_thread(mentor_profile):
    minor, guardian = minor_with_guardian()
    thread = services.thread_ask(student=minor, mentor=mentor_profile.user, text="Hi").thread
    assert access_for(minor, thread).role == "student"
    assert access_for(mentor_profile.user, thread).role == "mentor"
    guardian_access = access_for(guardian, thread)
    assert guardian_access.role == "guardian" and not guardian_access.can_write
    with pytest.raises(ValidationError):
        services.message_send(access=guardian_access, text="I am watching")
    for outsider in (UserFactory(), support_user(), MentorProfileFactory().user):
        with pytest.raises(Http404):
            access_for(outsider, thread)


def test_a_guardian_needs_a_verified_address_and_a_granted_consent(mentor_profile):
    minor, guardian = minor_with_guardian()
    thread = services.thread_ask(student=minor, mentor=mentor_profile.user, text="Hi").thread
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=guardian).update(verified=False)
    with pytest.raises(Http404):
        access_for(guardian, thread)
    EmailAddress.objects.filter(user=guardian).update(verified=True)
    minor.guardian_consents.update(status="withdrawn", withdrawn_at=timezone.now())
    with pytest.raises(Http404):
        access_for(guardian, thread)


def test_messages_are_rate_limited_per_sender(adult_student, mentor_profile, settings):
    settings.MESSAGES_PER_HOUR = 3
    for n in range(3):
        services.thread_ask(student=adult_student, mentor=mentor_profile.user, text=f"Question {n}")
    with pytest.raises(ValidationError) as error:
        services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="One more")
    assert error.value.code == "rate_limited"
    assert DirectMessage.objects.count() == 3
    # The mentor has their own allowance.
    services.message_send(access=access_for(mentor_profile.user, MessageThread.objects.get()), text="Answer")


def test_new_threads_are_rate_limited_per_day(adult_student, settings):
    settings.MESSAGE_THREADS_PER_DAY = 2
    mentors = [MentorProfileFactory().user for _ in range(3)]
    services.thread_ask(student=adult_student, mentor=mentors[0], text="Hi")
    services.thread_ask(student=adult_student, mentor=mentors[1], text="Hi")
    with pytest.raises(ValidationError) as error:
        services.thread_ask(student=adult_student, mentor=mentors[2], text="Hi")
    assert error.value.code == "rate_limited"
    assert MessageThread.objects.count() == 2


def test_an_image_is_checked_by_content_and_stored_re_encoded(adult_student, mentor_profile):
    message = services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="", image=png_upload())
    assert message.image.name.endswith(".png")
    assert selectors.image_content_type(message) == "image/png"
    with message.image.open("rb") as stored:
        assert stored.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("photo.png", b"<script>alert(1)</script>", content_type="image/png"),
        SimpleUploadedFile(
            "notes.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", content_type="application/pdf"
        ),
        SimpleUploadedFile("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif"),
    ],
    ids=["disguised-script", "pdf", "gif"],
)
def test_anything_but_an_image_is_refused_and_nothing_is_stored(adult_student, mentor_profile, upload, message_storage):
    with pytest.raises(ValidationError) as error:
        services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="See this", image=upload)
    assert "image" in error.value.error_dict
    assert not DirectMessage.objects.exists() and not MessageThread.objects.exists()


def test_a_confirmed_bookings_questions_go_into_the_thread_once(adult_student):
    booking = BookingFactory(student=adult_student, specific_questions="How do I revise rotational motion?")
    first = services.booking_question_post(booking_id=booking.pk)
    again = services.booking_question_post(booking_id=booking.pk)
    assert again is None
    assert first.kind == DirectMessage.Kind.BOOKING_QUESTION and first.awaits_reply
    assert first.thread.mentor == booking.session.mentor and first.thread.student == adult_student
    # The booking's own notice tells the mentor; the questions raise no second one.
    assert not Notification.objects.filter(recipient=booking.session.mentor, kind__startswith="messages.").exists()
    quiet = BookingFactory(student=adult_student, specific_questions="")
    assert services.booking_question_post(booking_id=quiet.pk) is None
    held = BookingFactory(
        student=adult_student,
        status=Booking.Status.PENDING_PAYMENT,
        hold_expires_at=timezone.now() + dt.timedelta(minutes=5),
        specific_questions="Anything?",
    )
    assert services.booking_question_post(booking_id=held.pk) is None


def test_confirming_a_booking_posts_its_questions(adult_student, django_capture_on_commit_callbacks):
    from sessions_app import tasks

    booking = BookingFactory(student=adult_student, specific_questions="What should I bring?")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.notify_booking(booking.pk, "confirmed")
    assert DirectMessage.objects.get(booking=booking).text == "What should I bring?"


def test_a_party_reports_a_message_and_staff_hide_it(adult_student, mentor_profile, client, settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False  # staff act as after enrolling (the gate has its own tests)
    question = services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="Hi")
    rude = services.message_send(access=access_for(mentor_profile.user, question.thread), text="Something rude")
    with pytest.raises(ValidationError):
        report_create(reporter=UserFactory(), reason="harassment", direct_message=rude)
    report = report_create(reporter=adult_student, reason="harassment", direct_message=rude)
    assert (report.kind, report.reported_user) == (ModerationReport.Kind.DIRECT_MESSAGE, mentor_profile.user)
    with pytest.raises(ValidationError, match="already reported"):
        report_create(reporter=adult_student, reason="harassment", direct_message=rude)

    assert selectors.unread_thread_count(adult_student) == 1
    staff = support_user()
    client.force_login(staff)
    page = client.get(reverse("adminpanel:moderation_report", args=[report.pk])).content.decode()
    # Staff read the thread through the report: the whole conversation is on the report page.
    assert "Something rude" in page and 'data-testid="reported-thread"' in page
    report_decide(report=report, actor=staff, outcome="hide", note="Rude")
    rude.refresh_from_db()
    assert rude.hidden_at is not None
    # A hidden message no longer waits to be read.
    assert selectors.unread_thread_count(adult_student) == 0


def test_a_guardian_cannot_report_in_the_thread_they_read(mentor_profile):
    minor, guardian = minor_with_guardian()
    question = services.thread_ask(student=minor, mentor=mentor_profile.user, text="Hi")
    with pytest.raises(ValidationError):
        report_create(reporter=guardian, reason="other", direct_message=question)


def test_export_has_the_users_threads_and_erasure_blanks_what_they_wrote(adult_student, mentor_profile, client):
    from sessions_app.messaging.privacy import erase_messages_data, export_messages_data

    mine = services.thread_ask(
        student=adult_student, mentor=mentor_profile.user, text="My question", image=png_upload()
    )
    services.message_send(access=access_for(mentor_profile.user, mine.thread), text="The answer")
    part = export_messages_data(user=adult_student)
    assert [m["text"] for m in part.data["messages"]] == ["My question", "The answer"]
    assert len(part.files) == 1 and part.files[0][0].startswith("message-images/")
    storage, image_name = mine.image.storage, mine.image.name
    erase_messages_data(user=adult_student, pseudonym="Deleted user 1")
    mine.refresh_from_db()
    assert (mine.text, mine.image.name) == ("", "")
    assert not storage.exists(image_name)
    client.force_login(mentor_profile.user)
    page = client.get(reverse("sessions_app:message_thread", args=[mine.thread.uuid])).content.decode()
    assert "This message was deleted." in page and "The answer" in page
