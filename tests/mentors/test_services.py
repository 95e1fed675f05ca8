import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import User
from accounts.selectors import user_language
from mentors import hooks
from mentors.models import (
    AvailabilityRule,
    MentorProfile,
    MentorSlugHistory,
    VerificationDocument,
)
from mentors.models import VerificationStatus as S
from mentors.services import (
    MentorApplication,
    availability_override_add,
    availability_rule_add,
    availability_settings_update,
    mentor_application_submit,
    mentor_profile_update,
    mentor_slug_change,
    mentor_stats_refresh,
    verification_transition,
)
from tests.factories import SAMPLE_PDF_BYTES, MentorProfileFactory, UserFactory, VerificationDocumentFactory, language

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def pdf(name="id.pdf", content=SAMPLE_PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def application(**overrides) -> MentorApplication:
    profile = {
        "title": "NEET Biology Mentor",
        "university": "AIIMS Delhi",
        "company": "",
        "years_experience": 6,
        "bio": "I cleared NEET and now help students prepare.",
        "expertise_areas": ["Medical entrance"],
        "specializations": ["NEET preparation", " neet preparation ", "Biology"],
        "industry_focus": ["Healthcare"],
        "subjects": ["Biology"],
        "skills": ["Exam strategy"],
        "levels_served": ["school"],
        "hourly_rate_paise": 90_000,
        "linkedin_url": "https://www.linkedin.com/in/someone",
        "offered_durations": [60, 30],
    }
    profile.update(overrides.pop("profile", {}))
    fields = {
        "full_name": "Priya Sharma",
        "profile": profile,
        "primary_language": language("hi"),
        "languages": [language("en"), language("te")],
        "time_zone": "Asia/Kolkata",
        "city": "New Delhi",
        "state": "Delhi",
        "work_experiences": [
            {
                "title": "Biology teacher",
                "organization": "Kendriya Vidyalaya",
                "location": "Delhi",
                "start_date": dt.date(2018, 6, 1),
                "end_date": None,
                "description": "",
            }
        ],
        "education": [
            {"institution": "AIIMS", "degree": "MBBS", "field_of_study": "", "start_year": 2012, "end_year": 2017}
        ],
        "certifications": [{"name": "Teaching", "issuer": "CBSE", "issued_on": None, "credential_url": ""}],
        "documents": [("id_proof", pdf()), ("education_certificate", SimpleUploadedFile("degree.png", PNG_BYTES))],
    }
    fields.update(overrides)
    return MentorApplication(**fields)


def hindi(message: str) -> str:
    with translation.override("hi"):
        translated = translation.gettext(message)
    assert translated != message, "the Hindi catalogue should translate this"
    return translated


@pytest.fixture
def reviewer():
    return UserFactory(is_staff=True, role=User.Role.ADMIN)


def test_application_creates_a_pending_profile_with_entries_documents_and_an_acknowledgment(
    mailoutbox, django_capture_on_commit_callbacks, private_storage
):
    user = UserFactory(full_name="Someone")
    with django_capture_on_commit_callbacks(execute=True):
        mentor = mentor_application_submit(user=user, application=application())
    mentor.refresh_from_db()
    user.refresh_from_db()
    assert mentor.verification_status == S.PENDING and mentor.submitted_at is not None
    assert mentor.slug == "priya-sharma"
    assert mentor.specializations == ["NEET preparation", "Biology"]
    assert mentor.offered_durations == [30, 60]
    assert user.role == User.Role.MENTOR and user.full_name == "Priya Sharma"
    assert user.primary_language.code == "hi"
    assert {lang.code for lang in user.languages.all()} == {"hi", "en", "te"}
    assert mentor.work_experiences.get().organization == "Kendriya Vidyalaya"
    assert mentor.education_entries.count() == 1 and mentor.certifications.count() == 1
    documents = {d.document_type: d for d in mentor.documents.all()}
    assert documents["id_proof"].content_type == "application/pdf"
    assert documents["education_certificate"].content_type == "image/png"
    stored = documents["id_proof"].file.name
    assert "id.pdf" not in stored and private_storage.exists(stored)
    event = mentor.verification_events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", S.PENDING, user)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
    # The applicant chose Hindi as their primary language, so the acknowledgment speaks Hindi.
    assert mailoutbox[0].subject.endswith(hindi("We received your mentor application"))


def test_a_second_application_is_refused():
    user = UserFactory()
    mentor_application_submit(user=user, application=application())
    with pytest.raises(ValidationError) as caught:
        mentor_application_submit(user=user, application=application())
    assert caught.value.code == "already_applied"


def test_an_application_needs_an_id_proof():
    with pytest.raises(ValidationError) as caught:
        mentor_application_submit(
            user=UserFactory(), application=application(documents=[("experience_letter", pdf("letter.pdf"))])
        )
    assert "documents" in caught.value.message_dict
    assert not MentorProfile.objects.exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("id.pdf", b"MZ\x90\x00 this is a windows program"),
        SimpleUploadedFile("id.exe", SAMPLE_PDF_BYTES),
        SimpleUploadedFile("photo.png", JPEG_BYTES),
        SimpleUploadedFile("id.pdf", b""),
        SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>"),
        SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)),
    ],
    ids=["exe-named-pdf", "pdf-named-exe", "jpeg-named-png", "empty", "html", "over-10-mb"],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(upload, private_storage):
    user = UserFactory()
    with pytest.raises(ValidationError) as caught:
        mentor_application_submit(user=user, application=application(documents=[("id_proof", upload)]))
    assert "documents" in caught.value.message_dict
    assert not MentorProfile.objects.exists() and not VerificationDocument.objects.exists()
    assert not (private_storage.exists("verification") and private_storage.listdir("verification")[0])
    user.refresh_from_db()
    assert user.role == User.Role.STUDENT


def test_slugs_are_unique_and_never_reuse_an_old_one():
    first = mentor_application_submit(user=UserFactory(), application=application())
    MentorSlugHistory.objects.create(mentor=first, slug="priya-sharma-2")
    second = mentor_application_submit(user=UserFactory(), application=application())
    assert (first.slug, second.slug) == ("priya-sharma", "priya-sharma-3")
    devanagari = mentor_application_submit(user=UserFactory(), application=application(full_name="प्रिया"))
    assert devanagari.slug == "mentor"


def test_a_mentor_asked_to_reapply_resubmits_and_is_pending_again(
    reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    mentor = mentor_application_submit(user=user, application=application())
    verification_transition(
        mentor_id=mentor.pk,
        actor=reviewer,
        expected_status=S.PENDING,
        to_status=S.REAPPLICATION_REQUIRED,
        note="Add your experience letter",
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mentor_application_submit(
            user=user,
            application=application(
                documents=[("experience_letter", pdf("letter.pdf"))], profile={"title": "NEET Mentor"}
            ),
        )
    mentor.refresh_from_db()
    assert mentor.verification_status == S.PENDING and mentor.title == "NEET Mentor"
    assert mentor.decision_reason == ""
    assert mentor.documents.count() == 3
    assert [e.to_status for e in mentor.verification_events.order_by("pk")] == [
        S.PENDING,
        S.REAPPLICATION_REQUIRED,
        S.PENDING,
    ]
    assert len(mailoutbox) == 1 and mailoutbox[0].subject.endswith(hindi("We received your mentor application"))


def test_editing_unverified_fields_publishes_at_once():
    mentor = MentorProfileFactory()
    mentor_profile_update(
        mentor_id=mentor.pk,
        actor=mentor.user,
        application=application(profile={"university": mentor.university, "company": mentor.company}, documents=[]),
    )
    mentor.refresh_from_db()
    assert mentor.verification_status == S.APPROVED and mentor.title == "NEET Biology Mentor"


@pytest.mark.parametrize(
    "change",
    [
        {"profile": {"university": "IIT Bombay", "company": "Infosys"}, "documents": []},
        {"profile": {"university": "IIT Hyderabad", "company": "TCS"}, "documents": []},
        {"profile": {"university": "IIT Hyderabad", "company": "Infosys"}},
    ],
    ids=["university", "company", "new-documents"],
)
def test_changing_verified_facts_sends_an_approved_profile_back_to_document_review(
    change, mailoutbox, django_capture_on_commit_callbacks
):
    mentor = MentorProfileFactory(university="IIT Hyderabad", company="Infosys")
    with django_capture_on_commit_callbacks(execute=True):
        mentor_profile_update(mentor_id=mentor.pk, actor=mentor.user, application=application(**change))
    mentor.refresh_from_db()
    assert mentor.verification_status == S.DOCUMENTS_UNDER_REVIEW
    event = mentor.verification_events.get()
    assert event.actor == mentor.user and event.note.startswith("Verified details changed")
    assert len(mailoutbox) == 1


def test_a_mentor_cannot_edit_someone_elses_profile():
    mentor = MentorProfileFactory()
    with pytest.raises(MentorProfile.DoesNotExist):
        mentor_profile_update(mentor_id=mentor.pk, actor=UserFactory(), application=application())


def test_changing_the_slug_keeps_the_old_one_as_a_redirect():
    mentor = MentorProfileFactory(slug="dr-priya-sharma")
    other = MentorProfileFactory(slug="taken")
    mentor_slug_change(mentor_id=mentor.pk, actor=mentor.user, slug="Priya Sharma NEET")
    mentor.refresh_from_db()
    assert mentor.slug == "priya-sharma-neet"
    assert list(mentor.old_slugs.values_list("slug", flat=True)) == ["dr-priya-sharma"]
    with pytest.raises(ValidationError):
        mentor_slug_change(mentor_id=mentor.pk, actor=mentor.user, slug="taken")
    with pytest.raises(ValidationError):
        mentor_slug_change(mentor_id=other.pk, actor=other.user, slug="dr-priya-sharma")
    mentor_slug_change(mentor_id=mentor.pk, actor=mentor.user, slug="dr-priya-sharma")
    mentor.refresh_from_db()
    assert mentor.slug == "dr-priya-sharma"
    assert list(mentor.old_slugs.values_list("slug", flat=True)) == ["priya-sharma-neet"]


def test_overlapping_weekly_hours_are_refused():
    mentor = MentorProfileFactory()
    availability_rule_add(mentor=mentor, weekday=0, start_time=dt.time(9), end_time=dt.time(12))
    with pytest.raises(ValidationError):
        availability_rule_add(mentor=mentor, weekday=0, start_time=dt.time(11), end_time=dt.time(13))
    with pytest.raises(ValidationError):
        availability_rule_add(mentor=mentor, weekday=0, start_time=dt.time(14), end_time=dt.time(13))
    availability_rule_add(mentor=mentor, weekday=0, start_time=dt.time(12), end_time=dt.time(13))
    assert AvailabilityRule.objects.filter(mentor=mentor).count() == 2


def test_overrides_for_past_days_or_half_ranges_are_refused():
    mentor = MentorProfileFactory()
    today = dt.date(2026, 5, 4)
    with pytest.raises(ValidationError):
        availability_override_add(mentor=mentor, date=dt.date(2026, 5, 3), kind="blocked", today=today)
    with pytest.raises(ValidationError):
        availability_override_add(mentor=mentor, date=today, kind="blocked", start_time=dt.time(9), today=today)
    with pytest.raises(ValidationError):
        availability_override_add(mentor=mentor, date=today, kind="extra", today=today)
    availability_override_add(mentor=mentor, date=today, kind="blocked", today=today)


def test_booking_settings_need_at_least_one_duration_and_sane_limits():
    mentor = MentorProfileFactory()
    settings = {
        "buffer_before_minutes": 10,
        "buffer_after_minutes": 15,
        "minimum_notice_hours": 24,
        "booking_horizon_days": 45,
    }
    with pytest.raises(ValidationError):
        availability_settings_update(mentor=mentor, offered_durations=[], **settings)
    with pytest.raises(ValidationError):
        availability_settings_update(mentor=mentor, offered_durations=[45], **settings)
    with pytest.raises(ValidationError):
        availability_settings_update(mentor=mentor, offered_durations=[60], **{**settings, "booking_horizon_days": 0})
    availability_settings_update(mentor=mentor, offered_durations=[90, 60, 60], **settings)
    mentor.refresh_from_db()
    assert mentor.offered_durations == [60, 90] and mentor.booking_horizon_days == 45


@pytest.fixture
def isolated_hooks():
    saved = (
        list(hooks._stats_providers),
        list(hooks._profile_context_providers),
        list(hooks._profile_changed_listeners),
    )
    yield hooks
    hooks._stats_providers[:], hooks._profile_context_providers[:], hooks._profile_changed_listeners[:] = saved


def test_stats_come_from_registered_providers(isolated_hooks, django_capture_on_commit_callbacks):
    mentor = MentorProfileFactory()
    changed = []
    isolated_hooks.register_stats_provider(lambda mentor_id: {"total_sessions": 12, "no_show_count": 1})
    isolated_hooks.register_stats_provider(
        lambda mentor_id: {"average_rating": Decimal("4.67"), "rating_count": 3, "response_time_minutes": 95}
    )
    isolated_hooks.register_profile_changed_listener(changed.append)
    with django_capture_on_commit_callbacks(execute=True):
        mentor_stats_refresh(mentor_id=mentor.pk)
    mentor.refresh_from_db()
    assert (mentor.total_sessions, mentor.no_show_count, mentor.rating_count) == (12, 1, 3)
    assert mentor.average_rating == Decimal("4.67") and mentor.response_time_minutes == 95
    assert changed == [mentor.pk]


def test_a_stats_provider_cannot_write_other_fields(isolated_hooks):
    mentor = MentorProfileFactory()
    isolated_hooks.register_stats_provider(lambda mentor_id: {"verification_status": "approved"})
    with pytest.raises(ValueError):
        mentor_stats_refresh(mentor_id=mentor.pk)


def test_profile_changed_listeners_run_only_after_commit(isolated_hooks, django_capture_on_commit_callbacks):
    changed = []
    isolated_hooks.register_profile_changed_listener(changed.append)
    isolated_hooks.register_profile_changed_listener(changed.append)
    mentor = MentorProfileFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        availability_rule_add(mentor=mentor, weekday=1, start_time=dt.time(9), end_time=dt.time(10))
    assert changed == []
    for callback in callbacks:
        callback()
    assert changed == [mentor.pk]


def test_emails_go_out_in_the_mentors_language_when_the_site_has_it():
    assert user_language(MentorProfileFactory(user__languages=["te", "en"], user__ui_language="").user) == "te"
    assert user_language(MentorProfileFactory(user__languages=["hi"], user__ui_language="").user) == "hi"
    assert user_language(MentorProfileFactory(user__languages=["ta", "en"], user__ui_language="").user) == "ta"
    # Malayalam has no interface yet: English instead.
    assert user_language(MentorProfileFactory(user__languages=["ml", "en"], user__ui_language="").user) == "en"


def test_document_factory_stores_a_real_pdf(private_storage):
    document = VerificationDocumentFactory()
    with private_storage.open(document.file.name) as stored:
        assert stored.read().startswith(b"%PDF-")
