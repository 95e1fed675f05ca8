import pytest
from django.urls import reverse

from accounts.models import AuditLogEntry, ConsentRecord, User
from accounts.privacy.consents import CURRENT_VERSIONS, consent_set
from tests.factories import DEFAULT_PASSWORD, GuardianConsentFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Asha Verma",
    "email": "asha@example.test",
    "password1": "Str0ng!Pass",
    "password2": "Str0ng!Pass",
}


def test_signup_without_consent_to_processing_is_refused_and_creates_nothing(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "consent_marketing": "on"})
    assert response.status_code == 200
    assert b'id="id_consent_processing_error"' in response.content
    assert "You need to agree to the Terms" in response.content.decode()
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


@pytest.mark.parametrize(("marketing", "purposes"), [(True, {"processing", "marketing"}), (False, {"processing"})])
def test_signup_records_each_consent_separately_with_version_time_and_address(client, marketing, purposes):
    data = {**SIGNUP, "consent_processing": "on", **({"consent_marketing": "on"} if marketing else {})}
    response = client.post(reverse("account_signup"), data, HTTP_USER_AGENT="Signup/1", REMOTE_ADDR="203.0.113.50")
    assert response.status_code == 302
    records = ConsentRecord.objects.filter(user__email=SIGNUP["email"])
    assert {r.purpose for r in records} == purposes
    for record in records:
        assert record.given and record.version == CURRENT_VERSIONS[record.purpose]
        assert (record.ip_address, record.user_agent) == ("203.0.113.50", "Signup/1")
    assert AuditLogEntry.objects.filter(event=AuditLogEntry.Event.CONSENT).count() == len(purposes)


def test_marketing_consent_is_withdrawn_and_given_again_with_one_click_each(client, django_assert_max_num_queries):
    user = UserFactory()
    consent_set(user=user, purpose="processing", given=True, ip_address="198.51.100.1", user_agent="A")
    client.force_login(user)
    client.post(reverse("accounts:marketing_consent"), {"given": "yes"})
    client.post(reverse("accounts:marketing_consent"), {"given": "yes"})  # same choice again: nothing new
    client.post(reverse("accounts:marketing_consent"), {"given": "no"}, REMOTE_ADDR="198.51.100.9")
    marketing = list(ConsentRecord.objects.filter(user=user, purpose="marketing").order_by("id"))
    assert [r.given for r in marketing] == [True, False]
    assert marketing[-1].ip_address == "198.51.100.9"
    with django_assert_max_num_queries(12):
        page = client.get(reverse("accounts:privacy"))
    html = page.content.decode()
    assert "Record of your choices" in html and "198.51.100.9" in html and CURRENT_VERSIONS["processing"] in html
    assert "Send me news and offers" in html


def test_asking_to_delete_the_account_withdraws_consent_to_processing(client):
    user = UserFactory()
    consent_set(user=user, purpose="processing", given=True, ip_address=None, user_agent="")
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    client.post(reverse("accounts:account_delete"), {"confirm": "on"})
    latest = ConsentRecord.objects.filter(user=user, purpose="processing").first()
    assert latest.given is False


@pytest.mark.parametrize("name", ["accounts:terms", "accounts:privacy_policy"])
def test_legal_pages_are_public_and_show_their_version(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert f"Version {CURRENT_VERSIONS['processing']}" in response.content.decode()


def test_guardian_page_lists_what_the_guardian_agreed_to(client):
    from accounts.consent import consent_token_make

    consent = GuardianConsentFactory(granted=True, text_version="2026-11")
    token = consent_token_make(consent_id=consent.pk, guardian_email=consent.guardian_email)
    response = client.get(reverse("accounts:guardian_consent", args=[token]))
    html = response.content.decode()
    assert "You agreed to the text above (version 2026-11)" in html
    assert "Sessions are recorded" in html


@pytest.mark.parametrize(("code", "title"), [("hi", "सेवा की शर्तें"), ("te", "సేవా నిబంధనలు")])
def test_terms_are_shown_in_the_interface_language(client, settings, code, title):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    html = client.get(reverse("accounts:terms")).content.decode()
    assert title in html and "Razorpay" in html
