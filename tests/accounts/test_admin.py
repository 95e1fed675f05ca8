import pytest
from django.urls import reverse

from tests.factories import GuardianConsentFactory, StudentProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, settings):
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    client.force_login(UserFactory(is_staff=True, is_superuser=True, role="admin"))
    return client


@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("user", "?role__exact=student&q=example"),
        ("studentprofile", "?academic_level__exact=school&onboarded=yes&q=Kendriya"),
        ("guardianconsent", "?status__exact=pending&q=guardian"),
        ("language", "?is_active__exact=1&q=te"),
    ],
)
def test_admin_lists_filter_and_search(admin_client, model, query, django_assert_max_num_queries):
    StudentProfileFactory.create_batch(3)
    GuardianConsentFactory.create_batch(2)
    with django_assert_max_num_queries(15):
        response = admin_client.get(reverse(f"admin:accounts_{model}_changelist") + query)
    assert response.status_code == 200


def test_consent_evidence_is_read_only_in_admin(admin_client):
    consent = GuardianConsentFactory(granted=True)
    response = admin_client.get(reverse("admin:accounts_guardianconsent_change", args=[consent.pk]))
    assert response.status_code == 200
    assert b'name="granted_ip"' not in response.content
    assert admin_client.get(reverse("admin:accounts_guardianconsent_add")).status_code == 403


def test_user_admin_shows_the_student_profile_inline(admin_client):
    profile = StudentProfileFactory()
    response = admin_client.get(reverse("admin:accounts_user_change", args=[profile.user.pk]))
    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    assert inline.formset.instance == profile.user and inline.formset.initial_form_count() == 1
