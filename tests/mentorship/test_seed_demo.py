import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.test import override_settings
from django.urls import reverse

from accounts.models import GuardianConsent, User
from accounts.selectors import student_can_book
from mentors.models import MentorProfile
from payments.models import LedgerEntry, Payout
from payments.selectors import mentor_balances
from sessions_app import demo_history
from sessions_app.models import Booking, FollowUpTask, ProgressMilestone, Review, Session

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_the_documented_logins(client, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Other@Pass123")
    output = _seed()
    for email in (
        "admin@demo.peerlearn.test",
        "support@demo.peerlearn.test",
        "student.school@demo.peerlearn.test",
        "student.college@demo.peerlearn.test",
        "student.minor@demo.peerlearn.test",
    ):
        assert email in output
        assert EmailAddress.objects.get(email=email).verified
    admin = User.objects.get(email="admin@demo.peerlearn.test")
    assert admin.is_superuser and admin.role == "admin"
    support = User.objects.get(email="support@demo.peerlearn.test")
    assert support.is_staff and not support.is_superuser and support.groups.filter(name="support").exists()
    response = client.post(
        reverse("account_login"), {"login": "student.college@demo.peerlearn.test", "password": "Other@Pass123"}
    )
    assert response["Location"] == reverse("accounts:dashboard")


def test_seed_demo_students_cover_school_college_and_a_minor():
    _seed()
    school = User.objects.get(email="student.school@demo.peerlearn.test")
    assert (school.student_profile.class_grade, school.student_profile.board) == (10, "cbse")
    assert school.primary_language.code == "te" and student_can_book(school)[0]
    college = User.objects.get(email="student.college@demo.peerlearn.test")
    assert college.student_profile.degree == "B.Tech" and college.primary_language.code == "hi"
    assert student_can_book(college) == (True, "")
    minor = User.objects.get(email="student.minor@demo.peerlearn.test")
    assert minor.age == 15 and minor.student_profile.is_onboarded
    assert GuardianConsent.objects.get(student=minor).status == "pending"
    assert not student_can_book(minor)[0]


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (User, GuardianConsent, MentorProfile, Session, Booking, Review, Payout, LedgerEntry, FollowUpTask)
    )


def test_seed_demo_is_idempotent():
    _seed()
    counts = _counts()
    _seed()
    assert _counts() == counts


def test_seed_demo_shows_a_lived_in_marketplace():
    _seed()
    listed = MentorProfile.objects.filter(verification_status="approved", user__email__endswith="@demo.peerlearn.test")
    # Generated portraits through the photo service (most mentors; a few keep the initials fallback).
    with_photo = listed.exclude(user__photo="")
    assert listed.count() - 6 <= with_photo.count() < listed.count()
    assert all(mentor.user.photo.name.endswith(".png") for mentor in with_photo[:3])
    # Past sessions were completed and reviewed, with a spread of ratings across mentors and stars.
    rated = listed.filter(average_rating__gt=0)
    assert rated.count() >= 15 and listed.filter(average_rating=0).exists()
    assert len(set(rated.values_list("average_rating", flat=True))) >= 6
    assert set(Review.objects.values_list("rating", flat=True)) >= {3, 4, 5}
    assert {"hi", "te", "en"} <= set(Review.objects.values_list("language__code", flat=True))
    assert Review.objects.filter(comment__regex="[\u0c00-\u0c7f]").exists()  # written in Telugu script
    assert rated.filter(total_sessions__gt=0).count() == rated.count()
    # Group sessions, past and upcoming, have seats taken.
    for session in Session.objects.filter(kind=Session.Kind.GROUP, status__in=["scheduled", "completed"]):
        assert session.bookings.filter(status__in=["confirmed", "completed"]).count() >= 2, session.title
    # One mentor has earnings and a weekly payout, all through the ledger, which balances.
    payout = Payout.objects.get()
    assert payout.status == Payout.Status.PROCESSED and payout.amount_paise >= 100_000
    assert mentor_balances(payout.mentor).paid_out_paise == payout.amount_paise
    assert LedgerEntry.objects.aggregate(total=Sum("amount_paise"))["total"] == 0
    # The demo students have follow-up tasks (some done) and milestones from their mentors and themselves.
    for local in ("student.school", "student.college"):
        student = User.objects.get(email=f"{local}@demo.peerlearn.test")
        tasks = FollowUpTask.objects.filter(student=student)
        assert tasks.filter(done_at__isnull=False).exists() and tasks.filter(done_at__isnull=True).exists()
        milestones = ProgressMilestone.objects.filter(student=student)
        assert milestones.filter(mentor__isnull=False).exists() and milestones.filter(mentor__isnull=True).exists()


@override_settings(IS_PRODUCTION=True)
def test_seed_demo_refuses_production_settings():
    with pytest.raises(CommandError, match="production"):
        _seed()
    assert not User.objects.filter(email__endswith="@demo.peerlearn.test").exists()
    assert not Session.objects.exists() and not Payout.objects.exists()


@override_settings(IS_PRODUCTION=True)
def test_demo_history_refuses_production_settings_even_when_called_directly():
    with pytest.raises(RuntimeError, match="production"):
        demo_history.seed(stdout=io.StringIO())
    assert not Session.objects.exists()


def test_seed_demo_mentors_are_found_on_the_search_page(client):
    _seed()
    client.cookies["peerlearn_language"] = "en"
    html = client.get(reverse("matching:search")).content.decode()
    assert "Dr. Priya Sharma" in html and "No mentors are listed yet" not in html
