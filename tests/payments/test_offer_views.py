"""Pages for packages, credits and scholarships, and the checkout's breakdown."""

import pytest
from django.urls import reverse

from payments import packages, scholarships
from payments.models import Package, PackagePurchase, ScholarshipGrant
from tests.factories import GuardianConsentFactory, MentorProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor_profile(db):
    return MentorProfileFactory()


@pytest.fixture
def offer(mentor_profile):
    return packages.package_save(
        mentor=mentor_profile.user,
        title="Board exam revision",
        sessions_count=4,
        duration_minutes=60,
        price_paise=400_000,
        validity_days=90,
    )


def test_mentor_puts_a_package_on_sale_and_bad_prices_are_explained(client, mentor_profile):
    client.force_login(mentor_profile.user)
    url = reverse("payments:packages_manage")
    data = {"title": "Four", "sessions_count": 4, "duration_minutes": 60, "validity_days": 90}

    response = client.post(url, {**data, "price_rupees": 4_025})
    assert response.status_code == 400
    assert "Prices go in steps of ₹50" in response.content.decode()
    assert not Package.objects.exists()

    response = client.post(url, {**data, "price_rupees": 4_000, "title": ""})
    assert response.status_code == 400
    # The "You'll earn" box under the price: ₹4,000 less the 30 % platform fee.
    assert 'data-testid="earn-net">₹2,800.00<' in response.content.decode()

    response = client.post(url, {**data, "price_rupees": 4_000})
    assert response.status_code == 302
    package = Package.objects.get()
    assert (package.price_paise, package.sessions_count, package.is_active) == (400_000, 4, True)

    client.post(reverse("payments:package_toggle", args=[package.pk]))
    package.refresh_from_db()
    assert package.is_active is False
    response = client.post(reverse("payments:package_edit", args=[package.pk]), {**data, "price_rupees": 3_500})
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.price_paise == 350_000


def test_students_and_other_mentors_cannot_manage_packages(client, offer):
    client.force_login(UserFactory())
    assert client.get(reverse("payments:packages_manage")).status_code == 403
    client.force_login(MentorProfileFactory().user)
    assert client.post(reverse("payments:package_toggle", args=[offer.pk])).status_code == 404


def test_the_public_profile_lists_packages_and_a_student_buys_one(
    client, offer, mentor_profile, razorpay_keys, django_assert_max_num_queries
):
    student = UserFactory()
    client.force_login(student)
    profile = client.get(reverse("mentors:profile", args=[mentor_profile.slug]))
    assert "Board exam revision" in profile.content.decode()

    with django_assert_max_num_queries(8):
        page = client.get(reverse("payments:package_detail", args=[offer.pk]))
    html = page.content.decode()
    assert "refunded to you in money" in html  # the expiry rule is stated
    response = client.post(reverse("payments:package_detail", args=[offer.pk]))

    purchase = PackagePurchase.objects.get()
    assert response.url == reverse("payments:checkout", args=[purchase.payment_id])
    checkout = client.get(response.url).content.decode()
    assert "Price breakdown" in checkout
    assert reverse("accounts:terms") in checkout and reverse("accounts:privacy_policy") in checkout
    assert "of which GST" in checkout


def test_a_student_sees_credits_and_packages(client, offer, django_assert_max_num_queries):
    student = UserFactory()
    scholarships.scholarship_grant(granted_by=UserFactory(is_staff=True), student=student, amount_paise=75_000)
    client.force_login(student)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("payments:credits"))

    assert response.status_code == 200
    assert "₹750" in response.content.decode()


def test_staff_grant_credits_and_see_what_each_sponsor_funded(client, settings, django_assert_max_num_queries):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False  # the MFA gate has its own tests; staff here have enrolled
    staff = UserFactory(is_staff=True)
    sponsor = UserFactory(full_name="Telangana Girls Trust")
    student = UserFactory(email="asha@example.test")
    client.force_login(staff)

    response = client.post(
        reverse("payments:scholarships"),
        {"student_email": "nobody@example.test", "amount_rupees": 500, "sponsor_email": sponsor.email},
    )
    assert response.status_code == 400
    assert "No account uses this email address." in response.content.decode()
    response = client.post(
        reverse("payments:scholarships"),
        {"student_email": student.email, "amount_rupees": 500, "sponsor_email": sponsor.email},
    )
    assert response.status_code == 302
    grant = ScholarshipGrant.objects.get()
    assert (grant.sponsor, grant.student, grant.amount_paise) == (sponsor, student, 50_000)

    with django_assert_max_num_queries(10):
        report = client.get(reverse("payments:scholarships"))
    assert "Telangana Girls Trust" in report.content.decode()

    client.force_login(student)
    assert client.get(reverse("payments:scholarships")).status_code == 403


def test_a_minors_guardian_sees_the_grant(client):
    consent = GuardianConsentFactory(granted=True)
    guardian = UserFactory(email=consent.guardian_email)
    scholarships.scholarship_grant(
        granted_by=UserFactory(is_staff=True), student=consent.student, amount_paise=30_000, note="Merit"
    )
    client.force_login(guardian)

    response = client.get(reverse("payments:family_scholarships"))

    assert consent.student.full_name in response.content.decode()
    assert "₹300" in response.content.decode()
