import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from adminpanel.models import AccountAction, Ticket
from adminpanel.services.accounts import user_reinstate, user_suspend
from matching.models import MentorSearchDocument
from matching.services import search_document_refresh
from mentors.selectors import listed_mentors
from payments.models import Refund
from sessions_app.models import Booking, Session
from tests.factories import DEFAULT_PASSWORD, BookingFactory, GroupSessionFactory, UserFactory, admin_user, support_user

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})


def test_a_suspended_user_is_told_why_at_sign_in_and_can_appeal_once(client, django_capture_on_commit_callbacks):
    student = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        user_suspend(user=student, actor=admin_user(), reason="Abusive messages to a mentor")
    assert mail.outbox[-1].to == [student.email] and "suspended" in mail.outbox[-1].subject

    response = sign_in(client, student)
    assert response.status_code == 302 and response["Location"] == reverse("help:account_status")
    page = client.get(reverse("help:account_status")).content.decode()
    assert "This account is suspended" in page and "Abusive messages to a mentor" in page
    assert "_auth_user_id" not in client.session

    client.post(reverse("help:account_status"), {"body": "It was my brother on my laptop"})
    appeal = Ticket.objects.get(requester=student)
    assert appeal.is_appeal and appeal.category == Ticket.Category.ACCOUNT
    assert "Your appeal has been received" in client.get(reverse("help:account_status")).content.decode()
    assert client.post(reverse("help:account_status"), {"body": "again"}).status_code == 403
    assert Ticket.objects.filter(requester=student).count() == 1


def test_suspension_ends_an_open_session(client):
    student = UserFactory()
    client.force_login(student)
    assert client.get(reverse("help:tickets")).status_code == 200
    user_suspend(user=student, actor=admin_user(), reason="Fraud")
    assert client.get(reverse("help:tickets")).status_code == 302


def test_a_suspended_mentor_disappears_from_search_and_profile_and_their_students_are_refunded(
    client, mentor, student, paid_booking, committed, razorpay_keys
):
    booking = paid_booking()
    group = GroupSessionFactory(mentor=mentor.user)
    group_booking = BookingFactory(session=group)
    search_document_refresh(mentor_id=mentor.pk)
    assert MentorSearchDocument.objects.filter(mentor=mentor).exists()
    assert client.get(reverse("mentors:profile", args=[mentor.slug])).status_code == 200

    with committed():
        user_suspend(user=mentor.user, actor=admin_user(), reason="Two no-shows and rude chat")

    assert not listed_mentors().filter(pk=mentor.pk).exists()
    assert not MentorSearchDocument.objects.filter(mentor=mentor).exists()
    assert client.get(reverse("mentors:profile", args=[mentor.slug])).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.refund_paise == booking.price_paise
    assert Refund.objects.get(payment=booking.payment).amount_paise == booking.price_paise
    group.refresh_from_db()
    group_booking.refresh_from_db()
    assert group.status == Session.Status.CANCELLED and group_booking.status == Booking.Status.CANCELLED


def test_a_suspended_students_upcoming_bookings_are_cancelled(committed):
    booking = BookingFactory()
    with committed():
        user_suspend(user=booking.student, actor=admin_user(), reason="Fake account")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.cancellation_reason == Booking.CancelReason.SUPPORT


def test_only_admins_suspend_and_a_reason_is_required():
    student = UserFactory()
    with pytest.raises(ValidationError):
        user_suspend(user=student, actor=support_user(), reason="x")
    with pytest.raises(ValidationError):
        user_suspend(user=student, actor=admin_user(), reason="  ")
    student.refresh_from_db()
    assert student.is_active and student.status == User.Status.ACTIVE


def test_reinstating_lets_the_user_sign_in_again_and_lists_the_mentor(client, mentor):
    admin = admin_user()
    user_suspend(user=mentor.user, actor=admin, reason="Investigating a report")
    user_reinstate(user=mentor.user, actor=admin, reason="Report was unfounded")
    mentor.user.refresh_from_db()
    assert mentor.user.is_active and mentor.user.status == User.Status.ACTIVE
    assert listed_mentors().filter(pk=mentor.pk).exists()
    assert [a.kind for a in AccountAction.objects.filter(user=mentor.user)] == ["reinstate", "suspend"]
    response = sign_in(client, mentor.user)
    assert response.status_code == 302 and response["Location"] != reverse("help:account_status")


def test_deactivated_accounts_are_refused_likewise(client):
    student = UserFactory()
    user_suspend(user=student, actor=admin_user(), reason="Asked to close the account", deactivate=True)
    sign_in(client, student)
    page = client.get(reverse("help:account_status")).content.decode()
    assert "This account is deactivated" in page and "Send appeal" not in page


def test_admin_suspends_and_reinstates_from_the_panel(client, django_assert_max_num_queries):
    client.force_login(admin_user())
    student = UserFactory()
    url = reverse("adminpanel:user_account", args=[student.pk])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    assert client.post(url, {"action": "suspend", "reason": ""}).status_code == 400
    assert client.post(url, {"action": "suspend", "reason": "Spam"}).status_code == 302
    student.refresh_from_db()
    assert student.status == User.Status.SUSPENDED
    client.post(url, {"action": "reinstate", "reason": "Appeal accepted"})
    student.refresh_from_db()
    assert student.status == User.Status.ACTIVE
