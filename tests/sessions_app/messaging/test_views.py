"""Request tests of the messaging pages: inbox, thread (full page and HTMX partials), asking, images."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from sessions_app.messaging import selectors, services
from sessions_app.models import DirectMessage, MessageThread
from tests.factories import MentorProfileFactory, UserFactory, birth_date_for_age
from tests.sessions_app.messaging.helpers import minor_with_guardian, png_upload

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def thread_url(thread, name="sessions_app:message_thread"):
    return reverse(name, args=[thread.uuid])


def test_a_student_asks_from_the_profile_and_lands_in_the_thread(client, adult_student, mentor_profile):
    login(client, adult_student)
    url = reverse("sessions_app:message_ask", args=[mentor_profile.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Do you mentor NEET aspirants?"})
    thread = MessageThread.objects.get()
    assert response.status_code == 302 and response["Location"] == thread_url(thread)
    # Once a thread exists the profile's button leads to it.
    assert client.get(url)["Location"] == thread_url(thread)


def test_asking_with_nothing_re_renders_the_form(client, adult_student, mentor_profile):
    login(client, adult_student)
    response = client.post(reverse("sessions_app:message_ask", args=[mentor_profile.slug]), {"text": "  "})
    assert response.status_code == 400
    assert "Write a message or attach an image." in response.content.decode()
    assert not MessageThread.objects.exists()


def test_a_minor_without_consent_is_told_why_they_cannot_ask(client, mentor_profile):
    login(client, UserFactory(date_of_birth=birth_date_for_age(15)))
    url = reverse("sessions_app:message_ask", args=[mentor_profile.slug])
    page = client.get(url).content.decode()
    assert 'data-testid="ask-blocked"' in page and "guardian" in page
    client.post(url, {"text": "Hi"})
    assert not MessageThread.objects.exists()


def test_asking_too_often_answers_429(client, adult_student, mentor_profile, settings):
    settings.MESSAGES_PER_HOUR = 1
    login(client, adult_student)
    url = reverse("sessions_app:message_ask", args=[mentor_profile.slug])
    client.post(url, {"text": "First"})
    response = client.post(url, {"text": "Second"})
    assert response.status_code == 429
    assert DirectMessage.objects.count() == 1


def test_inbox_lists_threads_with_unread_counts_in_bounded_queries(
    client, adult_student, django_assert_max_num_queries
):
    mentors = [MentorProfileFactory().user for _ in range(6)]
    for mentor in mentors:
        question = services.thread_ask(student=adult_student, mentor=mentor, text="Hello")
        access = selectors.get_thread_for_user(mentor, question.thread.uuid)
        services.message_send(access=access, text="Reply one")
        services.message_send(access=access, text="Reply two")
    login(client, adult_student)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("sessions_app:message_inbox")).content.decode()
    assert page.count('data-testid="thread-row"') == 6
    assert page.count("2 new") == 6
    assert selectors.unread_thread_count(adult_student) == 6
    login(client, mentors[0])
    page = client.get(reverse("sessions_app:message_inbox")).content.decode()
    assert page.count('data-testid="thread-row"') == 1 and "new</span>" not in page


def test_the_thread_page_is_bounded_and_marks_the_thread_read(
    client, adult_student, mentor_profile, django_assert_max_num_queries
):
    start = timezone.now() - dt.timedelta(minutes=1)
    question = services.thread_ask(
        student=adult_student, mentor=mentor_profile.user, text="Hello", now=start - dt.timedelta(seconds=1)
    )
    access = selectors.get_thread_for_user(mentor_profile.user, question.thread.uuid)
    for n in range(30):
        services.message_send(access=access, text=f"Line {n}", now=start + dt.timedelta(seconds=n))
    assert selectors.unread_thread_count(adult_student) == 1
    login(client, adult_student)
    with django_assert_max_num_queries(14):
        page = client.get(thread_url(question.thread)).content.decode()
    assert page.count('data-testid="message"') == 31
    assert selectors.unread_thread_count(adult_student) == 0


def test_sending_with_htmx_returns_the_conversation_with_the_new_message(client, adult_student, mentor_profile):
    thread = services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="Hello").thread
    login(client, mentor_profile.user)
    response = client.post(thread_url(thread), {"text": "Happy to help!"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="conversation"') and "Happy to help!" in body
    assert "<html" not in body
    # Errors come back in the same partial (htmx swaps 2xx answers only).
    response = client.post(thread_url(thread), {"text": ""}, **HTMX)
    assert response.status_code == 200 and "Write a message or attach an image." in response.content.decode()
    # Without htmx, a plain form post redirects back to the thread.
    response = client.post(thread_url(thread), {"text": "Another"})
    assert response.status_code == 302


def test_updates_partial_lists_the_messages(client, adult_student, mentor_profile):
    thread = services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="Hello").thread
    login(client, adult_student)
    body = client.get(thread_url(thread, "sessions_app:message_thread_updates"), **HTMX).content.decode()
    assert body.lstrip().startswith('<ol id="thread-messages"') and "Hello" in body


def test_outsiders_get_404_and_the_guardian_reads_without_a_form(client, mentor_profile):
    minor, guardian = minor_with_guardian()
    thread = services.thread_ask(student=minor, mentor=mentor_profile.user, text="Call 98765 43210").thread
    for outsider in (UserFactory(), MentorProfileFactory().user):
        login(client, outsider)
        assert client.get(thread_url(thread)).status_code == 404
        assert client.post(thread_url(thread), {"text": "Hi"}).status_code == 404
    login(client, guardian)
    page = client.get(thread_url(thread)).content.decode()
    assert 'data-testid="guardian-note"' in page and "<textarea" not in page
    assert "98765" not in page
    assert client.post(thread_url(thread), {"text": "Hi"}).status_code == 400
    inbox = client.get(reverse("sessions_app:message_inbox")).content.decode()
    assert 'data-testid="guardian-thread-row"' in inbox


def test_images_are_shown_only_to_those_who_read_the_thread(client, adult_student, mentor_profile):
    message = services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="", image=png_upload())
    url = reverse("sessions_app:message_image", args=[message.pk])
    login(client, mentor_profile.user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    login(client, UserFactory())
    assert client.get(url).status_code == 404


def test_an_image_upload_through_the_page_is_checked(client, adult_student, mentor_profile):
    from django.core.files.uploadedfile import SimpleUploadedFile

    thread = services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="Hello").thread
    login(client, adult_student)
    fake = SimpleUploadedFile("shot.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post(thread_url(thread), {"text": "", "image": fake})
    assert response.status_code == 400
    assert DirectMessage.objects.count() == 1
    response = client.post(thread_url(thread), {"text": "", "image": png_upload()})
    assert response.status_code == 302 and DirectMessage.objects.exclude(image="").count() == 1


def test_a_mentor_opens_a_thread_with_a_student_who_booked(client, adult_student):
    from tests.factories import BookingFactory

    booking = BookingFactory(student=adult_student)
    mentor = booking.session.mentor
    login(client, mentor)
    response = client.post(reverse("sessions_app:message_student", args=[adult_student.pk]))
    thread = MessageThread.objects.get()
    assert response["Location"] == thread_url(thread)
    assert client.post(reverse("sessions_app:message_student", args=[UserFactory().pk])).status_code == 404


def test_reporting_a_direct_message_from_the_thread(client, adult_student, mentor_profile):
    question = services.thread_ask(student=adult_student, mentor=mentor_profile.user, text="Hello")
    access = selectors.get_thread_for_user(mentor_profile.user, question.thread.uuid)
    reply = services.message_send(access=access, text="Send me your photo")
    login(client, adult_student)
    page = client.get(thread_url(question.thread)).content.decode()
    report_url = f"{reverse('help:report')}?direct_message={reply.pk}"
    assert report_url.replace("&", "&amp;") in page
    assert "Report a message" in client.get(report_url).content.decode()
    response = client.post(reverse("help:report"), {"direct_message": reply.pk, "reason": "inappropriate"})
    assert response.status_code == 302
    from adminpanel.models import ModerationReport

    assert ModerationReport.objects.get().direct_message == reply
