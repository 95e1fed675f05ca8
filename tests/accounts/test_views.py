import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.consent import consent_token_make
from accounts.models import GuardianConsent, StudentProfile
from tests.accounts.conftest import image_upload
from tests.factories import (
    DEFAULT_PASSWORD,
    GuardianConsentFactory,
    StudentProfileFactory,
    UserFactory,
    birth_date_for_age,
    language,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def step_url(slug: str) -> str:
    return reverse("accounts:onboarding_step", args=[slug])


def basic_post(**overrides: str) -> dict:
    return {
        "full_name": "Ravi Teja",
        "phone": "9876543210",
        "date_of_birth": birth_date_for_age(19).isoformat(),
        "city": "Guntur",
        "state": "Andhra Pradesh",
        "country": "India",
        "time_zone": "Asia/Kolkata",
        "primary_language": str(language("te").pk),
        **overrides,
    }


def school_post(**overrides: str) -> dict:
    data = {"school_name": "KV", "board": "cbse", "class_grade": "10", "stream": "", "extracurriculars": ""}
    data |= {f"subjects_{n}": subject for n, subject in enumerate(["Maths", "Science", "English"])}
    return data | overrides


def is_partial(response) -> bool:
    return b"<html" not in response.content


# --- onboarding wizard ---------------------------------------------------------------------------


def test_onboarding_needs_login(client):
    response = client.get(reverse("accounts:onboarding"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_onboarding_resumes_at_the_furthest_step(client, new_student):
    StudentProfile.objects.filter(user=new_student).update(onboarding_step=4)
    client.force_login(new_student)
    assert client.get(reverse("accounts:onboarding"))["Location"] == step_url("languages")


def test_steps_not_reached_redirect_back(client, new_student):
    client.force_login(new_student)
    assert client.get(step_url("goals"))["Location"] == step_url("basic")
    assert client.get("/onboarding/nonsense/").status_code == 404


def test_step_page_renders_in_full_and_as_htmx_partial(client, new_student, django_assert_max_num_queries):
    client.force_login(new_student)
    with django_assert_max_num_queries(10):
        page = client.get(step_url("basic"))
    assert page.status_code == 200 and not is_partial(page)
    assert b'aria-current="step"' in page.content
    assert b"data-detect-time-zone" in page.content
    with django_assert_max_num_queries(10):
        partial = client.get(step_url("basic"), **HTMX)
    assert partial.status_code == 200 and is_partial(partial)
    assert b'id="step-title"' in partial.content


def test_htmx_history_restores_get_the_whole_page(client, new_student):
    client.force_login(new_student)
    response = client.get(step_url("basic"), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert not is_partial(response)
    assert "HX-Request" in response["Vary"]


def test_home_page_leads_visitors_to_signup_and_students_to_their_dashboard(client, onboarded_student):
    response = client.get(reverse("home"))
    assert f'href="{reverse("account_signup")}"'.encode() in response.content
    client.force_login(onboarded_student)
    response = client.get(reverse("home"))
    assert f'href="{reverse("accounts:dashboard")}"'.encode() in response.content
    assert b"Sign up as a student" not in response.content


def test_saving_a_step_moves_to_the_next(client, new_student):
    client.force_login(new_student)
    response = client.post(step_url("basic"), basic_post())
    assert response["Location"] == step_url("level")
    new_student.refresh_from_db()
    assert new_student.phone == "+919876543210" and new_student.city == "Guntur"


def test_htmx_save_swaps_in_the_next_step_and_pushes_its_url(client, new_student, django_assert_max_num_queries):
    client.force_login(new_student)
    with django_assert_max_num_queries(25):
        response = client.post(step_url("basic"), basic_post(), **HTMX)
    assert response.status_code == 200 and is_partial(response)
    assert response["HX-Push-Url"] == step_url("level")
    assert b'name="academic_level"' in response.content


def test_bad_input_shows_errors_next_to_fields_and_saves_nothing(client, new_student):
    client.force_login(new_student)
    response = client.post(step_url("basic"), basic_post(phone="12", primary_language=""), **HTMX)
    assert response.status_code == 400 and is_partial(response)
    html = response.content.decode()
    assert 'id="id_phone_error"' in html and 'aria-describedby="id_phone_helptext id_phone_error"' in html
    assert "Choose your primary language." in html
    assert 'aria-invalid="true"' in html
    new_student.refresh_from_db()
    assert new_student.phone == "" and new_student.city == "Hyderabad"
    assert StudentProfile.objects.get(user=new_student).onboarding_step == 1


def test_class_13_is_refused_with_the_rule_next_to_the_field(client, new_student):
    StudentProfile.objects.filter(user=new_student).update(onboarding_step=3, academic_level="school")
    client.force_login(new_student)
    response = client.post(step_url("academics"), school_post(class_grade="13"))
    assert response.status_code == 400
    assert re.search(r'id="id_class_grade_error"[^>]*><li>Class must be between 6 and 12', response.content.decode())
    assert StudentProfile.objects.get(user=new_student).class_grade is None


def test_college_students_get_the_college_form(client, new_student):
    StudentProfile.objects.filter(user=new_student).update(onboarding_step=3, academic_level="college")
    client.force_login(new_student)
    response = client.get(step_url("academics"))
    assert b'name="university"' in response.content and b'name="school_name"' not in response.content
    response = client.post(
        step_url("academics"),
        {"university": "OU", "degree": "B.Sc", "major": "Physics", "semester": "2", "cgpa": "11", "minor": ""},
    )
    assert "CGPA must be between 0 and 10." in response.content.decode()


def test_back_keeps_saved_answers(client, new_student):
    client.force_login(new_student)
    client.post(step_url("basic"), basic_post(city="Nellore"))
    response = client.get(step_url("basic"))
    assert b'value="Nellore"' in response.content
    assert b'href="%s"' % step_url("basic").encode() not in response.content.split(b"<form")[1]


def test_last_step_with_photo_completes_onboarding(client, new_student):
    StudentProfile.objects.filter(user=new_student).update(onboarding_step=7)
    client.force_login(new_student)
    response = client.post(step_url("photo"), {"photo": image_upload(), "notify_email": "on"}, **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("accounts:dashboard")
    profile = StudentProfile.objects.get(user=new_student)
    assert profile.is_onboarded and profile.notify_email and not profile.notify_sms
    new_student.refresh_from_db()
    assert new_student.photo


def test_onboarded_students_are_sent_from_the_wizard_to_the_editor(client, onboarded_student):
    client.force_login(onboarded_student)
    assert client.get(step_url("goals"))["Location"] == reverse("accounts:profile_edit", args=["goals"])
    assert client.get(reverse("accounts:onboarding"))["Location"] == reverse("accounts:dashboard")


# --- minors and their guardian -------------------------------------------------------------------


def test_a_minor_names_a_guardian_right_after_step_one_and_verifies_their_phone_before_it_is_sent(
    client, new_student, django_capture_on_commit_callbacks, capsys
):
    client.force_login(new_student)
    response = client.post(step_url("basic"), basic_post(date_of_birth=birth_date_for_age(15).isoformat()))
    assert response["Location"] == reverse("accounts:guardian")
    assert client.get(step_url("level"))["Location"] == reverse("accounts:guardian")
    page = client.get(reverse("accounts:guardian"))
    assert page.status_code == 200 and b"sessions are recorded" in page.content
    answers = {
        "guardian_name": "Lakshmi",
        "guardian_email": "lakshmi@example.test",
        "guardian_phone": "098765 01234",
        "relationship": "mother",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:guardian"), answers)
    # Not sent yet: a code went to the guardian's phone and the student is asked for it.
    verify_url = reverse("accounts:phone_verify") + "?for=guardian"
    assert response["Location"] == verify_url
    assert not GuardianConsent.objects.exists() and mail.outbox == []
    code = _sent_code(capsys, to="+919876501234")
    page = client.get(verify_url)
    assert "+919876501234" in page.content.decode() and "parent or guardian" in page.content.decode()
    assert client.get(step_url("level"))["Location"] == reverse("accounts:guardian")

    wrong = client.post(verify_url, {"action": "verify", "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    # Sending again before verifying still sends nothing to the guardian's inbox.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("accounts:guardian"), answers)["Location"] == verify_url
    assert mail.outbox == []

    verified = client.post(verify_url, {"action": "verify", "code": code})
    assert verified["Location"] == reverse("accounts:guardian")
    form_page = client.get(reverse("accounts:guardian")).content.decode()
    assert 'value="+919876501234"' in form_page and 'value="lakshmi@example.test"' in form_page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:guardian"), answers)
    assert response["Location"] == reverse("accounts:onboarding")
    assert mail.outbox[0].to == ["lakshmi@example.test"]
    assert GuardianConsent.objects.get().guardian_phone == "+919876501234"
    assert client.get(step_url("level")).status_code == 200


def _sent_code(capsys, *, to: str) -> str:
    return re.findall(rf"SMS to {re.escape(to)}: .*?(\d{{6}})", capsys.readouterr().out)[-1]


def test_the_guardian_phone_page_needs_the_guardian_form_first(client, new_student):
    new_student.date_of_birth = birth_date_for_age(15)
    new_student.save(update_fields=["date_of_birth"])
    client.force_login(new_student)
    response = client.get(reverse("accounts:phone_verify") + "?for=guardian")
    assert response["Location"] == reverse("accounts:guardian")


def test_guardian_form_errors_render_as_htmx_partial(client, new_student, django_assert_max_num_queries):
    new_student.date_of_birth = birth_date_for_age(15)
    new_student.save(update_fields=["date_of_birth"])
    client.force_login(new_student)
    with django_assert_max_num_queries(12):
        response = client.post(
            reverse("accounts:guardian"),
            {
                "guardian_name": "Me",
                "guardian_email": new_student.email,
                "guardian_phone": "+919876501234",
                "relationship": "mother",
            },
            **HTMX,
        )
    assert is_partial(response) and b"not yours" in response.content
    bad_phone = client.post(
        reverse("accounts:guardian"),
        {"guardian_name": "Amma", "guardian_email": "amma@example.test", "guardian_phone": "12345",
         "relationship": "mother"},
        **HTMX,
    )
    assert is_partial(bad_phone) and b"valid phone number" in bad_phone.content
    assert b'value="amma@example.test"' in bad_phone.content
    assert not GuardianConsent.objects.exists()


def test_adults_do_not_need_the_guardian_page(client, onboarded_student):
    client.force_login(onboarded_student)
    assert client.get(reverse("accounts:guardian"))["Location"] == reverse("accounts:dashboard")


def test_resend_from_the_dashboard_is_rate_limited(client, django_capture_on_commit_callbacks):
    consent = GuardianConsentFactory(last_sent_at=timezone.now() - dt.timedelta(minutes=5))
    StudentProfileFactory(user=consent.student)
    client.force_login(consent.student)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:guardian_resend"), **HTMX)
    assert is_partial(response) and b"sent the consent link again" in response.content
    assert len(mail.outbox) == 1
    response = client.post(reverse("accounts:guardian_resend"))
    assert response["Location"] == reverse("accounts:dashboard")
    assert "again in" in str(list(client.get(reverse("accounts:dashboard")).context["messages"])[0])
    assert client.get(reverse("accounts:guardian_resend")).status_code == 405


def _consent_url(consent: GuardianConsent) -> str:
    token = consent_token_make(consent_id=consent.pk, guardian_email=consent.guardian_email)
    return reverse("accounts:guardian_consent", args=[token])


def test_guardian_consent_page_explains_and_grants(client, django_assert_max_num_queries):
    consent = GuardianConsentFactory()
    url = _consent_url(consent)
    with django_assert_max_num_queries(4):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "What data we keep" in html and "Sessions are recorded" in html and "right to withdraw" in html
    response = client.post(url, {"decision": "grant"})
    assert response.status_code == 400 and "Tick the box" in response.content.decode()
    response = client.post(
        url, {"decision": "grant", "agree": "on"}, HTTP_USER_AGENT="Firefox", REMOTE_ADDR="203.0.113.7"
    )
    assert response["Location"] == url
    consent.refresh_from_db()
    assert (
        consent.status == "granted" and consent.granted_ip == "203.0.113.7" and consent.granted_user_agent == "Firefox"
    )
    assert b'data-consent-status="granted"' in client.get(url).content


def test_reusing_a_link_after_granting_shows_the_status(client):
    consent = GuardianConsentFactory(granted=True)
    granted_at = consent.granted_at
    url = _consent_url(consent)
    response = client.post(url, {"decision": "grant", "agree": "on"}, follow=True)
    assert b"already been answered" in response.content
    consent.refresh_from_db()
    assert consent.granted_at == granted_at


def test_guardian_can_withdraw_with_an_old_link(client):
    consent = GuardianConsentFactory(granted=True)
    url = _consent_url(consent)
    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        response = client.post(url, {"decision": "withdraw"}, follow=True)
    assert b'data-consent-status="withdrawn"' in response.content
    assert GuardianConsent.objects.get(pk=consent.pk).status == "withdrawn"


def test_expired_link_cannot_grant(client):
    consent = GuardianConsentFactory()
    url = _consent_url(consent)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert b'data-consent-status="expired"' in client.get(url).content
        client.post(url, {"decision": "grant", "agree": "on"})
    assert GuardianConsent.objects.get(pk=consent.pk).status == "pending"


def test_forged_links_are_not_found(client):
    response = client.get(reverse("accounts:guardian_consent", args=["forged:token"]))
    assert response.status_code == 404 and b"does not work" in response.content


# --- dashboard and profile -------------------------------------------------------------------------


def test_dashboard_sends_unfinished_students_to_onboarding(client, new_student):
    client.force_login(new_student)
    assert client.get(reverse("accounts:dashboard"))["Location"] == reverse("accounts:onboarding")


def test_dashboard_shows_progress_summary_and_empty_states(client, onboarded_student, django_assert_max_num_queries):
    client.force_login(onboarded_student)
    # 26: the learning panel reads weekly hours, the next session and the activity feed (4).
    with django_assert_max_num_queries(28):
        response = client.get(reverse("accounts:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "7 of 7 steps complete" in html
    assert "Kendriya Vidyalaya" in html and "Telugu (primary)" in html
    assert "No sessions yet" in html and f'href="{reverse("matching:search")}"' in html
    assert "Guardian consent" not in html


def test_dashboard_shows_a_minors_consent_status(client, django_assert_max_num_queries):
    consent = GuardianConsentFactory()
    StudentProfileFactory(user=consent.student)
    client.force_login(consent.student)
    with django_assert_max_num_queries(28):
        html = client.get(reverse("accounts:dashboard")).content.decode()
    assert 'data-consent-status="pending"' in html and "Send the link again" in html
    assert "must give consent before you can book" in html


def test_dashboard_routes_mentors_and_staff_elsewhere(client):
    client.force_login(UserFactory(role="mentor"))
    assert client.get(reverse("accounts:dashboard"))["Location"] == reverse("mentors:dashboard")
    client.force_login(UserFactory(role="support", is_staff=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF", False)
        assert client.get(reverse("accounts:dashboard"))["Location"] == reverse("adminpanel:home")


@pytest.mark.parametrize("section", ["basic", "level", "academics", "languages", "goals", "interests", "photo"])
def test_every_profile_section_can_be_edited(client, onboarded_student, section, django_assert_max_num_queries):
    client.force_login(onboarded_student)
    url = reverse("accounts:profile_edit", args=[section])
    with django_assert_max_num_queries(10):
        page = client.get(url)
    assert page.status_code == 200 and not is_partial(page)
    assert is_partial(client.get(url, **HTMX))


def test_profile_edit_saves_and_returns_to_the_dashboard(client, onboarded_student):
    client.force_login(onboarded_student)
    url = reverse("accounts:profile_edit", args=["interests"])
    response = client.post(url, {"interests": "Chess", "challenges": ["confidence"]}, **HTMX)
    assert response["HX-Redirect"] == reverse("accounts:dashboard")
    assert StudentProfile.objects.get(user=onboarded_student).interests == ["Chess"]
    response = client.post(url, {"interests": "", "challenges": []}, **HTMX)
    assert is_partial(response) and b"Add at least one interest." in response.content


def test_a_minor_cannot_become_an_adult_by_editing_their_date_of_birth(client):
    minor = StudentProfileFactory(user__date_of_birth=birth_date_for_age(15)).user
    client.force_login(minor)
    url = reverse("accounts:profile_edit", args=["basic"])
    page = client.get(url)
    assert re.search(rb'<input[^>]*name="date_of_birth"[^>]*disabled', page.content)
    assert b"contact support" in page.content
    client.post(url, basic_post(date_of_birth="2000-01-01", phone=""))
    minor.refresh_from_db()
    assert minor.date_of_birth == birth_date_for_age(15) and minor.is_minor


def test_switching_level_in_the_editor_reopens_the_wizard(client, onboarded_student):
    client.force_login(onboarded_student)
    response = client.post(reverse("accounts:profile_edit", args=["level"]), {"academic_level": "college"})
    assert response["Location"] == reverse("accounts:onboarding")
    assert client.get(reverse("accounts:onboarding"))["Location"] == step_url("academics")


def test_changing_the_phone_needs_reauthentication(client, onboarded_student):
    client.force_login(onboarded_student)
    url = reverse("accounts:phone_change")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get(url).status_code == 200
    assert is_partial(client.post(url, {"phone": "123"}, **HTMX))
    response = client.post(url, {"phone": "9000000001"})
    assert response["Location"] == reverse("accounts:dashboard")
    onboarded_student.refresh_from_db()
    assert onboarded_student.phone == "+919000000001"
