import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from adminpanel.models import AccountAction, ModerationReport
from adminpanel.services.moderation import report_create, report_decide
from mentors.models import MentorProfile
from sessions_app.room.feedback import mentor_feedback_stats
from sessions_app.room.services import chat_history
from tests.factories import (
    BookingFactory,
    GroupSessionFactory,
    MentorProfileFactory,
    ReviewFactory,
    SessionMessageFactory,
    UserFactory,
    admin_user,
    live_group_session,
    room_member,
    support_user,
)

pytestmark = pytest.mark.django_db


def test_hiding_a_reported_review_takes_it_off_the_profile_and_out_of_the_rating(client):
    profile = MentorProfileFactory()
    sessions = [
        GroupSessionFactory(mentor=profile.user, starts_at=timezone.now() - dt.timedelta(days=d)) for d in (3, 4)
    ]
    good = ReviewFactory(booking=BookingFactory(session=sessions[0]), rating=5)
    spiteful = ReviewFactory(booking=BookingFactory(session=sessions[1]), rating=1, comment="Worst mentor ever")
    assert mentor_feedback_stats(profile.pk)["average_rating"] == 3
    reporter = profile.user
    client.force_login(reporter)
    response = client.post(reverse("help:report"), {"review": spiteful.pk, "reason": "fake", "details": "Never met"})
    assert response.status_code == 302
    report = ModerationReport.objects.get()
    assert (report.kind, report.reported_user) == (ModerationReport.Kind.REVIEW, spiteful.student)

    staff = support_user()
    client.force_login(staff)
    assert "Worst mentor ever" in client.get(reverse("adminpanel:moderation_report", args=[report.pk])).content.decode()
    response = client.post(
        reverse("adminpanel:moderation_report", args=[report.pk]), {"outcome": "hide", "note": "No booking behind it"}
    )
    assert response.status_code == 302

    report.refresh_from_db()
    spiteful.refresh_from_db()
    assert report.status == ModerationReport.Status.HIDDEN and spiteful.hidden_at is not None
    assert mentor_feedback_stats(profile.pk)["average_rating"] == 5
    profile = MentorProfile.objects.get(pk=profile.pk)
    page = client.get(reverse("mentors:profile", args=[profile.slug])).content.decode()
    assert "Worst mentor ever" not in page and good.comment in page
    assert good.pk != spiteful.pk


def test_only_session_members_report_a_chat_message_and_a_hidden_message_leaves_the_history():
    session = live_group_session()
    member = room_member(session)
    message = SessionMessageFactory(session=session, text="what's your insta?")
    with pytest.raises(PermissionDenied):
        report_create(reporter=UserFactory(), reason="contact", message=message)
    report = report_create(reporter=member, reason="contact", message=message)
    with pytest.raises(ValidationError, match="already reported"):
        report_create(reporter=member, reason="contact", message=message)

    report_decide(report=report, actor=support_user(), outcome="hide", note="Contact request")
    assert "what's your insta?" not in [m["text"] for m in chat_history(session_id=session.pk)]


def test_warn_and_suspend_outcomes_act_on_the_reported_user():
    offender = UserFactory()
    warn = report_create(reporter=UserFactory(), reason="harassment", user=offender)
    report_decide(report=warn, actor=support_user(), outcome="warn", note="Keep it polite")
    assert AccountAction.objects.get(user=offender).kind == AccountAction.Kind.WARN

    suspend = report_create(reporter=UserFactory(), reason="harassment", user=offender)
    with pytest.raises(ValidationError):
        report_decide(report=suspend, actor=support_user(), outcome="suspend", note="Repeated")
    report_decide(report=suspend, actor=admin_user(), outcome="suspend", note="Repeated")
    offender.refresh_from_db()
    assert offender.status == User.Status.SUSPENDED


def test_a_user_cannot_be_hidden_and_nobody_reports_themselves():
    user = UserFactory()
    report = report_create(reporter=UserFactory(), reason="spam", user=user)
    with pytest.raises(ValidationError):
        report_decide(report=report, actor=support_user(), outcome="hide", note="x")
    with pytest.raises(ValidationError):
        report_create(reporter=user, reason="spam", user=user)


def test_moderation_pages_run_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(6):
        report_create(reporter=UserFactory(), reason="spam", user=UserFactory())
    client.force_login(support_user())
    with django_assert_max_num_queries(10):
        assert client.get(reverse("adminpanel:moderation_queue")).status_code == 200
    with django_assert_max_num_queries(10):
        assert (
            client.get(reverse("adminpanel:moderation_report", args=[ModerationReport.objects.first().pk])).status_code
            == 200
        )
    assert client.get(reverse("help:report")).status_code in (302, 404)
