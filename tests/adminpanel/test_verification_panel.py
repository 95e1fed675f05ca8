import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentors.documents import document_link
from mentors.models import VerificationEvent
from mentors.models import VerificationStatus as S
from tests.factories import SAMPLE_PDF_BYTES, MentorProfileFactory, UserFactory, VerificationDocumentFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def no_mfa_gate(settings, client):
    # The MFA middleware has its own tests; here staff act as they would after enrolling.
    settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, role=User.Role.SUPPORT, time_zone="Asia/Kolkata")
    client.force_login(user)
    return user


@pytest.fixture
def admin_staff(client):
    """Documents are for admins: support staff handle tickets, not identity papers."""
    user = UserFactory(is_staff=True, role=User.Role.ADMIN, time_zone="Asia/Kolkata")
    client.force_login(user)
    return user


def pending(**fields):
    fields.setdefault("submitted_at", timezone.now() - dt.timedelta(hours=5))
    return MentorProfileFactory(pending=True, **fields)


@pytest.mark.parametrize(
    "user_fields",
    [{"role": User.Role.STUDENT}, {"role": User.Role.MENTOR}, {"role": User.Role.MENTOR, "is_staff": True}],
)
@pytest.mark.parametrize("url_name", ["adminpanel:home", "adminpanel:verification_queue"])
def test_the_panel_is_for_admin_and_support_staff_only(client, user_fields, url_name):
    client.force_login(UserFactory(**user_fields))
    assert client.get(reverse(url_name)).status_code == 403


def test_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("adminpanel:home"))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_home_counts_applications_by_status_and_lists_the_oldest(client, staff):
    oldest = pending(submitted_at=timezone.now() - dt.timedelta(days=9), user__full_name="Oldest Applicant")
    pending()
    MentorProfileFactory(verification_status=S.INTERVIEW_SCHEDULED)
    MentorProfileFactory()
    response = client.get(reverse("adminpanel:home"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "3 in progress" in content
    assert f"{reverse('adminpanel:verification_queue')}?status=pending" in content
    assert content.index("Oldest Applicant") > 0
    assert reverse("adminpanel:application", args=[oldest.pk]) in content


def test_queue_filters_by_status_language_and_age(client, staff):
    telugu = pending(user__languages=["te", "en"], user__full_name="Telugu Applicant")
    hindi_old = pending(
        user__languages=["hi"], user__full_name="Hindi Applicant", submitted_at=timezone.now() - dt.timedelta(days=10)
    )
    interview = MentorProfileFactory(
        verification_status=S.INTERVIEW_SCHEDULED, user__full_name="Interview Applicant", submitted_at=timezone.now()
    )
    approved = MentorProfileFactory(user__full_name="Approved Mentor")
    url = reverse("adminpanel:verification_queue")

    def names(**query):
        content = client.get(url, query).content.decode()
        return {m.user.full_name for m in (telugu, hindi_old, interview, approved) if m.user.full_name in content}

    assert names() == {"Telugu Applicant", "Hindi Applicant", "Interview Applicant"}
    assert names(status="pending") == {"Telugu Applicant", "Hindi Applicant"}
    assert names(status="approved") == {"Approved Mentor"}
    assert names(language="te") == {"Telugu Applicant"}
    assert names(language="en") == {"Telugu Applicant", "Interview Applicant"}
    assert names(waiting="7") == {"Hindi Applicant"}
    assert names(status="pending", language="hi", waiting="7") == {"Hindi Applicant"}
    assert names(status="nonsense") == {"Telugu Applicant", "Hindi Applicant", "Interview Applicant"}


def test_queue_partial_and_pagination(client, staff):
    for _ in range(27):
        pending()
    full = client.get(reverse("adminpanel:verification_queue"))
    assert b"Page 1 of 2" in full.content and b"27 applications" in full.content
    partial = client.get(reverse("adminpanel:verification_queue"), {"page": 2}, **HTMX)
    assert partial.status_code == 200 and b'id="queue-results"' in partial.content
    assert b"<html" not in partial.content and b"Page 2 of 2" in partial.content


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_queue_and_home_queries_do_not_grow_with_the_number_of_applications(client, staff):
    for _ in range(3):
        pending(user__languages=["te", "en"])
    queue, home = reverse("adminpanel:verification_queue"), reverse("adminpanel:home")
    client.get(queue)
    few = (_queries_for(client, queue), _queries_for(client, home))
    for _ in range(30):
        VerificationDocumentFactory(mentor=pending(user__languages=["hi", "en", "ta"]))
    assert (_queries_for(client, queue), _queries_for(client, home)) == few
    assert max(few) <= 10


def test_application_page_shows_profile_documents_history_and_allowed_actions(client, admin_staff):
    staff = admin_staff
    mentor = MentorProfileFactory(verification_status=S.BACKGROUND_CHECK_IN_PROGRESS, university="IIT Delhi")
    VerificationDocumentFactory(mentor=mentor, original_name="aadhaar-card.pdf")
    VerificationEvent.objects.create(
        mentor=mentor, from_status=S.PENDING, to_status=S.DOCUMENTS_UNDER_REVIEW, actor=staff
    )
    response = client.get(reverse("adminpanel:application", args=[mentor.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "IIT Delhi" in content and "aadhaar-card.pdf" in content
    assert "/panel/documents/" in content
    assert "Schedule interview" in content and 'type="datetime-local"' in content
    assert "Reject" in content and "Approve" not in content
    partial = client.get(reverse("adminpanel:application", args=[mentor.pk]), **HTMX)
    assert b'id="workflow"' in partial.content and b"<html" not in partial.content
    assert client.get(reverse("adminpanel:application", args=[999999])).status_code == 404


def test_support_staff_see_which_documents_exist_but_cannot_open_them(client, staff):
    mentor = MentorProfileFactory(verification_status=S.DOCUMENTS_UNDER_REVIEW)
    VerificationDocumentFactory(mentor=mentor, original_name="aadhaar-card.pdf")
    content = client.get(reverse("adminpanel:application", args=[mentor.pk])).content.decode()
    assert "/panel/documents/" not in content and "aadhaar-card.pdf" not in content


def test_staff_move_an_application_to_the_next_stage_and_schedule_an_interview(
    client, staff, mailoutbox, django_capture_on_commit_callbacks
):
    mentor = pending()
    url = reverse("adminpanel:application_action", args=[mentor.pk])
    response = client.post(
        url,
        {
            "action": "start_document_review",
            "expected_status": "pending",
        },
    )
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.verification_status == S.DOCUMENTS_UNDER_REVIEW
    client.post(
        url,
        {
            "action": "start_background_check",
            "expected_status": "documents_under_review",
            "note": "Documents verified",
        },
    )
    when = (timezone.localtime(timezone=staff.tzinfo) + dt.timedelta(days=3)).replace(
        hour=15, minute=30, second=0, microsecond=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "action": "schedule_interview",
                "expected_status": "background_check_in_progress",
                "scheduled_for": when.strftime("%Y-%m-%dT%H:%M"),
            },
            **HTMX,
        )
    assert response.status_code == 200 and b'id="workflow"' in response.content
    event = mentor.verification_events.get(to_status=S.INTERVIEW_SCHEDULED)
    # 15:30 in Kolkata is 10:00 UTC.
    assert event.scheduled_for == when
    assert event.scheduled_for.astimezone(dt.UTC).strftime("%H:%M") == "10:00"
    assert "Interview:" in mailoutbox[-1].body


def test_rejecting_needs_a_reason_shown_next_to_the_note(client, staff):
    mentor = pending()
    url = reverse("adminpanel:application_action", args=[mentor.pk])
    data = {"action": "reject", "expected_status": "pending", "note": ""}
    response = client.post(url, data)
    assert response.status_code == 400
    assert b"Give the mentor a reason." in response.content and b'id="id_note_error"' in response.content
    response = client.post(url, {**data, "note": "Could not verify your degree"})
    mentor.refresh_from_db()
    assert mentor.verification_status == S.REJECTED and mentor.decision_reason == "Could not verify your degree"


def test_an_action_on_a_stale_page_is_refused_with_409(client, staff):
    mentor = MentorProfileFactory(verification_status=S.DOCUMENTS_UNDER_REVIEW)
    data = {"action": "reject", "expected_status": "pending", "note": "No"}
    response = client.post(reverse("adminpanel:application_action", args=[mentor.pk]), data, **HTMX)
    assert response.status_code == 409
    assert b"changed by someone else" in response.content
    mentor.refresh_from_db()
    assert mentor.verification_status == S.DOCUMENTS_UNDER_REVIEW


def test_an_action_not_allowed_from_the_status_is_refused(client, staff):
    mentor = pending()
    data = {"action": "approve", "expected_status": "pending"}
    response = client.post(reverse("adminpanel:application_action", args=[mentor.pk]), data)
    assert response.status_code == 400
    mentor.refresh_from_db()
    assert mentor.verification_status == S.PENDING


def test_suspend_and_reinstate(client, staff):
    mentor = MentorProfileFactory()
    url = reverse("adminpanel:application_action", args=[mentor.pk])
    client.post(
        url,
        {
            "action": "suspend",
            "expected_status": "approved",
            "note": "Complaints",
        },
    )
    mentor.refresh_from_db()
    assert mentor.verification_status == S.SUSPENDED
    assert client.get(reverse("mentors:profile", args=[mentor.slug])).status_code == 404
    client.post(url, {"action": "reinstate", "expected_status": "suspended"})
    mentor.refresh_from_db()
    assert mentor.verification_status == S.APPROVED


# --- documents -------------------------------------------------------------------------------------------


def test_admins_open_a_document_through_its_link(client, admin_staff):
    document = VerificationDocumentFactory()
    response = client.get(document_link(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == SAMPLE_PDF_BYTES


@pytest.mark.parametrize(
    "user_fields",
    [{"role": User.Role.STUDENT}, {"role": User.Role.MENTOR}, {"role": User.Role.STUDENT, "is_staff": True}],
)
def test_others_cannot_open_a_document_even_with_a_valid_link(client, user_fields):
    document = VerificationDocumentFactory()
    link = document_link(document)
    client.force_login(UserFactory(**user_fields))
    assert client.get(link).status_code == 403


def test_the_owner_cannot_open_their_document_through_the_panel(client):
    document = VerificationDocumentFactory()
    client.force_login(document.mentor.user)
    assert client.get(document_link(document)).status_code == 403


def test_visitors_are_sent_to_log_in_for_a_document(client):
    response = client.get(document_link(VerificationDocumentFactory()))
    assert response.status_code == 302


def test_an_expired_document_link_is_refused(client, admin_staff):
    document = VerificationDocumentFactory()
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=6)):
        link = document_link(document)
    response = client.get(link)
    assert response.status_code == 410 and b"expired" in response.content


def test_a_tampered_document_link_is_not_found(client, admin_staff):
    first, second = VerificationDocumentFactory(), VerificationDocumentFactory()
    link = document_link(first)
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = token.replace(f"{first.pk}:", f"{second.pk}:", 1)
    assert client.get(reverse("adminpanel:document", args=[forged])).status_code == 404
    assert client.get(reverse("adminpanel:document", args=["garbage"])).status_code == 404


def test_one_note_field_is_shared_by_every_action(client, staff):
    mentor = MentorProfileFactory(verification_status=S.BACKGROUND_CHECK_IN_PROGRESS)
    content = client.get(reverse("adminpanel:application", args=[mentor.pk])).content.decode()
    assert content.count("Note to the mentor") == 1 and content.count('name="note"') == 1
    buttons = re.findall(r'<button type="submit" name="action" value="(\w+)"', content)
    assert {"schedule_interview", "reject"} <= set(buttons) and len(buttons) > 2


def test_an_interview_time_is_kept_only_by_the_interview_action(client, staff):
    mentor = MentorProfileFactory(verification_status=S.BACKGROUND_CHECK_IN_PROGRESS)
    when = (timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("adminpanel:application_action", args=[mentor.pk]),
        {"action": "reject", "expected_status": S.BACKGROUND_CHECK_IN_PROGRESS, "note": "No", "scheduled_for": when},
    )
    event = mentor.verification_events.get()
    assert event.to_status == S.REJECTED and event.scheduled_for is None
