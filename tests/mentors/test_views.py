import datetime as dt
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentors import hooks
from mentors.models import AvailabilityOverride, AvailabilityRule, MentorProfile, MentorSlugHistory
from mentors.models import VerificationStatus as S
from tests.factories import (
    SAMPLE_PDF_BYTES,
    AvailabilityOverrideFactory,
    MentorProfileFactory,
    UserFactory,
    language,
    mentor_with_weekly_hours,
    student_with_profile,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english(client, settings):
    """Assertions read English text; factory mentors speak Hindi first, which would switch the UI to Hindi."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def application_post(**overrides):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "full_name": "Ravi Kumar",
        "title": "JEE Physics Mentor",
        "university": "IIT Madras",
        "company": "",
        "years_experience": "5",
        "bio": "Physics for JEE, explained simply in Telugu and English.",
        "linkedin_url": "linkedin.com/in/ravi",
        "expertise_areas": "Physics, Engineering entrance",
        "specializations": "JEE Physics",
        "industry_focus": "",
        "subjects": "Physics",
        "skills": "Mechanics, Problem solving",
        "levels_served": ["school", "college"],
        "hourly_rate_rupees": "800",
        "offered_durations": ["30", "60"],
        "primary_language": str(language("te").pk),
        "languages": [str(language("en").pk)],
        "time_zone": "Asia/Kolkata",
        "city": "Vijayawada",
        "state": "Andhra Pradesh",
        "work-TOTAL_FORMS": "1",
        "work-INITIAL_FORMS": "0",
        "work-0-title": "Physics lecturer",
        "work-0-organization": "Narayana Junior College",
        "work-0-start_date": "2019-06-01",
        "education-TOTAL_FORMS": "1",
        "education-INITIAL_FORMS": "0",
        "education-0-institution": "IIT Madras",
        "education-0-degree": "M.Sc.",
        "education-0-start_year": "2014",
        "education-0-end_year": "2016",
        "certifications-TOTAL_FORMS": "1",
        "certifications-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "2",
        "documents-INITIAL_FORMS": "2",
        "documents-0-document_type": "id_proof",
        "documents-0-file": SimpleUploadedFile("aadhaar.pdf", SAMPLE_PDF_BYTES, content_type="application/pdf"),
        "documents-1-document_type": "education_certificate",
    }
    data.update(overrides)
    return data


# --- apply -----------------------------------------------------------------------------------------


def test_visitors_must_sign_in_to_apply(client):
    response = client.get(reverse("mentors:apply"))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_a_student_sees_the_application_form(client):
    client.force_login(UserFactory())
    response = client.get(reverse("mentors:apply"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="documents-0-file"' in content and 'enctype="multipart/form-data"' in content
    assert 'name="work-0-organization"' in content


def test_applying_creates_a_pending_profile_and_shows_the_dashboard(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mentors:apply"), application_post())
    assert response.status_code == 302 and response.url == reverse("mentors:dashboard")
    mentor = MentorProfile.objects.get(user=user)
    assert mentor.verification_status == S.PENDING
    assert mentor.hourly_rate_paise == 80_000 and mentor.linkedin_url == "https://linkedin.com/in/ravi"
    assert mentor.work_experiences.get().organization == "Narayana Junior College"
    assert mentor.documents.get().document_type == "id_proof"
    assert len(mailoutbox) == 1
    dashboard = client.get(response.url)
    assert "Pending" in dashboard.content.decode()


def test_a_fake_document_is_refused_next_to_its_field(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(UserFactory())
    response = client.post(
        reverse("mentors:apply"),
        application_post(**{"documents-0-file": SimpleUploadedFile("aadhaar.pdf", b"MZ not a pdf")}),
    )
    assert response.status_code == 400
    assert "Upload a PDF, JPEG or PNG file." in response.content.decode()
    assert 'id="id_documents-0-file_error"' in response.content.decode()
    assert not MentorProfile.objects.exists()


def test_missing_id_proof_is_reported(client):
    client.force_login(UserFactory())
    response = client.post(reverse("mentors:apply"), application_post(**{"documents-0-file": ""}))
    assert response.status_code == 400
    assert "Upload an ID proof." in response.content.decode()


def test_an_applicant_is_sent_to_the_dashboard_instead_of_applying_twice(client):
    mentor = MentorProfileFactory(pending=True)
    client.force_login(mentor.user)
    assert client.get(reverse("mentors:apply")).url == reverse("mentors:dashboard")


def test_a_mentor_asked_to_reapply_sees_the_reason_and_their_answers(client):
    mentor = MentorProfileFactory(verification_status=S.REAPPLICATION_REQUIRED, decision_reason="Blurry ID proof")
    mentor.work_experiences.create(title="Tutor", organization="Sri Chaitanya", start_date=dt.date(2020, 1, 1))
    client.force_login(mentor.user)
    response = client.get(reverse("mentors:apply"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Blurry ID proof" in content and 'value="Sri Chaitanya"' in content
    data = application_post(
        **{
            "work-TOTAL_FORMS": "2",
            "work-INITIAL_FORMS": "1",
            "work-0-title": "Tutor",
            "work-0-organization": "Sri Chaitanya",
            "work-0-start_date": "2020-01-01",
            "work-1-title": "",
            "work-1-organization": "",
            "work-1-start_date": "",
        }
    )
    response = client.post(reverse("mentors:apply"), data)
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.verification_status == S.PENDING
    assert list(mentor.work_experiences.values_list("organization", flat=True)) == ["Sri Chaitanya"]


# --- dashboard and profile editing ---------------------------------------------------------------


def test_the_dashboard_sends_non_mentors_to_apply(client):
    client.force_login(UserFactory())
    assert client.get(reverse("mentors:dashboard")).url == reverse("mentors:apply")


def test_a_rejected_mentor_sees_the_reason_on_the_dashboard_and_its_partial(client):
    mentor = MentorProfileFactory(verification_status=S.REJECTED, decision_reason="Not enough teaching experience")
    mentor.verification_events.create(
        from_status=S.PENDING, to_status=S.REJECTED, note="Not enough teaching experience"
    )
    client.force_login(mentor.user)
    page = client.get(reverse("mentors:dashboard"))
    assert page.status_code == 200 and "Not enough teaching experience" in page.content.decode()
    assert "Edit profile" not in page.content.decode()
    partial = client.get(reverse("mentors:dashboard"), **HTMX)
    assert partial.status_code == 200
    assert b'id="verification-status"' in partial.content and b"<html" not in partial.content


def test_editing_the_profile_publishes_at_once(client):
    mentor = MentorProfileFactory(university="IIT Madras", company="")
    client.force_login(mentor.user)
    assert client.get(reverse("mentors:profile_edit")).status_code == 200
    response = client.post(reverse("mentors:profile_edit"), application_post(**{"documents-0-file": ""}))
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.verification_status == S.APPROVED and mentor.title == "JEE Physics Mentor"


def test_editing_the_university_goes_back_to_review(client):
    mentor = MentorProfileFactory(university="Osmania University", company="")
    client.force_login(mentor.user)
    response = client.post(reverse("mentors:profile_edit"), application_post(**{"documents-0-file": ""}), follow=True)
    mentor.refresh_from_db()
    assert mentor.verification_status == S.DOCUMENTS_UNDER_REVIEW
    assert "back in document review" in response.content.decode()


def test_rejected_mentors_cannot_edit(client):
    mentor = MentorProfileFactory(verification_status=S.REJECTED)
    client.force_login(mentor.user)
    assert client.get(reverse("mentors:profile_edit")).url == reverse("mentors:dashboard")


def test_changing_the_profile_address_full_page_and_partial(client):
    mentor = MentorProfileFactory(slug="ravi")
    client.force_login(mentor.user)
    response = client.post(reverse("mentors:profile_address"), {"slug": "ravi-kumar"})
    assert response.status_code == 302
    assert MentorSlugHistory.objects.filter(mentor=mentor, slug="ravi").exists()
    partial = client.post(reverse("mentors:profile_address"), {"slug": "ravi-physics"}, **HTMX)
    assert partial.status_code == 200 and b"/mentor/ravi-physics/" in partial.content
    MentorProfileFactory(slug="taken")
    refused = client.post(reverse("mentors:profile_address"), {"slug": "taken"}, **HTMX)
    assert refused.status_code == 400 and b"That address is taken." in refused.content


# --- availability --------------------------------------------------------------------------------------


def test_availability_page_and_partial(client):
    mentor = mentor_with_weekly_hours(weekdays=(0,), start="10:00", end="12:00")
    client.force_login(mentor.user)
    page = client.get(reverse("mentors:availability"))
    assert page.status_code == 200 and "Monday 10:00–12:00" in page.content.decode()
    partial = client.get(reverse("mentors:availability"), **HTMX)
    assert b'id="availability-editor"' in partial.content and b"<html" not in partial.content


def test_adding_and_removing_weekly_hours_with_htmx(client):
    mentor = MentorProfileFactory()
    client.force_login(mentor.user)
    response = client.post(
        reverse("mentors:availability_rule_add"), {"weekday": "2", "start_time": "18:00", "end_time": "20:00"}, **HTMX
    )
    assert response.status_code == 200 and b"Wednesday 18:00" in response.content
    rule = AvailabilityRule.objects.get(mentor=mentor)
    bad = client.post(
        reverse("mentors:availability_rule_add"), {"weekday": "2", "start_time": "19:00", "end_time": "21:00"}, **HTMX
    )
    assert bad.status_code == 400 and b"overlap" in bad.content
    removed = client.post(reverse("mentors:availability_rule_delete", args=[rule.pk]))
    assert removed.status_code == 302 and not AvailabilityRule.objects.exists()


def test_a_mentor_cannot_remove_someone_elses_hours(client):
    other = mentor_with_weekly_hours(weekdays=(0,))
    client.force_login(MentorProfileFactory().user)
    rule = other.availability_rules.get()
    assert client.post(reverse("mentors:availability_rule_delete", args=[rule.pk])).status_code == 404
    override = AvailabilityOverrideFactory(mentor=other)
    assert client.post(reverse("mentors:availability_override_delete", args=[override.pk])).status_code == 404
    assert AvailabilityRule.objects.filter(pk=rule.pk).exists()


def test_adding_and_removing_a_day_off(client):
    mentor = MentorProfileFactory()
    client.force_login(mentor.user)
    day = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(reverse("mentors:availability_override_add"), {"date": day, "kind": "blocked"}, **HTMX)
    assert response.status_code == 200 and b"whole day" in response.content
    past = client.post(reverse("mentors:availability_override_add"), {"date": "2020-01-01", "kind": "blocked"}, **HTMX)
    assert past.status_code == 400
    override = AvailabilityOverride.objects.get(mentor=mentor)
    response = client.post(reverse("mentors:availability_override_delete", args=[override.pk]), **HTMX)
    assert response.status_code == 200 and not AvailabilityOverride.objects.exists()


def test_saving_booking_rules(client):
    mentor = MentorProfileFactory()
    client.force_login(mentor.user)
    data = {
        "buffer_before_minutes": "10",
        "buffer_after_minutes": "5",
        "minimum_notice_hours": "6",
        "booking_horizon_days": "21",
        "offered_durations": ["60"],
    }
    response = client.post(reverse("mentors:availability_settings"), data, **HTMX)
    assert response.status_code == 200 and b'id="availability-settings"' in response.content
    mentor.refresh_from_db()
    assert mentor.offered_durations == [60] and mentor.minimum_notice_hours == 6
    bad = client.post(reverse("mentors:availability_settings"), {**data, "offered_durations": []})
    assert bad.status_code == 400


# --- the public profile ----------------------------------------------------------------------------------


@pytest.fixture
def priya():
    user_fields = {"full_name": "Dr. Priya Sharma", "time_zone": "Asia/Kolkata", "languages": ["hi", "en", "te"]}
    mentor = mentor_with_weekly_hours(
        slug="dr-priya-sharma",
        title="NEET Biology Mentor",
        specializations=["NEET preparation"],
        hourly_rate_paise=150_000,
        **{f"user__{k}": v for k, v in user_fields.items()},
    )
    mentor.work_experiences.create(title="Biology faculty", organization="Allen", start_date=dt.date(2015, 4, 1))
    mentor.education_entries.create(institution="AIIMS Delhi", degree="MBBS", start_year=2008, end_year=2013)
    mentor.certifications.create(name="Mentoring", issuer="NCERT")
    return mentor


def test_public_profile_shows_every_section_with_seo_tags(client, priya):
    response = client.get(reverse("mentors:profile", args=["dr-priya-sharma"]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<title>Dr. Priya Sharma – NEET Biology Mentor · PeerLearn</title>" in content
    assert '<meta property="og:title" content="Dr. Priya Sharma – NEET Biology Mentor">' in content
    assert '<meta name="description" content="Dr. Priya Sharma, NEET Biology Mentor, mentors students' in content
    for text in [
        "Allen",
        "AIIMS Delhi",
        "Mentoring",
        "Hindi, English, Telugu",
        "No reviews yet",
        "₹750",
        "₹1,500",
        "₹2,250",
    ]:
        assert text in content, text
    assert f'href="{reverse("sessions_app:book", args=["dr-priya-sharma"])}"' in content
    assert 'id="availability"' in content
    assert "times in India Standard Time" in content


def test_anonymous_viewers_see_times_in_their_browser_zone(client, priya):
    client.cookies["peerlearn_tz"] = "Europe/London"
    assert "times in Europe/London" in client.get(reverse("mentors:profile", args=[priya.slug])).content.decode()
    client.cookies["peerlearn_tz"] = "Not/AZone"
    assert "times in India Standard Time" in client.get(reverse("mentors:profile", args=[priya.slug])).content.decode()


def test_signed_in_viewers_see_times_in_their_own_zone(client, priya):
    client.force_login(UserFactory(time_zone="America/New_York"))
    assert "times in America/New_York" in client.get(reverse("mentors:profile", args=[priya.slug])).content.decode()


def test_the_availability_partial_pages_by_week(client, priya):
    next_week = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.get(reverse("mentors:profile", args=[priya.slug]) + f"?from={next_week}", **HTMX)
    assert response.status_code == 200
    assert b'id="availability"' in response.content and b"<html" not in response.content
    assert b"Previous week" in response.content
    assert client.get(reverse("mentors:profile", args=[priya.slug]) + "?from=nonsense").status_code == 200


@pytest.mark.parametrize("status", [s for s in S.values if s != S.APPROVED])
def test_unapproved_mentors_have_no_public_profile(client, status):
    mentor = MentorProfileFactory(verification_status=status)
    assert client.get(reverse("mentors:profile", args=[mentor.slug])).status_code == 404


def test_inactive_mentors_have_no_public_profile(client):
    mentor = MentorProfileFactory(is_active=False)
    assert client.get(reverse("mentors:profile", args=[mentor.slug])).status_code == 404
    deactivated = MentorProfileFactory(user__is_active=False)
    assert client.get(reverse("mentors:profile", args=[deactivated.slug])).status_code == 404


def test_old_slugs_redirect_permanently(client, priya):
    MentorSlugHistory.objects.create(mentor=priya, slug="priya-sharma")
    response = client.get("/mentor/priya-sharma/")
    assert response.status_code == 301 and response.url == "/mentor/dr-priya-sharma/"
    assert client.get("/mentor/nobody-here/").status_code == 404


def test_registered_providers_add_compatibility_and_reviews(client, priya):
    class Reason:
        text = "Speaks Telugu"

    class Match:
        percent = 87
        reasons = [Reason()]

    class Review:
        author_name = "Anil"
        rating = 5
        text = "Explained genetics so well"
        created_at = timezone.now()

    def provider(request, mentor):
        return {"compatibility": Match(), "reviews": [Review()]}

    saved = list(hooks._profile_context_providers)
    hooks.register_profile_context_provider(provider)
    try:
        content = client.get(reverse("mentors:profile", args=[priya.slug])).content.decode()
    finally:
        hooks._profile_context_providers[:] = saved
    assert "87% match for you" in content and "Speaks Telugu" in content
    assert "Explained genetics so well" in content and "No reviews yet" not in content


def test_profile_page_queries_stay_bounded_however_many_mentors_and_entries(client, priya):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory(role=User.Role.STUDENT))
    url = reverse("mentors:profile", args=[priya.slug])
    client.get(url)  # warms per-process caches (languages and the like), which are not per-request work
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(15):
        mentor_with_weekly_hours(weekdays=(0, 1, 2, 3, 4, 5, 6))
    for index in range(10):
        priya.work_experiences.create(title=f"Role {index}", organization="Org", start_date=dt.date(2010, 1, 1))
        priya.certifications.create(name=f"Certificate {index}", issuer="Board")
        AvailabilityOverrideFactory(
            mentor=priya,
            date=timezone.localdate() + dt.timedelta(days=index + 20),
            kind="extra",
            start_time=dt.time(18),
            end_time=dt.time(20),
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) <= 20


def test_profile_time_chips_start_booking_at_that_time_and_phones_get_a_book_bar(client, priya):
    content = client.get(reverse("mentors:profile", args=[priya.slug])).content.decode()
    book = reverse("sessions_app:book", args=[priya.slug])
    links = re.findall(r'<a class="chip-link font-medium" href="([^"]+)" data-slot>', content)
    assert links and all(link.startswith(book + "?start=") and link.endswith("&amp;duration=30") for link in links)
    bar = content.split('data-testid="book-bar"')[1]
    assert "From ₹750" in bar and f'href="{book}"' in bar and "Next: " in bar

    student = student_with_profile(languages=("en", "hi"))
    client.force_login(student)
    start = re.search(r"\?start=([^&]+)&", links[3]).group(1)
    booking = client.get(book, {"start": unquote(start), "duration": 30}).content.decode()
    checked = re.findall(r'<input type="radio" name="starts_at" value="([^"]+)"[^>]* checked', booking)
    assert checked == [unquote(start)]
    assert client.get(book, {"start": "9999-12-31T23:59:00+00:00"}).status_code == 200
    assert client.get(book, {"start": "not a time"}).status_code == 200


def test_a_new_mentors_statistics_say_so_instead_of_a_bare_dash(client, priya):
    content = client.get(reverse("mentors:profile", args=[priya.slug])).content.decode()
    statistics = content.split('id="stats-heading"')[1].split("</section>")[0]
    assert "–" not in statistics
    assert "New mentor" in statistics and "Not rated yet" in statistics and "Not measured yet" in statistics
@pytest.mark.tds
def test_profile_editor_shows_what_the_hourly_rate_earns_and_refuses_odd_rates(client):
    mentor = MentorProfileFactory(hourly_rate_paise=120_000)
    client.force_login(mentor.user)
    page = client.get(reverse("mentors:profile_edit")).content.decode()
    # ₹1,200 an hour: ₹840 for the mentor, less 5 % withheld without a PAN.
    assert 'data-testid="earn-net">₹798.00<' in page

    response = client.post(
        reverse("mentors:profile_edit"), application_post(hourly_rate_rupees="1234", **{"documents-0-file": ""})
    )
    assert response.status_code == 400
    assert "Prices go in steps of ₹50" in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.hourly_rate_paise == 120_000
