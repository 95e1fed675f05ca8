import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from accounts.models import GuardianConsent, User
from accounts.selectors import student_can_book

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


def test_seed_demo_is_idempotent():
    _seed()
    counts = (User.objects.count(), GuardianConsent.objects.count())
    _seed()
    assert (User.objects.count(), GuardianConsent.objects.count()) == counts


@override_settings(IS_PRODUCTION=True)
def test_seed_demo_refuses_production_settings():
    with pytest.raises(CommandError, match="production"):
        _seed()
    assert not User.objects.filter(email__endswith="@demo.peerlearn.test").exists()


def test_seed_demo_mentors_are_found_on_the_search_page(client):
    _seed()
    client.cookies["peerlearn_language"] = "en"
    html = client.get(reverse("matching:search")).content.decode()
    assert "Dr. Priya Sharma" in html and "No mentors are listed yet" not in html
